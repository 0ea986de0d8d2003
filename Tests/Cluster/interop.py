"""Three `starling serve` processes on loopback with paho-mqtt clients: a subscriber on n1 and publishers
on n2 and n3, over MQTT 3.1.1 and then 5.0 (every message exactly once, in order per publisher; in 5.0 a
user property and the content type survive the hop), then a shared subscription with a member on each
node, where each message published on n1 reaches exactly one member."""

import json
import threading
import time
import urllib.error
import urllib.request

from nodes import LISTENING, Node, wait_until, workdir

PER_PUBLISHER = 200
SHARED_MESSAGES = 300
JOIN_DEADLINE = 15
CONNECT_DEADLINE = 5
ROUTE_DEADLINE = 5
DELIVERY_DEADLINE = 10
# How long the shared group must stay quiet, once every message has arrived, for a late duplicate to
# have shown up. An observation window, not synchronisation: the messages are already counted.
SHARED_QUIET = 0.5
CONTENT_TYPE = "text/plain; charset=utf-8"


def admin(node, path):
    """GET on the node's admin API as JSON; None when it does not answer."""
    url = f"http://{node.host}:{node.ports['admin http']}{path}"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def linked_peers(node):
    links = admin(node, "/api/v1/cluster/links") or {}
    return {link.get("peer") for link in links.get("links", [])}


def route_nodes(node, route_filter):
    """The nodes `node` routes `route_filter` to."""
    for route in admin(node, "/api/v1/cluster/routes") or []:
        if route.get("filter") == route_filter:
            return set(route.get("nodes", []))
    return set()


def mqtt_port(node):
    """The port of the node's `listening mqtt tcp HOST:PORT` log line (nodes.Node reads it at start)."""
    def logged():
        for kind, _, port in LISTENING.findall(node.log()):
            node.ports[kind] = int(port)
        return "mqtt tcp" in node.ports

    if "mqtt tcp" not in node.ports and wait_until(logged, CONNECT_DEADLINE, poll=0.05) is None:
        raise RuntimeError(f"{node.name} logged no mqtt tcp listener")
    return node.ports["mqtt tcp"]


class Client:
    """A paho client on its own network thread, with what it received and what the broker acked."""

    def __init__(self, mqtt, client_id, node, protocol):
        self.mqtt = mqtt
        self.protocol = protocol
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol)
        self.client.max_inflight_messages_set(50)
        self.lock = threading.Lock()
        self.received = []  # (topic, payload bytes, qos, properties)
        self.connected = threading.Event()
        self.connect_code = None
        self.suback = {}  # mid -> reason codes
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.host, self.port = node.host, mqtt_port(node)

    def _on_connect(self, _client, _userdata, _flags, reason_code, _properties):
        self.connect_code = reason_code
        if not reason_code.is_failure:
            self.connected.set()

    def _on_subscribe(self, _client, _userdata, mid, reason_codes, _properties):
        with self.lock:
            self.suback[mid] = list(reason_codes)

    def _on_message(self, _client, _userdata, message):
        with self.lock:
            self.received.append((message.topic, bytes(message.payload), message.qos,
                                  getattr(message, "properties", None)))

    def start(self):
        if self.protocol == self.mqtt.MQTTv5:
            self.client.connect(self.host, self.port, keepalive=30, clean_start=True)
        else:
            self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()
        if not self.connected.wait(CONNECT_DEADLINE):
            raise RuntimeError(f"no successful CONNACK from {self.host}:{self.port} (reason {self.connect_code})")
        return self

    def subscribe(self, topic_filter):
        """Subscribes at QoS 1 and waits for the SUBACK; returns its reason codes, or None on timeout."""
        result, mid = self.client.subscribe(topic_filter, qos=1)
        if result != self.mqtt.MQTT_ERR_SUCCESS:
            return None
        took = wait_until(lambda: mid in self.suback, CONNECT_DEADLINE, poll=0.02)
        return None if took is None else [int(code.value) for code in self.suback[mid]]

    def publish_all(self, topic, payloads, properties=None):
        """Publishes at QoS 1; returns how many the broker acknowledged within the deadline."""
        infos = [self.client.publish(topic, payload, qos=1, retain=False, properties=properties)
                 for payload in payloads]
        wait_until(lambda: all(info.is_published() for info in infos), DELIVERY_DEADLINE, poll=0.02)
        return sum(1 for info in infos if info.is_published())

    def messages(self):
        with self.lock:
            return list(self.received)

    def stop(self):
        try:
            self.client.disconnect()
        finally:
            self.client.loop_stop()


