"""MQTT clients and admin API helpers for the session, will, drain and partition tests.

- `V5Client`: a paho-mqtt 5.0 client on its own network thread that records everything it receives, the
  CONNACK's Session Present flag and the server's DISCONNECT (reason code and Server Reference). It never
  reconnects by itself: a test decides where a client goes next.
- `RawClient`: MQTT 5.0 over a bare socket, for a client with a will whose connection is cut (no DISCONNECT).
- `admin`: the admin HTTP API as (status, JSON).
- `in_netns`: runs a function on a thread inside a network namespace, so sockets it opens (and threads it
  starts) live there; used to reach nodes of a host that is cut off from the others.
"""

import ctypes
import json
import os
import socket
import struct
import threading
import time
import urllib.error
import urllib.request

from interop import mqtt_port
from nodes import wait_until

CONNECT_DEADLINE = 5
ACK_DEADLINE = 30
CLONE_NEWNET = 0x40000000


def in_netns(namespace, function, *args):
    """`function(*args)` on a new thread that first joins `namespace` (None: this namespace)."""
    if namespace is None:
        return function(*args)
    outcome = {}

    def body():
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            handle = os.open(f"/var/run/netns/{namespace}", os.O_RDONLY)
            try:
                if libc.setns(handle, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns {namespace}")
            finally:
                os.close(handle)
            outcome["value"] = function(*args)
        except BaseException as error:  # handed back to the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def admin(node, path, method="GET", timeout=3):
    """(HTTP status, parsed JSON or None) from the node's admin API; (None, None) when it does not answer."""
    url = f"http://{node.host}:{node.ports['admin http']}{path}"

    def ask():
        request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read())
        except (urllib.error.URLError, OSError):
            return None, None

    return in_netns(getattr(node, "namespace", None), ask)


def admin_json(node, path):
    return admin(node, path)[1]


def _json(body):
    try:
        return json.loads(body)
    except ValueError:
        return None


def members(node):
    """{name: state}; {} when the node does not answer."""
    return {m["name"]: m["state"] for m in admin_json(node, "/api/v1/cluster/members") or []}


def linked_peers(node):
    return {link.get("peer") for link in (admin_json(node, "/api/v1/cluster/links") or {}).get("links", [])}


def formed(nodes):
    """Every node sees every other alive and has a peer link to it."""
    names = {n.name for n in nodes}

    def condition():
        for node in nodes:
            alive = {name for name, state in members(node).items() if state == "alive"}
            if not names <= alive or not names - {node.name} <= linked_peers(node):
                return False
        return True

    return condition


def route_nodes(node, route_filter):
    for route in admin_json(node, "/api/v1/cluster/routes") or []:
        if route.get("filter") == route_filter:
            return set(route.get("nodes", []))
    return set()


def session_counters(node):
    return admin_json(node, "/api/v1/cluster/sessions") or {}


