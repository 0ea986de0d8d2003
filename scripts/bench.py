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
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

BROKERS = ("starling", "mosquitto")
# The cluster scenario compares Starling with itself: two clustered nodes against one node.
CLUSTER_SIDES = ("cluster", "single")
LABELS = {"starling": "Starling", "mosquitto": "Mosquitto",
          "cluster": "Starling cluster", "single": "Starling single node"}
# Prefix of a run's notes in the table.
NOTE_PREFIX = {"starling": "S", "mosquitto": "M", "cluster": "cluster", "single": "single"}
# Progress lines.
COLUMN_LABEL = {"starling": "Starling", "mosquitto": "Mosquitto", "cluster": "cluster", "single": "single"}
# Column headings (value, value, ratio) of each table.
COLUMNS = {BROKERS: ("Starling", "Mosquitto", "S/M"),
           CLUSTER_SIDES: ("cluster A→B", "single node", "C/S")}

# Settings both brokers get, so that neither drops or throttles where the other does not.
MAX_INFLIGHT = 1024  # Starling's default mqtt.max_inflight / receive_maximum
MAX_QUEUED = 1_000_000  # per session; both default to 1000, which QoS 1 floods overrun
IDLE_CONNECTIONS = 10_000
READY_DEADLINE_S = 30.0
STOP_DEADLINE_S = 10.0
# After publishing stops, how long the tool waits for the backlog; what has not arrived by then is
# lost. Long enough that a broker which queued a 10 s flood can still deliver it.
DRAIN_S = 15.0
# Cluster scenario: the secret both nodes share, how long they may take to see each other alive and
# link, and how long to wait after that before the tool connects.
CLUSTER_SECRET = "bench"
CLUSTER_DEADLINE_S = 30.0
CLUSTER_SETTLE_S = 0.3


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

    def stop(self, process: subprocess.Popen, deadline: float = STOP_DEADLINE_S,
             signalled: bool = False) -> str | None:
        """SIGTERM (unless `signalled` already), then SIGKILL after `deadline`. Returns a problem worth
        reporting, if any."""
        problem = None
        if process.poll() is None:
            if not signalled:
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


def free_port_tcp_udp() -> int:
    """A loopback port free for TCP and UDP (a cluster port carries both) at the time of asking."""
    for _ in range(50):
        port = free_port()
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no loopback port free for both TCP and UDP")