def run(binary, check, skip):
    try:
        import paho.mqtt.client as mqtt
    except ImportError:
        skip("interop", "paho-mqtt is not installed (pip install 'paho-mqtt>=2')")
        return

    work = workdir()
    seed = Node(binary, "n1", work)
    nodes = [seed, Node(binary, "n2", work, seeds=[seed.cluster_address]),
             Node(binary, "n3", work, seeds=[seed.cluster_address])]
    clients = []
    try:
        for node in nodes:
            node.start()
        names = {n.name for n in nodes}

        def formed():
            for node in nodes:
                alive = {name for name, (state, _) in (node.members() or {}).items() if state == "alive"}
                if not names <= alive or not names - {node.name} <= linked_peers(node):
                    return False
            return True

        took = wait_until(formed, JOIN_DEADLINE)
        check("interop: three nodes alive and linked to each other", took is not None,
              f"after {took:.2f} s" if took is not None else
              f"members {[n.members() for n in nodes]}, links {[sorted(linked_peers(n)) for n in nodes]}")
        if took is None:
            return

        for label, protocol in (("MQTT 3.1.1", mqtt.MQTTv311), ("MQTT 5.0", mqtt.MQTTv5)):
            forwarding_round(mqtt, label, protocol, nodes, check, clients)
            while clients:
                clients.pop().stop()

        shared_round(mqtt, nodes, check, clients)
    finally:
        for client in clients:
            try:
                client.stop()
            except Exception:  # a client that never connected; the nodes still stop
                pass
        for node in nodes:
            node.terminate()


def connect(mqtt, client_id, node, protocol, clients):
    """A connected client, listed in `clients` (which the caller stops) as soon as it exists."""
    client = Client(mqtt, client_id, node, protocol)
    clients.append(client)
    return client.start()


def forwarding_round(mqtt, label, protocol, nodes, check, clients):
    """Subscriber on n1, publishers on n2 and n3: every message exactly once and in order."""
    v5 = protocol == mqtt.MQTTv5
    tag = "v5" if v5 else "v311"
    subscriber = connect(mqtt, f"interop-{tag}-sub", nodes[0], protocol, clients)
    publishers = {node.name: connect(mqtt, f"interop-{tag}-pub-{node.name}", node, protocol, clients)
                  for node in nodes[1:]}

    codes = subscriber.subscribe("interop/#")
    routed = wait_until(lambda: all(nodes[0].name in route_nodes(n, "interop/#") for n in nodes[1:]),
                        ROUTE_DEADLINE) if codes == [1] else None
    check(f"interop {label}: QoS 1 subscription on n1 is routed from n2 and n3", routed is not None,
          f"SUBACK {codes}, routes on n2 and n3 after {routed:.2f} s" if routed is not None else
          f"SUBACK {codes}, routes {[admin(n, '/api/v1/cluster/routes') for n in nodes[1:]]}")

    # Each publisher sends its 200 in order, then one end marker; the subscriber has everything a
    # publisher sent (and any redelivery of it) once that publisher's marker is in.
    topics = {name: f"interop/{tag}/{name}" for name in publishers}
    acked = {}
    threads = []
    for name, publisher in publishers.items():
        properties = None
        if v5:
            from paho.mqtt.packettypes import PacketTypes
            from paho.mqtt.properties import Properties
            properties = Properties(PacketTypes.PUBLISH)
            properties.UserProperty = [("origin", name)]
            properties.ContentType = CONTENT_TYPE
        payloads = [f"{name}:{seq}".encode() for seq in range(PER_PUBLISHER)] + [f"{name}:end".encode()]

        def send(name=name, publisher=publisher, payloads=payloads, properties=properties):
            acked[name] = publisher.publish_all(topics[name], payloads, properties)

        threads.append(threading.Thread(target=send))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DELIVERY_DEADLINE + 5)

    def markers_in():
        payloads = {m[1] for m in subscriber.messages()}
        return all(f"{name}:end".encode() in payloads for name in publishers)

    done = wait_until(markers_in, DELIVERY_DEADLINE, poll=0.05)
    elapsed = time.monotonic() - started
    received = subscriber.messages()

    lost, duplicated, out_of_order, wrong_qos, foreign = {}, {}, {}, 0, 0
    for name in publishers:
        seqs = []
        for topic, payload, qos, _ in received:
            text = payload.decode(errors="replace")
            if topic != topics[name] or not text.startswith(f"{name}:") or text.endswith(":end"):
                continue
            seqs.append(int(text.split(":", 1)[1]))
            wrong_qos += qos != 1
        lost[name] = len(set(range(PER_PUBLISHER)) - set(seqs))
        duplicated[name] = len(seqs) - len(set(seqs))
        out_of_order[name] = seqs != sorted(seqs)
    foreign = sum(1 for topic, *_ in received if topic not in topics.values())
    exact = done is not None and not any(lost.values()) and not any(duplicated.values()) and not foreign
    check(f"interop {label}: 2 × {PER_PUBLISHER} QoS 1 from n2 and n3 reach n1 exactly once",
          exact and all(a == PER_PUBLISHER + 1 for a in acked.values()),
          f"{len(received)} received in {elapsed:.2f} s; acked {acked}; lost {lost}; duplicated {duplicated}"
          + (f"; {foreign} on unexpected topics" if foreign else "")
          + ("" if done is not None else "; end markers missing after the deadline"))
    check(f"interop {label}: in order per publisher, delivered at QoS 1",
          done is not None and not any(out_of_order.values()) and not wrong_qos,
          f"out of order {out_of_order}, {wrong_qos} at another QoS")

    if v5:
        bad = []
        for topic, payload, _, properties in received:
            name = topic.rsplit("/", 1)[-1]
            user = list(getattr(properties, "UserProperty", []) or [])
            content_type = getattr(properties, "ContentType", None)
            if user != [("origin", name)] or content_type != CONTENT_TYPE:
                bad.append((payload.decode(errors="replace"), user, content_type))
        check(f"interop {label}: user property and content type survive the hop",
              bool(received) and not bad,
              f"all {len(received)} carry origin and {CONTENT_TYPE!r}" if not bad else
              f"{len(bad)} of {len(received)} differ, first {bad[0]}")


