#!/usr/bin/env python3
"""Starling and mosquitto side by side: the scenarios of docs/bench.md ("scripts/bench").

Called by scripts/bench, which builds the release binary, raises the open-file limit and kills
whatever is left in the pid file on exit. This file starts a fresh broker for every run, runs
`starling bench` against it, reads the JSON line, and prints and saves one table.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

BROKERS = ("starling", "mosquitto")
LABELS = {"starling": "Starling", "mosquitto": "Mosquitto"}

# Settings both brokers get, so that neither drops or throttles where the other does not.
MAX_INFLIGHT = 1024  # Starling's default mqtt.max_inflight / receive_maximum
MAX_QUEUED = 1_000_000  # per session; both default to 1000, which QoS 1 floods overrun
IDLE_CONNECTIONS = 10_000
READY_DEADLINE_S = 30.0
STOP_DEADLINE_S = 10.0
# After publishing stops, how long the tool waits for the backlog; what has not arrived by then is
# lost. Long enough that a broker which queued a 10 s flood can still deliver it.
DRAIN_S = 15.0


class Interrupted(Exception):
    """SIGTERM or SIGINT: stop at once, cleaning up on the way out."""


# ---------------------------------------------------------------------------
# Child processes


class Children:
    """Every process this script starts, also written to the pid file scripts/bench reads."""

    def __init__(self, pid_file: Path | None):
        self.pid_file = pid_file
        self.live: dict[int, subprocess.Popen] = {}

    def start(self, argv: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(argv, **kwargs)
        self.live[process.pid] = process
        self._record()
        return process

    def forget(self, process: subprocess.Popen) -> None:
        self.live.pop(process.pid, None)
        self._record()

    def _record(self) -> None:
        """Rewrites the pid file with the live children only, so that a stale pid is never killed."""
        if self.pid_file:
            temporary = self.pid_file.with_suffix(".new")
            temporary.write_text("".join(f"{pid}\n" for pid in self.live))
            temporary.replace(self.pid_file)

    def stop(self, process: subprocess.Popen, deadline: float = STOP_DEADLINE_S) -> str | None:
        """SIGTERM, then SIGKILL after `deadline`. Returns a problem worth reporting, if any."""
        problem = None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(deadline)
            except subprocess.TimeoutExpired:
                problem = f"did not exit within {deadline:.0f} s of SIGTERM; killed"
                process.kill()
                process.wait()
        self.forget(process)
        return problem

    def stop_all(self) -> None:
        for process in list(self.live.values()):
            self.stop(process, deadline=3.0)


def exit_description(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def tail(path: Path, lines: int = 6) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def vm_rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def open_fds(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


# ---------------------------------------------------------------------------
# Brokers


@dataclass
class Broker:
    """One broker process, fresh for each run."""

    kind: str
    argv: list[str]
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, children: Children) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = children.start(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + READY_DEADLINE_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.kind} exited at start-up ({exit_description(self.process.returncode)}): "
                    + tail(self.log, 3)
                )
            # Starling logs "listening mqtt tcp HOST:PORT" at info; at --log-level warning only the
            # port tells, so either will do.
            if "listening mqtt tcp" in self.log.read_text(errors="replace") or port_open(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.kind} was not listening on {self.address} within {READY_DEADLINE_S:.0f} s")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class BrokerFactory:
    def __init__(self, options: argparse.Namespace, work: Path, pin: Callable[[str], list[str]]):
        self.options = options
        self.work = work
        self.pin = pin
        self.serial = 0

    def make(self, kind: str) -> Broker:
        self.serial += 1
        run_dir = self.work / f"{self.serial:02d}-{kind}"
        run_dir.mkdir(parents=True)
        port = free_port()
        if kind == "starling":
            argv = self.pin("broker") + [
                self.options.starling, "serve",
                "--listen", f"127.0.0.1:{port}",
                "--node-name", "bench",
                "--data-dir", str(run_dir / "data"),
                "--log-level", "warning",
                *starling_settings(),
            ]
        else:
            config = run_dir / "mosquitto.conf"
            config.write_text(mosquitto_config(port))
            argv = self.pin("broker") + [self.options.mosquitto, "-c", str(config)]
        return Broker(kind=kind, argv=argv, port=port, log=run_dir / "broker.log")


def starling_settings() -> list[str]:
    # No key sets Starling's event loop count (it is System.coreCount); pinned to one CPU, its
    # loops share that CPU like mosquitto's single thread.
    return [
        "--set", f"mqtt.max_inflight={MAX_INFLIGHT}",
        "--set", f"mqtt.receive_maximum={MAX_INFLIGHT}",
        "--set", f"mqtt.max_queued_messages={MAX_QUEUED}",
    ]


def mosquitto_config(port: int) -> str:
    return f"""\