def admin_get(port: int, path: str) -> object | None:
    """GET http://127.0.0.1:PORT/PATH as JSON; None when the node does not answer (yet)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None


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
    label: str = "broker"  # "node A", "node B" in the cluster scenario
    name: str = ""  # Starling's --node-name in the cluster scenario
    cluster_port: int | None = None
    admin_port: int | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def cluster_address(self) -> str:
        return f"127.0.0.1:{self.cluster_port}"

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

    def make_side(self, side: str) -> list[Broker]:
        """The brokers one run needs: one, or for "cluster" the two nodes, seed (A) first."""
        if side == "cluster":
            return self.make_cluster()
        return [self.make("starling" if side == "single" else side)]

    def make_cluster(self) -> list[Broker]:
        """Two Starling nodes on loopback; B seeds from A. Both pinned as the single broker is."""
        self.serial += 1
        run_dir = self.work / f"{self.serial:02d}-cluster"
        run_dir.mkdir(parents=True)
        nodes = []
        for letter in ("a", "b"):
            port, cluster_port, admin_port = free_port(), free_port_tcp_udp(), free_port()
            argv = self.pin("broker") + [
                self.options.starling, "serve",
                "--listen", f"127.0.0.1:{port}",
                "--node-name", f"bench-{letter}",
                "--cluster-listen", f"127.0.0.1:{cluster_port}",
                "--admin-listen", f"127.0.0.1:{admin_port}",
                "--cluster-secret", CLUSTER_SECRET,
                "--data-dir", str(run_dir / f"data-{letter}"),
                "--log-level", "warning",
                *starling_settings(),
            ]
            if nodes:
                argv += ["--seed", nodes[0].cluster_address]
            nodes.append(Broker(kind="starling", argv=argv, port=port, log=run_dir / f"node-{letter}.log",
                                label=f"node {letter.upper()}", name=f"bench-{letter}",
                                cluster_port=cluster_port, admin_port=admin_port))
        return nodes


def starling_settings() -> list[str]:
    # node.event_loops stays 0: Starling counts the CPUs it is pinned to, so on one CPU it runs one
    # event loop, as mosquitto runs one thread.
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
    group: str | None = None  # the name --only and --list know it by, when several rows share one
    sides: tuple[str, ...] = BROKERS  # what is compared: the two brokers, or cluster and single node

    @property
    def selector(self) -> str:
        return self.group or self.name


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
LOST_DUPLICATED = Metric("lost + duplicated", "lower",
                         lambda run: None if not run.get("result") else
                         run["result"]["lost"] + run["result"]["duplicated"], fmt_int)
LATENCY = [Metric("latency p50 ms", "lower", latency_ms("p50"), fmt_ms),
           Metric("latency p99 ms", "lower", latency_ms("p99"), fmt_ms),
           Metric("latency p99.9 ms", "lower", latency_ms("p999"), fmt_ms),
           LOST_DUPLICATED]


def scenarios() -> list[Scenario]:
    all_to_one = ["--topic", "bench/%i", "--filter", "bench/#"]
    qos1 = ["--publishers", "1", "--subscribers", "1", "--qos", "1", *all_to_one]
    pairs = ["--publishers", "10", "--subscribers", "10", "--qos", "1", "--rate", "1000",
             "--topic", "bench/%i", "--filter", "bench/%i", "--warmup", "1"]
    return [
        Scenario("qos0", "QoS 0 1→1, unlimited", "pubsub",
                 ["--publishers", "1", "--subscribers", "1", "--qos", "0", *all_to_one],
                 [RECEIVED]),
        Scenario("qos1", "QoS 1 1→1, unlimited", "pubsub", qos1, [RECEIVED]),
        Scenario("fanin", "fan-in 50→1, QoS 1, unlimited", "pubsub",
                 ["--publishers", "50", "--subscribers", "1", "--qos", "1", *all_to_one],
                 [RECEIVED]),
        Scenario("fanout", "fan-out 1→50, QoS 1, unlimited", "pubsub",
                 ["--publishers", "1", "--subscribers", "50", "--qos", "1", *all_to_one],
                 [SENT, Metric("received msg/s (all 50)", "higher", field_of("recv_rate"), fmt_rate)]),
        Scenario("latency", "latency: 10 pairs × 1,000 msg/s, QoS 1", "pubsub", pairs, LATENCY),
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
        # Starling against itself: publishers on node A, subscribers on node B of a two-node cluster,
        # then the same load on one node. Mosquitto has no cluster.
        Scenario("cluster-qos1", "cluster: QoS 1 1→1, unlimited", "pubsub", qos1,
                 [RECEIVED, SENT, LOST_DUPLICATED], group="cluster", sides=CLUSTER_SIDES),
        Scenario("cluster-latency", "cluster: 10 pairs × 1,000 msg/s, QoS 1", "pubsub", pairs,
                 LATENCY, group="cluster", sides=CLUSTER_SIDES),
    ]


# ---------------------------------------------------------------------------
# Runs


def wait_for_cluster(nodes: list[Broker]) -> float:
    """Waits until every node lists every other alive and has a peer link to it, then a little more.
    Returns the seconds it took; raises RuntimeError after CLUSTER_DEADLINE_S."""
    started = time.monotonic()
    deadline = started + CLUSTER_DEADLINE_S
    names = {node.name for node in nodes}
    views: dict[str, object] = {}
    while time.monotonic() < deadline:
        for node in nodes:
            if not node.alive():
                raise RuntimeError(f"{node.label} {exit_description(node.process.returncode)} while the "
                                   f"cluster formed: {tail(node.log, 3)}")
        ready = True
        for node in nodes:
            members = admin_get(node.admin_port, "/api/v1/cluster/members") or []
            links = admin_get(node.admin_port, "/api/v1/cluster/links") or {}
            alive = {m.get("name") for m in members if isinstance(m, dict) and m.get("state") == "alive"}
            linked = {link.get("peer") for link in (links.get("links") or []) if isinstance(link, dict)} \
                if isinstance(links, dict) else set()
            views[node.label] = {"alive": sorted(alive), "linked": sorted(linked)}
            others = names - {node.name}
            ready = ready and others <= alive and others <= linked
        if ready:
            took = time.monotonic() - started
            # The peer links are up; a moment more for the initial route exchange on them to finish.
            time.sleep(CLUSTER_SETTLE_S)
            return took
        time.sleep(0.05)  # polling the admin API, bounded by the deadline
    raise RuntimeError(f"the two nodes did not see each other alive and linked within "
                       f"{CLUSTER_DEADLINE_S:.0f} s: {views}")


class Runner:
    def __init__(self, options: argparse.Namespace, children: Children, factory: BrokerFactory,
                 pin: Callable[[str], list[str]]):
        self.options = options
        self.children = children
        self.factory = factory
        self.pin = pin
        self.cache: dict[tuple[str, str], dict] = {}

    def bench_argv(self, scenario: Scenario, brokers: list[Broker]) -> list[str]:
        command = "conn" if scenario.kind == "conn" else "pubsub"
        if len(brokers) == 1:
            hosts = ["--host", brokers[0].address]
        else:
            # The cluster: publishers on node A, subscribers on node B.
            hosts = ["--pub-host", brokers[0].address, "--sub-host", brokers[1].address]
        argv = self.pin("tool") + [
            self.options.starling, "bench", command, *hosts,
            "--duration", f"{self.options.duration:g}", "--json",
        ]
        if scenario.kind == "pubsub":
            argv += ["--drain", f"{DRAIN_S:g}"]
        return argv + scenario.bench_args

    def run(self, scenario: Scenario, side: str) -> dict:
        key = (scenario.shares_run_with or scenario.name, side)
        if key in self.cache:
            return self.cache[key]
        record = self._run(scenario, side)
        self.cache[key] = record
        return record

    def _run(self, scenario: Scenario, side: str) -> dict:
        record: dict = {"broker": side, "command": None, "exit_code": None, "result": None,
                        "extra": {}, "error": None, "problems": []}
        brokers = self.factory.make_side(side)
        clustered = len(brokers) > 1
        if clustered:
            record["broker_commands"] = {b.label: " ".join(b.argv) for b in brokers}
        else:
            record["broker_command"] = " ".join(brokers[0].argv)
        started = time.monotonic()
        try:
            try:
                for broker in brokers:
                    broker.start(self.children)
                if clustered:
                    record["extra"]["cluster_ready_s"] = round(wait_for_cluster(brokers), 2)
            except RuntimeError as error:
                record["error"] = str(error)
                return record
            argv = self.bench_argv(scenario, brokers)
            record["command"] = " ".join(argv)
            stderr_path = brokers[0].log.with_name("bench.stderr")
            if scenario.kind == "conn":
                self._run_conn(argv, brokers[0], stderr_path, record)
            else:
                self._run_tool(argv, stderr_path, record)
            for broker in brokers:
                if not broker.alive():
                    record["problems"].append(
                        f"{broker.label} {exit_description(broker.process.returncode)} during the run; "
                        f"last log lines: {tail(broker.log, 4)!r}"
                    )
        finally:
            running = [b for b in brokers if b.process is not None]
            exited_before = {id(b): b.process.poll() is not None for b in running}
            # SIGTERM every node at once, so that neither logs the other's departure while it lives on.
            for broker in running:
                if broker.process.poll() is None:
                    broker.process.terminate()
            for broker in running:
                problem = self.children.stop(broker.process, signalled=True)
                code = broker.process.returncode
                if problem:
                    record["problems"].append(f"{broker.label} {problem}")
                elif not exited_before[id(broker)] and code not in (0, -signal.SIGTERM):
                    # E.g. a crash whose backtrace was still being written when the tool finished.
                    record["problems"].append(
                        f"{broker.label} {exit_description(code)} when stopped with SIGTERM; "
                        f"last log lines: {tail(broker.log, 4)!r}"
                    )
                if clustered:
                    record.setdefault("broker_exits", {})[broker.label] = exit_description(code)
                else:
                    record["broker_exit"] = exit_description(code)
            record["seconds"] = round(time.monotonic() - started, 1)
            for broker in brokers:
                log_tail = tail(broker.log, 4)
                if not log_tail:
                    continue
                lines = len(broker.log.read_text(errors="replace").splitlines())
                if clustered:
                    record.setdefault("node_logs", {})[broker.label] = {"lines": lines, "tail": log_tail}
                else:
                    record["broker_log_tail"] = log_tail
                    record["broker_log_lines"] = lines
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
    label = NOTE_PREFIX[kind]
    notes = []
    if record.get("error"):
        notes.append(f"{label}: {record['error']}")
    for problem in record.get("problems", []):
        if problem != record.get("error"):
            notes.append(f"{label}: {problem}")
    if record.get("broker_log_lines"):
        last = record["broker_log_tail"].splitlines()[-1][:100]
        notes.append(f"{label}: broker logged {record['broker_log_lines']} line(s), last: {last}")
    for node, log in (record.get("node_logs") or {}).items():
        last = log["tail"].splitlines()[-1][:100]
        notes.append(f"{label}: {node} logged {log['lines']} line(s), last: {last}")
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
    """Rows keyed by the scenario's sides ("starling", "mosquitto"; or "cluster", "single"), plus "ratio"
    (first side ÷ second)."""
    first_side, second_side = scenario.sides
    if scenario.kind == "skip":
        return [{"metric": "-", "better": "-", first_side: None, second_side: None, "ratio": None,
                 "text": {first_side: "skipped", second_side: "skipped", "ratio": "-"}}], [scenario.skip_reason]
    rows = []
    for metric in scenario.metrics:
        values, text = {}, {}
        for kind in scenario.sides:
            record = records.get(kind)
            value = metric.value(record) if record else None
            values[kind] = value
            if value is not None:
                text[kind] = metric.unit_format(value)
            elif record is None:
                text[kind] = "not run"
            else:
                text[kind] = "error" if record.get("error") else "n/a"
        a, b = values[first_side], values[second_side]
        ratio = a / b if a is not None and b not in (None, 0) else None
        text["ratio"] = format_ratio(ratio)
        rows.append({"metric": metric.name, "better": metric.better, first_side: a, second_side: b,
                     "ratio": ratio, "text": text})
    notes = []
    if scenario.shares_run_with is None:
        for kind in scenario.sides:
            if kind in records:
                notes += delivery_notes(kind, records[kind])
    return rows, notes


def verdict(row: dict, sides: tuple[str, ...] = BROKERS) -> str:
    ratio = row["ratio"]
    if ratio is None:
        return ""
    if abs(ratio - 1) < 0.05:
        return "≈"
    first_ahead = ratio > 1 if row["better"] == "higher" else ratio < 1
    winner = sides[0] if first_ahead else sides[1]
    return {"starling": "Starling", "mosquitto": "Mosquitto"}.get(winner, winner)


def render_tables(results: list[dict]) -> str:
    """One table per comparison: Starling vs Mosquitto, then Starling cluster vs single node."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for entry in results:
        groups.setdefault(tuple(entry["sides"]), []).append(entry)
    return "\n\n".join(render_table(entries, sides) for sides, entries in groups.items())


