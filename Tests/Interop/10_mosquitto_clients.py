"""mosquitto_pub / mosquitto_sub (the Eclipse Mosquitto command-line clients) against the broker.

mosquitto_sub runs with -d so the check can see its SUBACK before publishing (no race, no sleep), and
with -F so each message prints as one machine-readable line: topic, QoS, RETAIN flag, hex payload
and, for 5.0, user properties. It runs on a pseudo-terminal because its stdio would otherwise buffer
those lines until it exits.
"""

import os
import pty
import queue
import shutil
import subprocess
import threading
import time

from paho.mqtt.packettypes import PacketTypes

from clients import V5, V311, props
from harness import check, register

MARK = "MSG>>"  # at-sign, percent and backslash start escape sequences in -F; the marker avoids them
FORMAT = MARK + "%t|%q|%r|%x|%P"


def require_tools(t):
    missing = [tool for tool in ("mosquitto_pub", "mosquitto_sub") if shutil.which(tool) is None]
    if missing:
        t.fail(f"{' and '.join(missing)} not on PATH (apt-get install -y mosquitto-clients)")


def version_flag(version):
    return ["-V", "5" if version == V5 else "311"]


class Subscriber:
    """A running mosquitto_sub whose stdout lines are read on a thread into a queue."""

    def __init__(self, t, topic, qos, version, count=1):
        argv = ["mosquitto_sub", "-h", t.host, "-p", str(t.port), "-i", t.client_id("msub"), "-t", topic,
                "-q", str(qos), "-C", str(count), "-W", "10", "-d", "-F", FORMAT] + version_flag(version)
        self._master, terminal = pty.openpty()
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal)
        os.close(terminal)
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self._read, daemon=True).start()
        t.on_cleanup(self.close)

    def _read(self):
        pending = b""
        while True:
            try:
                chunk = os.read(self._master, 4096)
            except OSError:  # EIO: the terminal's other side closed when mosquitto_sub exited
                chunk = b""
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw_line in complete:
                line = raw_line.decode("utf-8", "replace").rstrip("\r")
                self.output.append(line)
                self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.001))
            except queue.Empty:
                line = "timeout"
            if line is None or line == "timeout":
                raise AssertionError(f"mosquitto_sub: no {what} ({'exited' if line is None else 'timed out'}); "
                                     f"output: {' / '.join(self.output[-8:])}")
            if predicate(line):
                return line

    def subscribed(self):
        self.wait_for(lambda line: "received SUBACK" in line, 10.0, "SUBACK")

    def message(self):
        """(topic, qos, retain, payload bytes, user properties text) of the next message."""
        line = self.wait_for(lambda line: line.startswith(MARK), 10.0, "message")
        topic, qos, retain, payload_hex, user_properties = line[len(MARK):].split("|", 4)
        return topic, int(qos), retain == "1", bytes.fromhex(payload_hex), user_properties

    def finished(self):
        try:
            return self.process.wait(10.0)
        except subprocess.TimeoutExpired:
            raise AssertionError("mosquitto_sub did not exit after -C messages") from None

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        try:
            os.close(self._master)
        except OSError:
            pass


def mosquitto_pub(t, topic, payload, qos, version, extra=()):
    argv = ["mosquitto_pub", "-h", t.host, "-p", str(t.port), "-i", t.client_id("mpub"), "-t", topic,
            "-q", str(qos)] + version_flag(version) + list(extra)
    argv += ["-n"] if payload is None else ["-m", payload]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=15)
    t.equal(result.returncode, 0, f"mosquitto_pub exit status (output: {(result.stdout + result.stderr).strip()})")


def pub_sub_roundtrip(t, qos, version):
    require_tools(t)
    subscriber = Subscriber(t, t.topic(), 2, version)
    subscriber.subscribed()
    mosquitto_pub(t, t.topic(), f"hello qos {qos}", qos, version)
    topic, delivered_qos, retain, payload, _ = subscriber.message()
    t.equal((topic, delivered_qos, retain, payload), (t.topic(), qos, False, f"hello qos {qos}".encode()),
            "(topic, QoS, RETAIN, payload) seen by mosquitto_sub")
    t.equal(subscriber.finished(), 0, "mosquitto_sub exit status")


def register_roundtrips():
    for qos in (0, 1, 2):
        for version, suffix in ((V311, "v311"), (V5, "v5")):
            def run(t, qos=qos, version=version):
                pub_sub_roundtrip(t, qos, version)

            name = f"mosquitto_pub_sub_qos{qos}_{suffix}"
            run.__doc__ = (f"Does mosquitto_pub -q {qos} reach mosquitto_sub -q 2 at QoS {qos} with "
                           f"-V {suffix[1:]}? [MQTT-3.8.4-6]")
            register(run, name, f"mosquitto_pub_sub_qos{qos}", version)


register_roundtrips()


@check(V311, V5)
def mosquitto_retained_set_and_cleared(t):
    """Is a message published with mosquitto_pub -r delivered to a later mosquitto_sub with RETAIN 1, and gone after -r -n? [MQTT-3.3.1-6] [MQTT-3.3.1-10]"""
    require_tools(t)
    t.clear_retained_on_cleanup(t.topic())
    mosquitto_pub(t, t.topic(), "kept", 1, t.version, extra=["-r"])
    subscriber = Subscriber(t, t.topic(), 1, t.version)
    topic, qos, retain, payload, _ = subscriber.message()
    t.equal((topic, qos, retain, payload), (t.topic(), 1, True, b"kept"), "(topic, QoS, RETAIN, payload)")
    t.equal(subscriber.finished(), 0, "mosquitto_sub exit status")
    mosquitto_pub(t, t.topic(), None, 1, t.version, extra=["-r"])
    checker = t.client("checker")
    checker.subscribe(t.topic(), 1)
    checker.expect_none(what="retained message after mosquitto_pub -r -n")


@check(V5)
def mosquitto_pub_user_properties_reach_paho(t):
    """Do user properties and content type set with mosquitto_pub -D reach a paho 5.0 subscriber unchanged? [MQTT-3.3.2-17] [MQTT-3.3.2-20]"""
    require_tools(t)
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic(), 1)
    mosquitto_pub(t, t.topic(), "with properties", 1, V5,
                  extra=["-D", "publish", "user-property", "origin", "mosquitto_pub",
                         "-D", "publish", "content-type", "text/plain"])
    message = subscriber.expect(what="the message from mosquitto_pub")
    t.equal(message.payload, b"with properties", "payload")
    t.equal(message.prop("UserProperty"), [("origin", "mosquitto_pub")], "User Properties")
    t.equal(message.prop("ContentType"), "text/plain", "Content Type")


@check(V5)
def paho_user_properties_reach_mosquitto_sub(t):
    """Does mosquitto_sub -V 5 see the user property a paho 5.0 publisher attached? [MQTT-3.3.2-17]"""
    require_tools(t)
    subscriber = Subscriber(t, t.topic(), 1, V5)
    subscriber.subscribed()
    publisher = t.client("pub")
    publisher.publish(t.topic(), b"from paho", qos=1,
                      properties=props(PacketTypes.PUBLISH, UserProperty=[("origin", "paho")]))
    topic, qos, retain, payload, user_properties = subscriber.message()
    t.equal((topic, qos, payload), (t.topic(), 1, b"from paho"), "(topic, QoS, payload)")
    t.equal(user_properties, "origin:paho", "user properties printed by mosquitto_sub")
