"""Starting the broker under test: the Starling binary, or Mosquitto as a reference broker.

Both run as child processes whose stderr is drained on a background thread (a full pipe would
otherwise block the broker) and kept as a bounded tail for diagnostics.
"""

import collections
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

STARTUP_DEADLINE = 30.0
SHUTDOWN_DEADLINE = 10.0
LISTENING = re.compile(r"listening mqtt tcp (\S+):(\d+)")

# The Mosquitto configuration the suite is validated against. max_packet_size gives the
# server-limit check a limit to exceed; max_queued_messages must exceed what the session checks queue.
MOSQUITTO_CONF = """\
listener {port} 127.0.0.1
allow_anonymous true
max_packet_size 262144
max_queued_messages 1000
persistence false
log_dest stderr
log_type error
log_type warning
"""


class BrokerProcess:
    """A broker child process with its address, output tail and a deadline-bound shutdown."""

    def __init__(self, argv, log_path=None, cwd=None):
        self.argv = argv
        self.tail = collections.deque(maxlen=200)
        self._log = open(log_path, "w", encoding="utf-8") if log_path else None
        self._address_found = threading.Event()
        self.address = None
        self.scratch_dir = None  # a temporary directory the broker uses, removed after a clean run
        # The address line is expected on stderr; stdout is merged in so a logger on either stream works.
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, cwd=cwd)
        self._reader = threading.Thread(target=self._drain, name="broker-output", daemon=True)
        self._reader.start()

    def _drain(self):
        for raw_line in iter(self.process.stdout.readline, b""):
            line = raw_line.decode("utf-8", "replace").rstrip("\n")
            self.tail.append(line)
            if self._log:
                self._log.write(line + "\n")
                self._log.flush()
            found = LISTENING.search(line)
            if found and self.address is None:
                self.address = (found.group(1), int(found.group(2)))
                self._address_found.set()
        self._address_found.set()  # end of output: wake a waiter so it can report the exit

    def wait_for_address(self, deadline=STARTUP_DEADLINE):
        """The (host, port) the broker printed; raises RuntimeError with its output if it never came."""
        self._address_found.wait(deadline)
        if self.address is None:
            try:
                self.process.wait(1.0)  # output ended: give the exit a moment to be reaped
            except subprocess.TimeoutExpired:
                pass
            exit_code = self.process.poll()
            self.stop()
            output = "\n".join(self.tail) or "(no output)"
            if exit_code is not None:
                problem = f"exited with {exit_code} before printing 'listening mqtt tcp HOST:PORT'"
            else:
                problem = f"did not print 'listening mqtt tcp HOST:PORT' within {deadline:.0f} s"
            raise RuntimeError(f"{self.argv[0]} {problem}. It wrote:\n{output}")
        return self.address

    def exited_early(self):
        return self.process.poll() is not None

    def stop(self, deadline=SHUTDOWN_DEADLINE):
        """SIGTERM, then wait; returns (exit code, seconds) or (None, seconds) if it had to be killed."""
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(deadline)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self._close_log()
                return None, time.monotonic() - started
        self._reader.join(2.0)
        self._close_log()
        return self.process.returncode, time.monotonic() - started

    def _close_log(self):
        if self._log:
            self._log.close()
            self._log = None


def start_starling(binary, log_path=None):
    """Start Starling on an ephemeral port with a fresh data directory."""
    data_dir = tempfile.mkdtemp(prefix="starling-interop-")
    # Every port ephemeral, so the suite runs beside any other broker or node on the machine.
    argv = [binary, "--listen", "127.0.0.1:0", "--cluster-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
            "--data-dir", data_dir, "--node-name", "interop", "--log-level", "info"]
    broker = BrokerProcess(argv, log_path)
    broker.scratch_dir = data_dir
    return broker


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_mosquitto(binary="mosquitto", log_path=None):
    """Start Mosquitto with MOSQUITTO_CONF on a free loopback port and wait until it accepts connections."""
    path = shutil.which(binary) or (binary if os.path.exists(binary) else None)
    if path is None:
        raise RuntimeError(f"{binary} not found (apt-get install -y mosquitto)")
    port = free_port()
    conf_dir = tempfile.mkdtemp(prefix="mosquitto-interop-")
    conf = os.path.join(conf_dir, "mosquitto.conf")
    with open(conf, "w", encoding="utf-8") as handle:
        handle.write(MOSQUITTO_CONF.format(port=port))
    broker = BrokerProcess([path, "-c", conf], log_path)
    broker.scratch_dir = conf_dir
    deadline = time.monotonic() + STARTUP_DEADLINE
    while time.monotonic() < deadline:
        if broker.exited_early():
            raise RuntimeError("mosquitto exited during startup:\n" + "\n".join(broker.tail))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            broker.address = ("127.0.0.1", port)
            return broker
        except OSError:
            time.sleep(0.05)  # polling for the listener to appear, bounded by the deadline
    broker.stop()
    raise RuntimeError(f"mosquitto did not accept connections on port {port} within {STARTUP_DEADLINE:.0f} s")