class V5Client:
    """A paho-mqtt 5.0 client; `received` is [(topic, payload bytes, qos, retain, dup)]."""

    def __init__(self, client_id, node, session_expiry=0, namespace=None, port=None, host=None):
        import paho.mqtt.client as mqtt
        self.mqtt = mqtt
        self.client_id = client_id
        self.session_expiry = session_expiry
        self.host = host or node.host
        self.port = port or mqtt_port(node)
        self.namespace = namespace if namespace is not None else getattr(node, "namespace", None)
        self.lock = threading.Lock()
        self.received = []
        self.connected = threading.Event()
        self.disconnected = threading.Event()
        self.connack = None  # (reason code, session present)
        self.disconnect_reason = None  # int, as the server sent it (or paho's code for a lost socket)
        self.disconnects = []  # (from the server, reason code, Server Reference, monotonic time), as paho saw them
        self.server_reference = None
        self.connect_ms = None
        self.connected_at = None
        self.suback = {}
        self.client = None

    # paho callbacks (the network thread)
    def _on_connect(self, _client, _userdata, flags, reason_code, _properties):
        self.connack = (int(reason_code.value), bool(flags.session_present))
        if not reason_code.is_failure:
            self.connected.set()

    def _on_disconnect(self, _client, _userdata, flags, reason_code, properties):
        reason = int(reason_code.value) if hasattr(reason_code, "value") else int(reason_code)
        reference = getattr(properties, "ServerReference", None) if properties else None
        from_server = bool(flags.is_disconnect_packet_from_server)
        self.disconnects.append((from_server, reason, reference, time.monotonic()))
        # The server's DISCONNECT is what counts; a lost socket reported after it does not replace it.
        if self.disconnect_reason is None or from_server and not self.disconnects[0][0]:
            self.disconnect_reason, self.server_reference = reason, reference
        self.disconnected.set()

    def _on_subscribe(self, _client, _userdata, mid, reason_codes, _properties):
        with self.lock:
            self.suback[mid] = [int(code.value) for code in reason_codes]

    def _on_message(self, _client, _userdata, message):
        with self.lock:
            self.received.append((message.topic, bytes(message.payload), message.qos, bool(message.retain),
                                  bool(message.dup)))

    def connect(self, clean_start=True, deadline=CONNECT_DEADLINE):
        """Connects (inside the namespace, if any); raises when no successful CONNACK comes in time."""
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties
        mqtt = self.mqtt
        self.connected.clear()
        self.disconnected.clear()
        self.disconnect_reason = self.server_reference = self.connack = None
        self.disconnects = []
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5,
                             reconnect_on_failure=False)
        client.max_inflight_messages_set(100)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        properties = None
        if self.session_expiry:
            properties = Properties(PacketTypes.CONNECT)
            properties.SessionExpiryInterval = self.session_expiry
        self.client = client
        started = time.monotonic()

        def open_socket():
            client.connect(self.host, self.port, keepalive=60, clean_start=clean_start, properties=properties)
            client.loop_start()

        in_netns(self.namespace, open_socket)
        if not self.connected.wait(deadline):
            raise RuntimeError(f"{self.client_id}: no successful CONNACK from {self.host}:{self.port} "
                               f"(got {self.connack})")
        self.connected_at = time.monotonic()
        self.connect_ms = (self.connected_at - started) * 1000
        return self

    @property
    def session_present(self):
        return self.connack[1] if self.connack else None

    def subscribe(self, topic_filter, qos):
        """Waits for the SUBACK; its reason codes, or None."""
        result, mid = self.client.subscribe(topic_filter, qos=qos)
        if result != self.mqtt.MQTT_ERR_SUCCESS:
            return None
        if wait_until(lambda: mid in self.suback, CONNECT_DEADLINE, poll=0.02) is None:
            return None
        return self.suback[mid]

    def publish(self, topic, payload, qos, retain=False):
        return self.client.publish(topic, payload, qos=qos, retain=retain)

    def publish_all(self, messages, deadline=ACK_DEADLINE):
        """[(topic, payload, qos)] → how many the broker acknowledged (QoS 0: were written) in time."""
        infos = [self.publish(topic, payload, qos) for topic, payload, qos in messages]
        wait_until(lambda: all(info.is_published() for info in infos), deadline, poll=0.05)
        return sum(1 for info in infos if info.is_published())

    def messages(self):
        with self.lock:
            return list(self.received)

    def payloads(self, topic=None):
        return [m[1] for m in self.messages() if topic is None or m[0] == topic]

    def disconnect(self):
        """A clean DISCONNECT (0x00), then the network thread stops."""
        if self.client is None:
            return
        try:
            if self.connected.is_set() and not self.disconnected.is_set():
                self.client.disconnect()
                wait_until(self.disconnected.is_set, 2, poll=0.02)
        finally:
            self.client.loop_stop()
            self.connected.clear()

    close = disconnect


def _varint(value):
    out = bytearray()
    while True:
        byte, value = value % 128, value // 128
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _string(text):
    data = text.encode()
    return struct.pack("!H", len(data)) + data


class RawClient:
    """MQTT 5.0 on a bare socket: CONNECT (clean start) with a will, CONNACK, and later a cut connection."""

    def __init__(self, node, client_id, will_topic, will_payload, will_qos=1, namespace=None):
        self.address = (node.host, mqtt_port(node))
        self.client_id = client_id
        self.will = (will_topic, will_payload, will_qos)
        self.namespace = namespace if namespace is not None else getattr(node, "namespace", None)
        self.sock = None

    def connect(self):
        """The CONNACK reason code."""
        topic, payload, qos = self.will
        flags = 0x02 | 0x04 | (qos << 3)
        variable = _string("MQTT") + bytes([5, flags]) + struct.pack("!H", 120) + _varint(0)
        body = variable + _string(self.client_id) + _varint(0) + _string(topic) + struct.pack("!H", len(payload)) \
            + payload
        self.sock = in_netns(self.namespace, socket.create_connection, self.address, CONNECT_DEADLINE)
        self.sock.settimeout(CONNECT_DEADLINE)
        self.sock.sendall(bytes([0x10]) + _varint(len(body)) + body)
        header = self._read(2)
        if header[0] != 0x20:
            raise RuntimeError(f"{self.client_id}: expected CONNACK, got packet type {header[0] >> 4}")
        length, shift, byte = header[1] & 0x7F, 7, header[1]
        while byte & 0x80:
            byte = self._read(1)[0]
            length |= (byte & 0x7F) << shift
            shift += 7
        connack = self._read(length)
        return connack[1]

    def _read(self, count):
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise RuntimeError(f"{self.client_id}: connection closed")
            data += chunk
        return data

    def cut(self):
        """Closes with a TCP reset: no DISCONNECT, as when the network or the client fails."""
        if self.sock is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.sock.close()
            self.sock = None

    close = cut