def render_table(results: list[dict], sides: tuple[str, ...] = BROKERS) -> str:
    first_side, second_side = sides
    header = ["scenario", "metric", "better", *COLUMNS[sides][:3], "ahead", "notes"]
    body = []
    for entry in results:
        first = True
        for row in entry["rows"]:
            body.append([
                entry["title"] if first else "",
                row["metric"], row["better"],
                row["text"][first_side], row["text"][second_side], row["text"]["ratio"],
                verdict(row, sides),
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
        "pinning": "brokers on CPU 0 (both cluster nodes too), starling bench on CPU 1 (taskset)" if pinned
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
    names: dict[str, str] = {}  # what --only takes, with a title; a group's rows share one name
    for s in catalogue:
        if s.group is None:
            names[s.name] = s.title
        elif s.group not in names:
            names[s.group] = ("cluster: Starling, publishers on node A and subscribers on node B, "
                              "vs a single node (1→1 unlimited; 10 pairs × 1,000 msg/s)")
    if options.list:
        for name, title in names.items():
            print(f"{name:10} {title}")
        return 0
    wanted = [n.strip() for n in options.only.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in names]
    if unknown:
        print(f"bench: unknown scenario {', '.join(unknown)}; one of " + ", ".join(names), file=sys.stderr)
        return 64
    selected = [s for s in catalogue if not wanted or s.selector in wanted]

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
          "Starling then Mosquitto" + ("; cluster: two clustered nodes, then one node" if any(
              s.sides == CLUSTER_SIDES for s in selected) else ""))
    print()
    name_width = max(len(s.name) for s in selected) if selected else 9

    started = time.monotonic()
    results = []
    interrupted = None
    try:
        for scenario in selected:
            records = {}
            if scenario.kind != "skip":
                for kind in scenario.sides:
                    print(f"  {scenario.name:{name_width}} {COLUMN_LABEL[kind]:9} ...", end=" ", flush=True)
                    record = runner.run(scenario, kind)
                    records[kind] = record
                    status = "error" if record.get("error") else (
                        "ok" if record.get("exit_code") == 0 else f"exit {record.get('exit_code')}")
                    if scenario.shares_run_with:
                        status += f" (run of '{scenario.shares_run_with}')" if (
                            scenario.shares_run_with in {s.name for s in selected}) else ""
                    print(f"{status} ({record.get('seconds', 0):.0f} s)", flush=True)
            rows, notes = build_rows(scenario, records)
            results.append({"name": scenario.name, "title": scenario.title, "sides": list(scenario.sides),
                            "rows": rows, "notes": notes, "runs": {k: v for k, v in records.items()}})
    except Interrupted as signal_name:
        interrupted = str(signal_name)
        print("interrupted", flush=True)
    finally:
        children.stop_all()

    elapsed = time.monotonic() - started
    print()
    print(render_tables(results))
    print()
    if any(tuple(entry["sides"]) == BROKERS for entry in results):
        print("S/M is Starling ÷ Mosquitto; 'better' says which direction wins; 'ahead' needs a 5% margin.")
    if any(tuple(entry["sides"]) == CLUSTER_SIDES for entry in results):
        print("C/S is Starling cluster ÷ Starling single node, the same load in the same run: publishers on "
              "node A,\nsubscribers on node B of a two-node cluster (both nodes on the broker CPU), against "
              "one node.\nMosquitto has no cluster, so it has no part in these rows.")
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
            "cluster_flags": ["--cluster-listen", "127.0.0.1:PORT", "--admin-listen", "127.0.0.1:PORT",
                              "--cluster-secret", CLUSTER_SECRET, "--seed", "NODE_A (node B only)"],
            "cluster_settle_s": CLUSTER_SETTLE_S,
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
