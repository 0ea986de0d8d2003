#!/usr/bin/env python3
"""Interop conformance suite: real third-party clients (paho-mqtt 3.1.1 and 5.0, mosquitto_pub/sub)
against a running broker.

    python3 Tests/Interop/run.py --starling .build/debug/starling   # start Starling, test it, SIGTERM it
    python3 Tests/Interop/run.py --broker 127.0.0.1:1883 [--skip NAME]  # an already-running broker
    python3 Tests/Interop/run.py --mosquitto                          # start Mosquitto as the reference
    ... --only NAME [--only NAME]   run a subset; --list prints every check and its question

NAME is a check (qos1_roundtrip_v5), a check without its version suffix (qos1_roundtrip), an area
(05_session or session) or a glob (will_*). The last line printed is always
`interop: N passed, N failed[, N skipped]`; the exit status is non-zero if any check failed.
"""

import argparse
import glob
import importlib.util
import os
import shutil
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

try:
    import paho.mqtt  # noqa: F401  (fail early with a useful message)
except ImportError:
    sys.exit("interop: paho-mqtt is not installed (python3 -m pip install 'paho-mqtt>=2')")

import brokers  # noqa: E402
import harness  # noqa: E402

# Where Mosquitto 2.0 (the reference broker the suite was validated on) answers differently from
# what the suite requires, and why. Each check is written to the MQTT specification (or to a
# documented Starling choice where the spec leaves a MAY); --mosquitto skips these by default and
# --broker users can pass the same names to --skip.
MOSQUITTO_DIFFERENCES = {
    # Mosquitto 2.0 checks keep alive on a coarse periodic timer: a client with keep alive 1 s is
    # closed after about 3 to 6 s instead of 1.5 s [MQTT-3.1.2-24] / [MQTT-3.1.2-22].
    "keepalive_timeout_disconnects": "closes idle clients on a coarse timer, seconds after 1.5 x keep alive",
    # Mosquitto 2.0.11 closes a taken-over 5.0 connection without DISCONNECT 0x8E [MQTT-3.1.4-3].
    "takeover_sends_session_taken_over_v5": "closes the taken-over connection without DISCONNECT 0x8E",
    # Mosquitto accepts No Local on a $share subscription instead of a Protocol Error [MQTT-3.8.3-4].
    "shared_subscription_no_local_is_protocol_error_v5": "accepts No Local on a shared subscription",
    # Payload validation is a MAY (5.0 3.3.2.3.2); Mosquitto forwards the payload, Starling refuses it.
    "payload_format_invalid_rejected_v5": "does not validate payloads marked as UTF-8 (allowed: a MAY)",
    # For these two errors Mosquitto closes a 5.0 connection without the DISCONNECT (a SHOULD, 4.13)
    # that Starling sends.
    "remaining_length_of_five_bytes_closes_connection_v5": "closes without DISCONNECT 0x81",
    "second_connect_closes_connection_v5": "closes without DISCONNECT 0x82",
}


def starling_exits_cleanly_on_sigterm():
    """Does Starling exit with status 0 within 10 s of SIGTERM, without having exited during the run?"""


