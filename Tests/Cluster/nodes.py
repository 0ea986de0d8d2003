"""Start, stop and query `starling serve` processes for the multi-process cluster tests."""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

LISTENING = re.compile(r"listening (mqtt tcp|cluster udp\+tcp|admin http) (\S+):(\d+)")


def free_port():
    """A port free for TCP and UDP on 127.0.0.1 at the time of asking."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


class Node:
    """One `starling serve` process; its log goes to a file in `workdir`."""

    def __init__(self, binary, name, workdir, cluster_port=None, seeds=(), secret="s3cret", extra=(),
                 prefix=(), host="127.0.0.1", mqtt_port=0):
        self.binary = binary
        self.name = name
        self.host = host
        self.mqtt_port = mqtt_port  # 0: any free port, read back from the log
        self.cluster_port = cluster_port or free_port()
        self.seeds = list(seeds)
        self.secret = secret
        self.extra = list(extra)
        self.prefix = list(prefix)
        self.workdir = workdir
        self.process = None
        self.ports = {}
        self.log_path = None

    @property
    def cluster_address(self):
        return f"{self.host}:{self.cluster_port}"

    def start(self, deadline=30):
        self.ports = {}
        self.log_path = os.path.join(self.workdir, f"{self.name}-{int(time.time() * 1000)}.log")
        argv = self.prefix + [
            self.binary, "serve", "--node-name", self.name, "--listen", f"{self.host}:{self.mqtt_port}",
            "--cluster-listen", f"{self.host}:{self.cluster_port}", "--admin-listen", f"{self.host}:0",
            "--data-dir", os.path.join(self.workdir, self.name), "--cluster-secret", self.secret,
        ]
        for seed in self.seeds:
            argv += ["--seed", seed]
        argv += self.extra
        log = open(self.log_path, "w")
        self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            with open(self.log_path) as handle:
                for kind, _, port in LISTENING.findall(handle.read()):
                    self.ports[kind] = int(port)
            if "admin http" in self.ports:
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)  # polling the log for the bound ports, bounded by the deadline
        raise RuntimeError(f"{self.name} did not start; log:\n{self.log()}")

    def log(self):
        with open(self.log_path) as handle:
            return handle.read()

    def kill(self):
        """SIGKILL: no leave, no goodbye."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def members(self):
        """{name: (state, bootId)} as this node's admin API reports it; None when it does not answer."""
        url = f"http://{self.host}:{self.ports['admin http']}/api/v1/cluster/members"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return {m["name"]: (m["state"], m["bootId"]) for m in json.load(response)}
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def boot_id(self):
        own = (self.members() or {}).get(self.name)
        return own[1] if own else None


def wait_until(condition, deadline, poll=0.1):
    """Seconds until `condition()` held, or None when `deadline` seconds passed first."""
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        if condition():
            return time.monotonic() - start
        time.sleep(poll)  # polling a condition, bounded by the deadline
    return None


def workdir():
    return tempfile.mkdtemp(prefix="starling-cluster-")
