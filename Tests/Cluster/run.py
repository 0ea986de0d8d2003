#!/usr/bin/env python3
"""Multi-process cluster tests: real `starling serve` processes on loopback, and (where the machine
allows network namespaces) three hosts joined by a bridge, one cut off and reconnected; and MQTT clients
(paho-mqtt) publishing and subscribing across three nodes; cluster-wide sessions, wills and drain
(sessions.py), and in the namespaces also a partition with traffic, retained messages and a session.

    python3 Tests/Cluster/run.py --starling BIN [--only multiprocess|interop|sessions|netns]

Prints one line per check and ends with `cluster: N passed, N failed[, N skipped]`.
"""

import argparse
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import interop  # noqa: E402
import multiprocess  # noqa: E402
import netns  # noqa: E402
import sessions  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--starling", required=True)
    parser.add_argument("--only", choices=["multiprocess", "interop", "sessions", "netns"])
    args = parser.parse_args()
    binary = os.path.abspath(args.starling)
    results = {"passed": 0, "failed": 0, "skipped": 0}

    def check(name, ok, detail=""):
        results["passed" if ok else "failed"] += 1
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""), flush=True)

    def skip(name, reason):
        results["skipped"] += 1
        print(f"SKIP  {name}  ({reason})", flush=True)

    for suite in [multiprocess, interop, sessions, netns]:
        short = suite.__name__
        if args.only and args.only != short:
            continue
        print(f"== {short}", flush=True)
        try:
            if suite in (netns, interop, sessions):
                suite.run(binary, check, skip)
            else:
                suite.run(binary, check)
        except Exception:  # a crashed suite is a failed check, and the others still run
            check(f"{short} ran to the end", False, traceback.format_exc().strip().splitlines()[-1])
            traceback.print_exc()

    line = f"cluster: {results['passed']} passed, {results['failed']} failed"
    if results["skipped"]:
        line += f", {results['skipped']} skipped"
    print(line)
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