def load_checks():
    """Import every numbered check file in order; each registers its checks with harness.check."""
    for path in sorted(glob.glob(os.path.join(HERE, "[0-9][0-9]_*.py"))):
        area = os.path.splitext(os.path.basename(path))[0]
        harness.set_area(area)
        spec = importlib.util.spec_from_file_location(f"interop_{area}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return harness.REGISTRY


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--starling", metavar="BINARY", help="start this Starling binary and test it")
    target.add_argument("--broker", metavar="HOST:PORT", help="test an already-running broker")
    target.add_argument("--mosquitto", nargs="?", const="mosquitto", metavar="BINARY",
                        help="start Mosquitto (reference broker) and test it, skipping its known differences")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only matching checks")
    parser.add_argument("--skip", action="append", default=[], metavar="NAME", help="skip matching checks")
    parser.add_argument("--list", action="store_true", help="list the checks and exit")
    parser.add_argument("--broker-log", metavar="FILE", help="write the started broker's output to FILE")
    parser.add_argument("-v", "--verbose", action="store_true", help="print tracebacks of unexpected errors")
    arguments = parser.parse_args()
    arguments.only = [name for value in arguments.only for name in value.split(",") if name]
    arguments.skip = [name for value in arguments.skip for name in value.split(",") if name]
    if not arguments.list and not (arguments.starling or arguments.broker or arguments.mosquitto):
        parser.error("one of --starling, --broker or --mosquitto is required")
    return arguments


def start_target(arguments):
    """(host, port, broker process or None, label)."""
    if arguments.broker:
        host, _, port = arguments.broker.rpartition(":")
        host = host or "127.0.0.1"
        try:
            socket.create_connection((host, int(port)), timeout=5.0).close()
        except (OSError, ValueError) as error:
            raise RuntimeError(f"nothing accepts connections at {arguments.broker}: {error}") from None
        return host, int(port), None, arguments.broker
    if arguments.mosquitto:
        broker = brokers.start_mosquitto(arguments.mosquitto, arguments.broker_log)
        return *broker.address, broker, "mosquitto"
    broker = brokers.start_starling(arguments.starling, arguments.broker_log)
    host, port = broker.wait_for_address()
    return host, port, broker, "starling"


def main():
    arguments = parse_arguments()
    specs = load_checks()
    if arguments.list:
        for spec in specs:
            print(f"{spec.area:22} {spec.name:48} {spec.question}")
        return 0

    unknown = [name for name in arguments.only + arguments.skip
               if not any(harness.matches(spec, name) for spec in specs)]
    if unknown:
        print(f"interop: no check matches {', '.join(unknown)} (see --list)")
        return 2

    skip_reasons = {}
    if arguments.mosquitto:
        skip_reasons = {name: f"mosquitto differs: {why}" for name, why in MOSQUITTO_DIFFERENCES.items()}
        arguments.skip += list(MOSQUITTO_DIFFERENCES)
    chosen, outcomes = harness.select(specs, arguments.only, arguments.skip, skip_reasons)

    try:
        host, port, broker, label = start_target(arguments)
    except (RuntimeError, OSError) as error:
        print(f"interop: broker unavailable: {error}", flush=True)
        print("interop: 0 passed, 1 failed")
        return 1
    print(f"interop: {len(chosen)} checks against {label} at {host}:{port}", flush=True)

    started = time.monotonic()
    for spec in chosen:
        outcome = harness.run_one(spec, host, port, arguments.verbose)
        outcomes.append(outcome)
        detail = f": {outcome.reason}" if outcome.reason else ""
        print(f"{outcome.status} {spec.name} ({outcome.seconds:.2f} s){detail}", flush=True)
        if broker is not None and broker.exited_early():
            print(f"interop: the broker exited with {broker.process.returncode} during {spec.name}")
            break

    failures = [outcome for outcome in outcomes if outcome.status == "FAIL"]
    if broker is not None:
        crashed = broker.exited_early()
        code, seconds = broker.stop()
        # Graceful shutdown is part of the contract for Starling: SIGTERM drains and exits 0.
        if label == "starling" and (crashed or code != 0):
            why = ("exited during the run" if crashed else
                   f"did not exit within {brokers.SHUTDOWN_DEADLINE:.0f} s of SIGTERM" if code is None else
                   f"exited with {code} after SIGTERM")
            shutdown = harness.CheckSpec("starling_exits_cleanly_on_sigterm", "starling_exits_cleanly_on_sigterm",
                                         "00_process", None, starling_exits_cleanly_on_sigterm)
            failures.append(harness.Outcome(shutdown, "FAIL", why, seconds))
            outcomes.append(failures[-1])
        if failures and broker.tail:
            print("--- last lines of the broker's output ---")
            print("\n".join(list(broker.tail)[-40:]))
        if failures and broker.scratch_dir:
            print(f"interop: the broker's data directory is kept for inspection: {broker.scratch_dir}")
        elif broker.scratch_dir:
            shutil.rmtree(broker.scratch_dir, ignore_errors=True)

    passed = sum(outcome.status == "PASS" for outcome in outcomes)
    skipped = [outcome for outcome in outcomes if outcome.status == "SKIP"]
    print(f"--- {time.monotonic() - started:.1f} s ---")
    for outcome in skipped:
        print(f"skipped {outcome.spec.name}: {outcome.reason}")
    for outcome in failures:
        print(f"FAILED {outcome.spec.name} — {outcome.spec.question}\n    {outcome.reason}")
    summary = f"interop: {passed} passed, {len(failures)} failed"
    if skipped:
        summary += f", {len(skipped)} skipped"
    print(summary, flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. --list | head
        sys.exit(0)
