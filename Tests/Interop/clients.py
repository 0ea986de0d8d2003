"""A thin, deadline-driven wrapper around paho-mqtt (2.x callback API) for the checks.

Every wait in here is on an Event, Condition or Queue with a timeout, so a broker that never answers
makes a check fail with a reason instead of hanging the suite.
"""

import queue
import socket
import threading
import time
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

V311 = 311
V5 = 5
DEFAULT_TIMEOUT = 5.0
# How long a check waits to conclude that something does NOT arrive.
NEGATIVE_WAIT = 0.5


class CheckFailed(AssertionError):
    """A check's expectation did not hold; the message is the reason printed in the report."""


@dataclass
class Received:
    """One delivered application message, copied out of paho's callback."""

    topic: str
    payload: bytes
    qos: int
    retain: bool
    properties: object = None
    arrived: float = field(default_factory=time.monotonic)

    def prop(self, name, default=None):
        """A 5.0 property of the message, or default when absent (always default for 3.1.1)."""
        return getattr(self.properties, name, default) if self.properties is not None else default


@dataclass
class Connack:
    reason_code: int
    session_present: bool
    properties: object


def props(packet_type, **values):
    """A paho Properties object, e.g. props(PacketTypes.PUBLISH, UserProperty=[("a", "b")])."""
    result = Properties(packet_type)
    for name, value in values.items():
        setattr(result, name, value)
    return result


def reason(packet_type, code):
    return ReasonCode(packet_type, identifier=code)