# Generated by scripts/bench for one run.
listener {port} 127.0.0.1
allow_anonymous true
persistence false
log_dest stderr
log_type error
log_type warning
# Starling sets TCP_NODELAY on every socket; without it mosquitto shows Nagle delays.
set_tcp_nodelay true
# QoS 1/2 messages in flight per client, as Starling's mqtt.max_inflight (default 20); mosquitto
# also announces it to MQTT 5 clients as Receive Maximum, as Starling does mqtt.receive_maximum.
max_inflight_messages {MAX_INFLIGHT}
# QoS 1/2 messages queued per client beyond those in flight, as Starling's mqtt.max_queued_messages.
max_queued_messages {MAX_QUEUED}
max_connections -1
"""


# ---------------------------------------------------------------------------
# Scenarios


@dataclass
class Metric:
    name: str
    better: str  # "higher" or "lower"
    value: Callable[[dict], float | None]
    unit_format: Callable[[float], str]


@dataclass
class Scenario:
    name: str
    title: str
    kind: str  # "pubsub", "conn" or "skip"
    bench_args: list[str] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    skip_reason: str = ""
    shares_run_with: str | None = None  # reuse another scenario's run (same command)


def fmt_rate(v: float) -> str:
    return f"{v:,.0f}"


def fmt_ms(v: float) -> str:
    return f"{v:.2f}" if v < 100 else f"{v:,.0f}"


def fmt_int(v: float) -> str:
    return f"{v:,.0f}"


def fmt_kib(v: float) -> str:
    return f"{v:.1f}"


def fmt_mib(v: float) -> str:
    return f"{v:,.1f}"


def latency_ms(key: str, source: str = "latency_us") -> Callable[[dict], float | None]:
    def read(run: dict) -> float | None:
        block = (run.get("result") or {}).get(source) or {}
        return block[key] / 1000.0 if block.get(key) is not None else None

    return read


def field_of(key: str) -> Callable[[dict], float | None]:
    return lambda run: (run.get("result") or {}).get(key)


def extra(key: str) -> Callable[[dict], float | None]:
    return lambda run: (run.get("extra") or {}).get(key)


RECEIVED = Metric("received msg/s", "higher", field_of("recv_rate"), fmt_rate)
SENT = Metric("sent msg/s", "higher", field_of("send_rate"), fmt_rate)


def scenarios() -> list[Scenario]:
    all_to_one = ["--topic", "bench/%i", "--filter", "bench/#"]
    return [
        Scenario("qos0", "QoS 0 1→1, unlimited", "pubsub",
                 ["--publishers", "1", "--subscribers", "1", "--qos", "0", *all_to_one],
                 [RECEIVED]),
        Scenario("qos1", "QoS 1 1→1, unlimited", "pubsub",
                 ["--publishers", "1", "--subscribers", "1", "--qos", "1", *all_to_one],
                 [RECEIVED]),
        Scenario("fanin", "fan-in 50→1, QoS 1, unlimited", "pubsub",
                 ["--publishers", "50", "--subscribers", "1", "--qos", "1", *all_to_one],
                 [RECEIVED]),
        Scenario("fanout", "fan-out 1→50, QoS 1, unlimited", "pubsub",
                 ["--publishers", "1", "--subscribers", "50", "--qos", "1", *all_to_one],
                 [SENT, Metric("received msg/s (all 50)", "higher", field_of("recv_rate"), fmt_rate)]),
        Scenario("latency", "latency: 10 pairs × 1,000 msg/s, QoS 1", "pubsub",
                 ["--publishers", "10", "--subscribers", "10", "--qos", "1", "--rate", "1000",
                  "--topic", "bench/%i", "--filter", "bench/%i", "--warmup", "1"],
                 [Metric("latency p50 ms", "lower", latency_ms("p50"), fmt_ms),
                  Metric("latency p99 ms", "lower", latency_ms("p99"), fmt_ms),
                  Metric("latency p99.9 ms", "lower", latency_ms("p999"), fmt_ms),
                  Metric("lost + duplicated", "lower",
                         lambda run: None if not run.get("result") else
                         run["result"]["lost"] + run["result"]["duplicated"], fmt_int)]),
        Scenario("idle", f"{IDLE_CONNECTIONS:,} idle connections", "conn",
                 ["--clients", str(IDLE_CONNECTIONS)],
                 [Metric("RSS per connection KiB", "lower", extra("rss_per_connection_kib"), fmt_kib),
                  Metric("RSS before MiB", "lower", extra("rss_before_mib"), fmt_mib),
                  Metric("RSS with connections MiB", "lower", extra("rss_connected_mib"), fmt_mib),
                  Metric("connections held", "higher", field_of("connections"), fmt_int)]),
        Scenario("connrate", f"connection rate ({IDLE_CONNECTIONS:,} connections)", "conn",
                 ["--clients", str(IDLE_CONNECTIONS)],
                 [Metric("connections/s", "higher", field_of("connect_rate"), fmt_rate),
                  Metric("CONNECT→CONNACK p99 ms", "lower", latency_ms("p99", "connect_latency_us"), fmt_ms)],
                 shares_run_with="idle"),
        Scenario("cluster", "cluster: publisher on node A, subscriber on node B", "skip",
                 skip_reason="skipped: cluster not available yet"),
    ]


# ---------------------------------------------------------------------------
# Runs


class Runner:
    def __init__(self, options: argparse.Namespace, children: Children, factory: BrokerFactory,
                 pin: Callable[[str], list[str]]):
        self.options = options
        self.children = children
        self.factory = factory
        self.pin = pin
        self.cache: dict[tuple[str, str], dict] = {}

    def bench_argv(self, scenario: Scenario, broker: Broker) -> list[str]:
        command = "conn" if scenario.kind == "conn" else "pubsub"
        argv = self.pin("tool") + [
            self.options.starling, "bench", command, "--host", broker.address,
            "--duration", f"{self.options.duration:g}", "--json",
        ]
        if scenario.kind == "pubsub":
            argv += ["--drain", f"{DRAIN_S:g}"]
        return argv + scenario.bench_args

    def run(self, scenario: Scenario, kind: str) -> dict:
        key = (scenario.shares_run_with or scenario.name, kind)
        if key in self.cache:
            return self.cache[key]
        record = self._run(scenario, kind)
        self.cache[key] = record
        return record

    def _run(self, scenario: Scenario, kind: str) -> dict:
        record: dict = {"broker": kind, "command": None, "exit_code": None, "result": None,
                        "extra": {}, "error": None, "problems": []}
        broker = self.factory.make(kind)
        record["broker_command"] = " ".join(broker.argv)
        started = time.monotonic()
        try:
            try:
                broker.start(self.children)
            except RuntimeError as error:
                record["error"] = str(error)
                return record
            argv = self.bench_argv(scenario, broker)
            record["command"] = " ".join(argv)
            stderr_path = broker.log.with_name("bench.stderr")
            if scenario.kind == "conn":
                self._run_conn(argv, broker, stderr_path, record)
            else:
                self._run_tool(argv, stderr_path, record)
            if not broker.alive():
                record["problems"].append(
                    f"broker {exit_description(broker.process.returncode)} during the run; "
                    f"last log lines: {tail(broker.log, 4)!r}"
                )
        finally:
            if broker.process is not None:
                exited_before = broker.process.poll() is not None
                problem = self.children.stop(broker.process)
                code = broker.process.returncode
                if problem:
                    record["problems"].append(f"broker {problem}")
                elif not exited_before and code not in (0, -signal.SIGTERM):
                    # E.g. a crash whose backtrace was still being written when the tool finished.
                    record["problems"].append(
                        f"broker {exit_description(code)} when stopped with SIGTERM; "
                        f"last log lines: {tail(broker.log, 4)!r}"
                    )
                record["broker_exit"] = exit_description(code)
            record["seconds"] = round(time.monotonic() - started, 1)
            log_tail = tail(broker.log, 4)
            if log_tail:
                record["broker_log_tail"] = log_tail
                record["broker_log_lines"] = len(broker.log.read_text(errors="replace").splitlines())
        if record["problems"] and not record["error"] and not record["result"]:
            record["error"] = record["problems"][0]
        return record

    def timeout(self) -> float:
        return self.options.duration + DRAIN_S + 120

    def _run_tool(self, argv: list[str], stderr_path: Path, record: dict) -> None:
        with stderr_path.open("wb") as err:
            tool = self.children.start(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
            try:
                out, _ = tool.communicate(timeout=self.timeout())
            except subprocess.TimeoutExpired:
                self.children.stop(tool)
                record["error"] = f"starling bench did not finish within {self.timeout():.0f} s"
                return
            # Forgotten only once finished: interrupted, it stays listed for stop_all and the pid file.
            self.children.forget(tool)
        self._read_result(tool.returncode, out, stderr_path, record)

    def _run_conn(self, argv: list[str], broker: Broker, stderr_path: Path, record: dict) -> None:
        """Runs `bench conn` while sampling the broker: RSS before, RSS once the connections are up."""
        pid = broker.process.pid
        time.sleep(0.5)
        rss_before = vm_rss_kib(pid)
        fds_before = open_fds(pid)
        target = IDLE_CONNECTIONS
        rss_connected = None
        fds_peak = fds_before or 0
        with stderr_path.open("wb") as err, tempfile.TemporaryFile() as out:
            tool = self.children.start(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            deadline = time.monotonic() + self.timeout()
            connected_at = None
            while tool.poll() is None and time.monotonic() < deadline:
                fds = open_fds(pid)
                if fds is not None:
                    fds_peak = max(fds_peak, fds)
                    # (Nearly) all connections accepted: let the broker settle, then read its RSS.
                    if connected_at is None and fds_before is not None and fds - fds_before >= 0.95 * target:
                        connected_at = time.monotonic()
                if connected_at is not None and time.monotonic() - connected_at >= 1.0:
                    rss = vm_rss_kib(pid)
                    if rss is not None:
                        rss_connected = max(rss_connected or 0, rss)
                time.sleep(0.2)
            if tool.poll() is None:
                self.children.stop(tool)
                record["error"] = f"starling bench did not finish within {self.timeout():.0f} s"
                return
            self.children.forget(tool)
            out.seek(0)
            self._read_result(tool.returncode, out.read(), stderr_path, record)
        if rss_connected is None:
            record["problems"].append(
                f"the broker never held {target:,} connections at once (peak {fds_peak - (fds_before or 0):,} "
                "sockets); RSS per connection not measured"
            )
            return
        held = (record["result"] or {}).get("connections") or target
        record["extra"] = {
            "rss_before_kib": rss_before,
            "rss_connected_kib": rss_connected,
            "rss_before_mib": rss_before / 1024 if rss_before else None,
            "rss_connected_mib": rss_connected / 1024,
            "rss_per_connection_kib": (rss_connected - rss_before) / held if rss_before else None,
            "broker_fds_before": fds_before,
            "broker_fds_peak": fds_peak,
        }

    def _read_result(self, code: int, out: bytes, stderr_path: Path, record: dict) -> None:
        record["exit_code"] = code
        lines = [line for line in out.decode(errors="replace").splitlines() if line.startswith("{")]
        if lines:
            try:
                record["result"] = json.loads(lines[-1])
            except json.JSONDecodeError as error:
                record["error"] = f"unreadable JSON line: {error}"
        if record["result"] is None and record["error"] is None:
            record["error"] = (f"starling bench {exit_description(code)}, no JSON line: "
                               + (tail(stderr_path, 2) or "no output"))
        elif code not in (0, 1):
            record["problems"].append(f"starling bench {exit_description(code)}")


# ---------------------------------------------------------------------------
# Table


def delivery_notes(kind: str, record: dict) -> list[str]:
    label = LABELS[kind][0]
    notes = []
    if record.get("error"):
        notes.append(f"{label}: {record['error']}")
    for problem in record.get("problems", []):
        if problem != record.get("error"):
            notes.append(f"{label}: {problem}")
    if record.get("broker_log_lines"):
        last = record["broker_log_tail"].splitlines()[-1][:100]
        notes.append(f"{label}: broker logged {record['broker_log_lines']} line(s), last: {last}")
    result = record.get("result") or {}
    counts = [(name, result.get(key)) for name, key in (
        ("lost", "lost"), ("dup", "duplicated"), ("reordered", "reordered"), ("malformed", "malformed"),
        ("connect failures", "connect_failures"), ("disconnects", "disconnects"), ("rejected", "rejected"))]
    nonzero = [f"{name} {value:,}" for name, value in counts if value]
    if result.get("lost") and result.get("expected"):
        nonzero[0] += f" of {result['expected']:,} ({100 * result['lost'] / result['expected']:.0f}%)"
    if nonzero:
        notes.append(f"{label}: " + ", ".join(nonzero))
    return notes


def format_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:.1f}" if ratio >= 10 else f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.3f}"


def build_rows(scenario: Scenario, records: dict[str, dict]) -> tuple[list[dict], list[str]]:
    if scenario.kind == "skip":
        return [{"metric": "-", "better": "-", "starling": None, "mosquitto": None, "ratio": None,
                 "text": {"starling": "skipped", "mosquitto": "skipped", "ratio": "-"}}], [scenario.skip_reason]
    rows = []
    for metric in scenario.metrics:
        values, text = {}, {}
        for kind in BROKERS:
            record = records.get(kind)
            value = metric.value(record) if record else None
            values[kind] = value
            if value is not None:
                text[kind] = metric.unit_format(value)
            elif record is None:
                text[kind] = "not run"
            else:
                text[kind] = "error" if record.get("error") else "n/a"
        s, m = values["starling"], values["mosquitto"]
        ratio = s / m if s is not None and m not in (None, 0) else None
        text["ratio"] = format_ratio(ratio)
        rows.append({"metric": metric.name, "better": metric.better, "starling": s, "mosquitto": m,
                     "ratio": ratio, "text": text})
    notes = []
    if scenario.shares_run_with is None:
        for kind in BROKERS:
            if kind in records:
                notes += delivery_notes(kind, records[kind])
    return rows, notes


def verdict(row: dict) -> str:
    ratio = row["ratio"]
    if ratio is None:
        return ""
    if abs(ratio - 1) < 0.05:
        return "≈"
    starling_ahead = ratio > 1 if row["better"] == "higher" else ratio < 1
    return "Starling" if starling_ahead else "Mosquitto"


def render_table(results: list[dict]) -> str:
    header = ["scenario", "metric", "better", "Starling", "Mosquitto", "S/M", "ahead", "notes"]
    body = []
    for entry in results:
        first = True
        for row in entry["rows"]:
            body.append([
                entry["title"] if first else "",
                row["metric"], row["better"],
                row["text"]["starling"], row["text"]["mosquitto"], row["text"]["ratio"],
                verdict(row),
                "; ".join(entry["notes"]) if first else "",
            ])
            first = False
        if len(entry["notes"]) > 1:
            # One note per line beneath the scenario, so the table stays readable.
            body[-len(entry["rows"])][7] = entry["notes"][0]
            for note in entry["notes"][1:]:
                body.append(["", "", "", "", "", "", "", note])
    widths = [max(len(str(row[i])) for row in [header] + body) for i in range(len(header) - 1)]
    right = {3, 4, 5}

    def line(cells: list[str]) -> str:
        parts = [str(c).rjust(widths[i]) if i in right else str(c).ljust(widths[i])
                 for i, c in enumerate(cells[:-1])]
        return ("  ".join(parts) + "  " + str(cells[-1])).rstrip()

    rule = "  ".join("-" * w for w in widths) + "  -----"
    return "\n".join([line(header), rule] + [line(row) for row in body])


# ---------------------------------------------------------------------------
# Machine


def command_output(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        return (done.stdout or done.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"


def machine_info(options: argparse.Namespace, pinned: bool) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mosquitto = command_output([options.mosquitto, "-h"]).splitlines()
    commit = command_output(["git", "-C", str(Path(__file__).resolve().parent.parent), "describe",
                             "--always", "--dirty"])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "kernel": f"{platform.system()} {platform.release()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "mosquitto": mosquitto[0] if mosquitto else "unknown",
        "starling": f"starling {command_output([options.starling, '--version'])} ({commit})",
        "open_files_limit": _nofile(),
        "pinning": "brokers on CPU 0, starling bench on CPU 1 (taskset)" if pinned
        else "none (taskset missing or fewer than 2 CPUs)",
    }


def _nofile() -> int | None:
    try:
        import resource
        return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError):
        return None


# ---------------------------------------------------------------------------
# Main


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--starling", required=True, help="release starling binary")
    parser.add_argument("--mosquitto", default="/usr/sbin/mosquitto")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--json", dest="json_path", required=True, help="where to write the results")
    parser.add_argument("--work-dir", required=True, help="scratch directory (broker data, logs)")
    parser.add_argument("--pid-file", help="append every started pid here")
    parser.add_argument("--list", action="store_true", help="print the scenario names and exit")
    options = parser.parse_args(argv)
    if not 0 < options.duration <= 120:
        parser.error("--duration must be between 0 and 120 seconds")
    return options


def on_signal(signum, _frame):
    # Once is enough: a second signal (Ctrl-C, then scripts/bench's SIGTERM) must not break the
    # clean-up and the partial table.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise Interrupted(signal.Signals(signum).name)


def main(argv: list[str]) -> int:
    options = parse(argv)
    catalogue = scenarios()
    if options.list:
        for s in catalogue:
            print(f"{s.name:10} {s.title}")
        return 0
    wanted = [n.strip() for n in options.only.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in {s.name for s in catalogue}]
    if unknown:
        print(f"bench: unknown scenario {', '.join(unknown)}; one of "
              + ", ".join(s.name for s in catalogue), file=sys.stderr)
        return 64
    selected = [s for s in catalogue if not wanted or s.name in wanted]

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    pinned = bool(shutil.which("taskset")) and (os.cpu_count() or 1) >= 2

    def pin(role: str) -> list[str]:
        if not pinned:
            return []
        return ["taskset", "-c", "0" if role == "broker" else "1"]

    work = Path(options.work_dir)
    children = Children(Path(options.pid_file) if options.pid_file else None)
    runner = Runner(options, children, BrokerFactory(options, work, pin), pin)
    machine = machine_info(options, pinned)
    print("machine    " + f"{machine['cpu']}, {machine['cores']} cores, {machine['kernel']}, "
          f"load {' '.join(map(str, machine['load_average']))}")
    print(f"brokers    {machine['starling']}; {machine['mosquitto']}")
    print(f"pinning    {machine['pinning']}; open files limit {machine['open_files_limit']}")
    print(f"runs       {options.duration:g} s each, MQTT 5, 64-byte payloads, fresh broker per run, "
          "Starling then Mosquitto")
    print()

    started = time.monotonic()
    results = []
    interrupted = None
    try:
        for scenario in selected:
            records = {}
            if scenario.kind != "skip":
                for kind in BROKERS:
                    print(f"  {scenario.name:9} {LABELS[kind]:9} ...", end=" ", flush=True)
                    record = runner.run(scenario, kind)
                    records[kind] = record
                    status = "error" if record.get("error") else (
                        "ok" if record.get("exit_code") == 0 else f"exit {record.get('exit_code')}")
                    if scenario.shares_run_with:
                        status += f" (run of '{scenario.shares_run_with}')" if (
                            scenario.shares_run_with in {s.name for s in selected}) else ""
                    print(f"{status} ({record.get('seconds', 0):.0f} s)", flush=True)
            rows, notes = build_rows(scenario, records)
            results.append({"name": scenario.name, "title": scenario.title, "rows": rows, "notes": notes,
                            "runs": {k: v for k, v in records.items()}})
    except Interrupted as signal_name:
        interrupted = str(signal_name)
        print("interrupted", flush=True)
    finally:
        children.stop_all()

    elapsed = time.monotonic() - started
    print()
    print(render_table(results))
    print()
    print("S/M is Starling ÷ Mosquitto; 'better' says which direction wins; 'ahead' needs a 5% margin.")
    if interrupted:
        print(f"interrupted by {interrupted}: the table holds the scenarios that finished")

    document = {
        "machine": machine,
        "settings": {
            "duration_s": options.duration,
            "drain_s": DRAIN_S,
            "protocol": "5",
            "payload_size": 64,
            "max_inflight": MAX_INFLIGHT,
            "max_queued_messages": MAX_QUEUED,
            "idle_connections": IDLE_CONNECTIONS,
            "mosquitto_config": mosquitto_config(0).replace("listener 0 ", "listener PORT "),
            "starling_flags": ["--log-level", "warning", *starling_settings()],
        },
        "elapsed_s": round(elapsed, 1),
        "interrupted": interrupted,
        "scenarios": [
            {**{k: v for k, v in entry.items() if k != "rows"},
             "rows": [{k: v for k, v in row.items() if k != "text"} for row in entry["rows"]]}
            for entry in results
        ],
    }
    json_path = Path(options.json_path)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"results    {json_path}")
    print(f"run time   {elapsed / 60:.1f} min")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