def shared_round(mqtt, nodes, check, clients):
    """`$share/g/interop/shared` members on n1, n2 and n3; 300 QoS 1 from n1, each received exactly once."""
    group_filter = "$share/g/interop/shared"
    members = {node.name: connect(mqtt, f"interop-shared-{node.name}", node, mqtt.MQTTv5, clients)
               for node in nodes}
    codes = {name: member.subscribe(group_filter) for name, member in members.items()}
    publisher = connect(mqtt, "interop-shared-pub", nodes[0], mqtt.MQTTv5, clients)
    check("interop shared: a member of $share/g/interop/shared on each node",
          all(c == [1] for c in codes.values()), f"SUBACK {codes}")

    started = time.monotonic()
    payloads = [f"shared:{seq}".encode() for seq in range(SHARED_MESSAGES)]
    acked = publisher.publish_all("interop/shared", payloads)

    def everything():
        return {m[1] for member in members.values() for m in member.messages()} >= set(payloads)

    done = wait_until(everything, DELIVERY_DEADLINE, poll=0.05)
    elapsed = time.monotonic() - started

    def total():
        return sum(len(member.messages()) for member in members.values())

    # Quiet: the total has not moved for SHARED_QUIET seconds (bounded), so a late duplicate is counted.
    last = {"total": -1, "since": time.monotonic()}

    def quiet():
        now_total = total()
        if now_total != last["total"]:
            last.update(total=now_total, since=time.monotonic())
        return time.monotonic() - last["since"] >= SHARED_QUIET

    wait_until(quiet, DELIVERY_DEADLINE, poll=0.05)
    counts = {}
    per_member = {}
    for name, member in members.items():
        got = [m[1] for m in member.messages() if m[0] == "interop/shared"]
        per_member[name] = len(got)
        for payload in got:
            counts[payload] = counts.get(payload, 0) + 1
    lost = sum(1 for p in payloads if p not in counts)
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    check(f"interop shared: {SHARED_MESSAGES} QoS 1 from n1, each received exactly once in total",
          done is not None and acked == SHARED_MESSAGES and lost == 0 and duplicated == 0,
          f"acked {acked}, received per member {per_member} in {elapsed:.2f} s, lost {lost}, "
          f"duplicated {duplicated}")