class Client:
    """One paho client, connected on construction by Context.client(), with queues for what it receives."""

    def __init__(self, host, port, client_id, version=V5, clean=True, keepalive=30, session_expiry=None,
                 will=None, connect_properties=None):
        self.host, self.port, self.client_id, self.version = host, port, client_id, version
        self.label = client_id or "(empty client id)"  # names the client in failure messages
        self.clean, self.keepalive = clean, keepalive
        self.session_expiry, self.connect_properties = session_expiry, connect_properties
        protocol = mqtt.MQTTv5 if version == V5 else mqtt.MQTTv311
        # reconnect_on_failure=False: a client that was disconnected (takeover, will checks) must stay down.
        self.paho = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=None if version == V5 else clean,
            protocol=protocol,
            reconnect_on_failure=False,
        )
        if will is not None:
            self.paho.will_set(**will)
        self.messages = queue.Queue()
        self.connack = None
        self._connected = threading.Event()
        self.disconnected = threading.Event()
        self.disconnect_reason = None
        self.disconnect_from_server = False
        self._lock = threading.Condition()
        self._acks = {}  # mid -> reason code of PUBACK/PUBCOMP (or 0 when a QoS 0 publish was written)
        self._subacks = {}  # mid -> list of reason codes
        self._unsubacks = set()
        self.paho.on_connect = self._on_connect
        self.paho.on_disconnect = self._on_disconnect
        self.paho.on_message = self._on_message
        self.paho.on_publish = self._on_publish
        self.paho.on_subscribe = self._on_subscribe
        self.paho.on_unsubscribe = self._on_unsubscribe

    # paho callbacks (network thread) ------------------------------------------------------------

    def _on_connect(self, _client, _userdata, flags, reason_code, properties):
        self.connack = Connack(reason_code.value, bool(flags.session_present), properties)
        self._connected.set()

    def _on_disconnect(self, _client, _userdata, flags, reason_code, _properties):
        self.disconnect_reason = reason_code.value if reason_code is not None else None
        self.disconnect_from_server = flags.is_disconnect_packet_from_server
        self.disconnected.set()
        with self._lock:
            self._lock.notify_all()

    def _on_message(self, _client, _userdata, message):
        self.messages.put(Received(message.topic, bytes(message.payload), message.qos, bool(message.retain),
                                   getattr(message, "properties", None)))

    def _on_publish(self, _client, _userdata, mid, reason_code, _properties):
        with self._lock:
            self._acks[mid] = reason_code.value if reason_code is not None else 0
            self._lock.notify_all()

    def _on_subscribe(self, _client, _userdata, mid, reason_codes, _properties):
        with self._lock:
            self._subacks[mid] = [code.value for code in reason_codes]
            self._lock.notify_all()

    def _on_unsubscribe(self, _client, _userdata, mid, _reason_codes, _properties):
        with self._lock:
            self._unsubacks.add(mid)
            self._lock.notify_all()

    # operations ----------------------------------------------------------------------------------

    def connect(self, timeout=DEFAULT_TIMEOUT, expect_success=True):
        """Open the connection and wait for CONNACK; returns it."""
        kwargs = {}
        if self.version == V5:
            connect_properties = self.connect_properties or Properties(PacketTypes.CONNECT)
            if self.session_expiry is not None:
                connect_properties.SessionExpiryInterval = self.session_expiry
            kwargs = {"clean_start": self.clean, "properties": connect_properties}
        self.paho.connect(self.host, self.port, keepalive=self.keepalive, **kwargs)
        self.paho.loop_start()
        if not self._connected.wait(timeout):
            raise CheckFailed(f"{self.label}: no CONNACK within {timeout} s")
        if expect_success and self.connack.reason_code != 0:
            raise CheckFailed(f"{self.label}: CONNACK refused with 0x{self.connack.reason_code:02x}")
        return self.connack

    def _wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate():
                if self.disconnected.is_set():
                    raise CheckFailed(f"{self.label}: disconnected (reason {self.disconnect_reason}) "
                                      f"while waiting for {what}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise CheckFailed(f"{self.label}: no {what} within {timeout} s")
                self._lock.wait(remaining)

    def subscribe(self, topic_filter, qos=0, no_local=False, retain_as_published=False, retain_handling=0,
                  subscription_id=None, timeout=DEFAULT_TIMEOUT):
        """Subscribe to one filter and wait for SUBACK; returns its reason code (the granted QoS)."""
        if self.version == V5:
            options = SubscribeOptions(qos=qos, noLocal=no_local, retainAsPublished=retain_as_published,
                                       retainHandling=retain_handling)
            properties = None
            if subscription_id is not None:
                properties = props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=subscription_id)
            result, mid = self.paho.subscribe(topic_filter, options=options, properties=properties)
        else:
            result, mid = self.paho.subscribe(topic_filter, qos)
        if result != mqtt.MQTT_ERR_SUCCESS:
            raise CheckFailed(f"{self.label}: SUBSCRIBE to {topic_filter} not sent ({result})")
        self._wait_for(lambda: mid in self._subacks, timeout, f"SUBACK for {topic_filter}")
        return self._subacks[mid][0]

    def unsubscribe(self, topic_filter, timeout=DEFAULT_TIMEOUT):
        result, mid = self.paho.unsubscribe(topic_filter)
        if result != mqtt.MQTT_ERR_SUCCESS:
            raise CheckFailed(f"{self.label}: UNSUBSCRIBE from {topic_filter} not sent ({result})")
        self._wait_for(lambda: mid in self._unsubacks, timeout, f"UNSUBACK for {topic_filter}")

    def publish(self, topic, payload=b"", qos=0, retain=False, properties=None, timeout=DEFAULT_TIMEOUT):
        """Publish and wait until the QoS flow completes; returns the PUBACK/PUBCOMP reason code (0 for QoS 0)."""
        info = self.paho.publish(topic, payload, qos=qos, retain=retain, properties=properties)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise CheckFailed(f"{self.label}: PUBLISH to {topic!r} not sent ({info.rc})")
        self._wait_for(lambda: info.mid in self._acks, timeout, f"completion of QoS {qos} PUBLISH to {topic!r}")
        return self._acks[info.mid]

    def publish_nowait(self, topic, payload=b"", qos=0, retain=False, properties=None):
        """Queue a publish and return its message id without waiting (for packets the server may reject)."""
        return self.paho.publish(topic, payload, qos=qos, retain=retain, properties=properties).mid

    def ack_reason(self, mid):
        """The reason code of a completed publish, or None if it has not completed."""
        with self._lock:
            return self._acks.get(mid)

    def expect(self, timeout=DEFAULT_TIMEOUT, what="a message"):
        """The next delivered message; fails after the deadline."""
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            raise CheckFailed(f"{self.label}: {what} did not arrive within {timeout} s") from None

    def expect_n(self, count, timeout=DEFAULT_TIMEOUT, what="messages"):
        """Exactly the next `count` messages, all within one deadline."""
        deadline = time.monotonic() + timeout
        received = []
        while len(received) < count:
            try:
                received.append(self.messages.get(timeout=max(deadline - time.monotonic(), 0.001)))
            except queue.Empty:
                raise CheckFailed(f"{self.label}: only {len(received)} of {count} {what} arrived "
                                  f"within {timeout} s") from None
        return received

    def expect_none(self, window=NEGATIVE_WAIT, what="message"):
        """Fail if any message arrives within the (bounded) window."""
        try:
            unexpected = self.messages.get(timeout=window)
        except queue.Empty:
            return
        raise CheckFailed(f"{self.label}: unexpected {what} on {unexpected.topic!r}: {unexpected.payload[:60]!r}")

    def drain(self, window=NEGATIVE_WAIT):
        """Everything that arrives within the window."""
        received = []
        deadline = time.monotonic() + window
        while True:
            try:
                received.append(self.messages.get(timeout=max(deadline - time.monotonic(), 0)))
            except queue.Empty:
                return received

    def disconnect(self, reason_code=None, properties=None, timeout=DEFAULT_TIMEOUT):
        """Send DISCONNECT (5.0: with the given reason) and wait for the connection to end."""
        code = reason(PacketTypes.DISCONNECT, reason_code) if reason_code is not None else None
        self.paho.disconnect(reasoncode=code, properties=properties)
        if not self.disconnected.wait(timeout):
            raise CheckFailed(f"{self.label}: connection still open {timeout} s after DISCONNECT")
        self.paho.loop_stop()

    def drop(self):
        """End the TCP connection without DISCONNECT, as a crashed client or a broken network would."""
        sock = self.paho.socket()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if not self.disconnected.wait(DEFAULT_TIMEOUT):
            raise CheckFailed(f"{self.label}: paho did not notice the dropped socket")
        self.paho.loop_stop()

    def wait_disconnected(self, timeout=DEFAULT_TIMEOUT, what="disconnect by the server"):
        """Wait until the server ends the connection; returns the DISCONNECT reason code (None if none)."""
        if not self.disconnected.wait(timeout):
            raise CheckFailed(f"{self.label}: no {what} within {timeout} s")
        return self.disconnect_reason if self.disconnect_from_server else None

    def close(self):
        """Cleanup after a check: disconnect if still connected, stop the network thread."""
        try:
            if not self.disconnected.is_set() and self._connected.is_set():
                self.paho.disconnect()
                self.disconnected.wait(2.0)
        except Exception:  # cleanup must not mask the check's own result
            pass
        self.paho.loop_stop()
