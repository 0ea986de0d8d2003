"""Cluster-wide sessions, wills and graceful drain with real `starling serve` processes on loopback and
paho-mqtt 5.0 clients:

- a persistent session made on one node, 1,000 QoS 1/2 messages queued for it from another, resumed on a
  third (Session Present, every message, QoS 2 exactly once), and `ctl client` / GET /api/v1/clients;
- takeover of a connected client from another node (DISCONNECT 0x8E) and the takeover time the node reports;
- wills: a connection cut without DISCONNECT, and a node killed with SIGKILL (its will's guardian publishes);
- drain under load with `starling ctl drain`, then SIGTERM after a restart: DISCONNECT 0x9C with a Server
  Reference, reconnect there, no acknowledged message lost, the process exits 0 and leaves the membership.

Each test starts its own three nodes and stops them (SIGKILL: teardown needs no drain) and every client.
"""

import signal
import subprocess
import threading
import time
import traceback

from mqttclients import V5Client, RawClient, admin, admin_json, formed, members, route_nodes, session_counters
from nodes import Node, free_port, wait_until, workdir

JOIN_DEADLINE = 15
ROUTE_DEADLINE = 5
DELIVERY_DEADLINE = 30
WILL_CUT_DEADLINE = 10
WILL_KILL_DEADLINE = 30  # failure detection (about 5 s with the defaults) and the guardian's publish
DRAIN_EXIT_DEADLINE = 30  # the drain waits at most 15 s for releases, then 2 s for messages in flight
QUIET = 1.0  # once everything arrived, how long to watch for late duplicates (observation, not sync)
SESSION_EXPIRY = 600


class Cluster:
    """Three nodes (a, b, c) joined through a, and the clients a test opens; all stopped on exit."""

    def __init__(self, binary, hosts=("127.0.0.1",) * 3, mqtt_port=0):
        self.work = workdir()
        self.nodes = []
        seed = None
        for name, host in zip("abc", hosts):
            node = Node(binary, name, self.work, seeds=[seed] if seed else [], host=host, mqtt_port=mqtt_port)
            seed = seed or node.cluster_address
            self.nodes.append(node)
        self.binary = binary
        self.clients = []

    def __enter__(self):
        try:
            for node in self.nodes:
                node.start()
            if wait_until(formed(self.nodes), JOIN_DEADLINE) is None:
                raise RuntimeError(f"three nodes did not form: {[members(n) for n in self.nodes]}")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *_):
        for client in self.clients:
            try:
                client.close()
            except Exception:  # a client whose node is gone; the rest still close
                pass
        for node in self.nodes:
            if node.process and node.process.poll() is None:
                node.process.kill()
                node.process.wait(timeout=10)

    def client(self, client_id, node, session_expiry=0, **options):
        client = V5Client(client_id, node, session_expiry=session_expiry, **options)
        self.clients.append(client)
        return client

    def raw(self, node, client_id, will_topic, will_payload):
        client = RawClient(node, client_id, will_topic, will_payload)
        self.clients.append(client)
        return client

    def ctl(self, *argv):
        return subprocess.run([self.binary, "ctl", *argv], capture_output=True, text=True, timeout=30)


def admin_address(node):
    return f"{node.host}:{node.ports['admin http']}"


def routed(owner, route_filter, viewers):
    return lambda: all(owner.name in route_nodes(v, route_filter) for v in viewers)


def settle(count):
    """Waits until `count()` has not changed for QUIET seconds (bounded), so late duplicates are counted."""
    last = {"value": None, "since": time.monotonic()}

    def still():
        value = count()
        if value != last["value"]:
            last.update(value=value, since=time.monotonic())
        return time.monotonic() - last["since"] >= QUIET

    wait_until(still, DELIVERY_DEADLINE, poll=0.05)


def run(binary, check, skip):
    try:
        import paho.mqtt.client  # noqa: F401
    except ImportError:
        skip("sessions", "paho-mqtt is not installed (pip install 'paho-mqtt>=2')")
        return
    for test in (persistent_session, takeover, wills, drain_under_load):
        try:
            test(binary, check)
        except Exception:  # a crashed test is a failed check, and the others still run
            check(f"sessions: {test.__name__} ran to the end", False,
                  traceback.format_exc().strip().splitlines()[-1])
            traceback.print_exc()


# 1. Persistent session across processes

PERSIST_MESSAGES = 1000


def persistent_session(binary, check):
    with Cluster(binary) as cluster:
        a, b, c = cluster.nodes
        subscriber = cluster.client("persist-sub", a, SESSION_EXPIRY).connect()
        codes = [subscriber.subscribe("persist/q1", 1), subscriber.subscribe("persist/q2", 2)]
        subscriber.disconnect()
        kept = wait_until(lambda: all(routed(a, f, [b, c])() for f in ("persist/q1", "persist/q2")), ROUTE_DEADLINE)

        # Even sequence numbers at QoS 2 to the QoS 2 subscription, odd ones at QoS 1 to the QoS 1 one.
        messages = [(f"persist/q{2 if seq % 2 == 0 else 1}", str(seq).encode(), 2 if seq % 2 == 0 else 1)
                    for seq in range(PERSIST_MESSAGES)]
        publisher = cluster.client("persist-pub", c).connect()
        acked = publisher.publish_all(messages)
        on_a = {}

        def all_queued():
            on_a.update(admin_json(a, "/api/v1/clients/persist-sub") or {})
            return on_a.get("queued", 0) + on_a.get("inflight", 0) >= PERSIST_MESSAGES

        wait_until(all_queued, DELIVERY_DEADLINE, poll=0.2)

        started = time.monotonic()
        resumed = cluster.client("persist-sub", b, SESSION_EXPIRY).connect(clean_start=False)
        expected = {str(seq).encode() for seq in range(PERSIST_MESSAGES)}
        done = wait_until(lambda: set(resumed.payloads()) >= expected, DELIVERY_DEADLINE, poll=0.05)
        elapsed = time.monotonic() - started
        settle(lambda: len(resumed.messages()))
        received = resumed.messages()
        got = {m[1] for m in received}
        lost = len(expected - got)
        by_qos = {1: [], 2: []}
        wrong_qos = 0
        for topic, payload, qos, _, _ in received:
            want = 2 if int(payload) % 2 == 0 else 1
            by_qos[want].append(payload)
            wrong_qos += qos != want or topic != f"persist/q{want}"
        duplicates = {qos: len(p) - len(set(p)) for qos, p in by_qos.items()}
        counters = session_counters(b)
        check(f"sessions: made on a, {PERSIST_MESSAGES} QoS 1/2 published on c while offline, resumed on b: "
              "Session Present and every message",
              codes == [[1], [2]] and kept is not None and acked == PERSIST_MESSAGES and resumed.session_present
              and lost == 0,
              f"SUBACK {codes}; acked {acked}; a held it offline with queued {on_a.get('queued')} inflight "
              f"{on_a.get('inflight')}; Session Present {resumed.session_present}; received {len(received)} "
              f"({len(got)} distinct) in {elapsed:.2f} s, lost {lost}"
              + ("" if done is not None else " (deadline passed)")
              + f"; CONNECT→CONNACK {resumed.connect_ms:.0f} ms, b takeoverMillisecondsLast "
                f"{counters.get('takeoverMillisecondsLast')}")
        check("sessions: the resumed session's QoS 2 messages arrive exactly once, at the granted QoS",
              done is not None and duplicates[2] == 0 and wrong_qos == 0 and len(by_qos[2]) == PERSIST_MESSAGES // 2,
              f"QoS 2: {len(by_qos[2])} received, {duplicates[2]} duplicates; QoS 1: {len(by_qos[1])} received, "
              f"{duplicates[1]} redelivered (at least once); {wrong_qos} on the wrong topic or QoS")

        shown = cluster.ctl("client", "persist-sub", "--admin", admin_address(a), "--json")
        table = cluster.ctl("client", "persist-sub", "--admin", admin_address(c))
        view = {}
        try:
            import json
            view = json.loads(shown.stdout)
        except ValueError:
            pass
        api = admin_json(c, "/api/v1/clients/persist-sub") or {}
        status, missing = admin(c, "/api/v1/clients/nobody-has-this-id")
        good = (shown.returncode == 0 and view.get("node") == "b" and view.get("connected") is True
                and sorted(view.get("subscriptions", [])) == ["persist/q1", "persist/q2"]
                and view.get("protocolVersion") is not None and view.get("sessionExpiryInterval") == SESSION_EXPIRY
                and api.get("node") == "b" and table.returncode == 0 and "b" in table.stdout.split()
                and status == 404 and isinstance(missing, dict))
        check("sessions: `ctl client` and GET /api/v1/clients/{id} (asked on a and c) show the session on b",
              good, f"ctl --json on a: {view or shown.stderr.strip()}; GET on c: node {api.get('node')}; "
              f"unknown id: {status} {missing}")
        resumed.disconnect()


# 2. Takeover while connected

def takeover(binary, check):
    with Cluster(binary) as cluster:
        a, b, c = cluster.nodes
        old = cluster.client("takeover-1", a, SESSION_EXPIRY).connect()
        codes = old.subscribe("takeover/t", 1)
        new = cluster.client("takeover-1", b, SESSION_EXPIRY).connect(clean_start=False)
        old.disconnected.wait(5)
        counters = session_counters(b)
        check("sessions: a client connected on a connects again on b: a's connection gets DISCONNECT 0x8E, "
              "b answers Session Present",
              codes == [1] and old.disconnect_reason == 0x8E and new.session_present is True,
              f"DISCONNECT reason on a {hex(old.disconnect_reason) if old.disconnect_reason is not None else None}, "
              f"Session Present {new.session_present}; takeoverMillisecondsMax on b "
              f"{counters.get('takeoverMillisecondsMax')} ms (CONNECT→CONNACK at the client {new.connect_ms:.0f} ms), "
              f"takeovers {counters.get('takeovers')}")

        publisher = cluster.client("takeover-pub", c).connect()
        payloads = [f"t{seq}".encode() for seq in range(50)]
        acked = publisher.publish_all([("takeover/t", p, 1) for p in payloads])
        done = wait_until(lambda: set(new.payloads()) >= set(payloads), DELIVERY_DEADLINE, poll=0.05)
        check("sessions: after the takeover the subscription follows the client to b",
              acked == len(payloads) and done is not None and not set(old.payloads()) & set(payloads),
              f"{len(set(new.payloads()) & set(payloads))}/{len(payloads)} from c reached the connection on b, "
              f"{len(set(old.payloads()) & set(payloads))} the old one on a")


# 3. Wills

def wills(binary, check):
    with Cluster(binary) as cluster:
        a, b, c = cluster.nodes
        watchers = {n.name: cluster.client(f"will-watch-{n.name}", n).connect() for n in (b, c)}
        codes = [w.subscribe("will/#", 1) for w in watchers.values()]
        wait_until(routed(b, "will/#", [a]), ROUTE_DEADLINE)
        wait_until(routed(c, "will/#", [a]), ROUTE_DEADLINE)

        def heard(topic):
            return lambda: all(topic in [m[0] for m in w.messages()] for w in watchers.values())

        cut = cluster.raw(a, "will-cut", "will/cut", b"cut off")
        connack = cut.connect()
        started = time.monotonic()
        cut.cut()
        took = wait_until(heard("will/cut"), WILL_CUT_DEADLINE, poll=0.02)
        check("wills: a connection on a cut without DISCONNECT: subscribers on b and c get its will",
              codes == [[1], [1]] and connack == 0 and took is not None,
              f"after {took * 1000:.0f} ms" if took is not None else
              f"CONNACK {connack}, SUBACK {codes}; got {[w.messages() for w in watchers.values()]}")

        killed = cluster.raw(a, "will-kill", "will/kill", b"node died")
        connack = killed.connect()
        deposited = wait_until(lambda: sum(session_counters(n).get("willsHeld", 0) for n in (b, c)) >= 1,
                               ROUTE_DEADLINE)
        guardian = [n.name for n in (b, c) if session_counters(n).get("willsHeld", 0) >= 1]
        started = time.monotonic()
        a.kill()
        took = wait_until(heard("will/kill"), WILL_KILL_DEADLINE, poll=0.05)
        dead_after = None
        if took is not None:
            dead = wait_until(lambda: all(members(n).get("a") == "dead" for n in (b, c)), 5)
            dead_after = time.monotonic() - started if dead is not None else None
        settle(lambda: sum(len(w.messages()) for w in watchers.values()))
        copies = {name: {t: [m[0] for m in w.messages()].count(t) for t in ("will/cut", "will/kill")}
                  for name, w in watchers.items()}
        published = {n.name: session_counters(n).get("willsPublished") for n in (b, c)}
        check("wills: kill -9 of a: its client's will (deposited with a guardian) reaches subscribers on b and c",
              connack == 0 and deposited is not None and took is not None,
              (f"will {took:.2f} s after kill -9 (a seen dead everywhere by {dead_after:.2f} s)"
               if took is not None and dead_after is not None else
               f"will after {took}; a dead by {dead_after}")
              + f"; guardian {guardian}; willsPublished {published}")
        check("wills: each will is delivered once to each subscriber",
              all(counts == {"will/cut": 1, "will/kill": 1} for counts in copies.values()), f"copies {copies}")


# 4. Drain under load

DRAIN_SUBSCRIBERS = 6
DRAIN_MESSAGES = 3000
DRAIN_RATE = 400  # messages per second from the publisher
SIGTERM_SUBSCRIBERS = 3
SIGTERM_MESSAGES = 1000


def drain_under_load(binary, check):
    # Each node on its own loopback address with one MQTT port for all, as in a deployment where every node
    # listens on the same port: a Server Reference is `host of the new holder:this node's MQTT port`.
    hosts = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
    with Cluster(binary, hosts=hosts, mqtt_port=shared_port(hosts)) as cluster:
        a = cluster.nodes[0]
        drain_round(cluster, check, "ctl drain", lambda: cluster.ctl("drain", "--admin", admin_address(a)),
                    DRAIN_SUBSCRIBERS, DRAIN_MESSAGES)

        a.seeds = [cluster.nodes[1].cluster_address]  # a was the seed; it joins back through b
        a.start()
        took = wait_until(formed(cluster.nodes), JOIN_DEADLINE)
        check("drain: a drained node started again rejoins the cluster", took is not None,
              f"alive and linked everywhere after {took:.2f} s" if took is not None else
              f"views {[members(n) for n in cluster.nodes]}")
        if took is None:
            return

        def sigterm():
            a.process.send_signal(signal.SIGTERM)
            return subprocess.CompletedProcess(["kill", "-TERM"], 0, "", "")

        drain_round(cluster, check, "SIGTERM", sigterm, SIGTERM_SUBSCRIBERS, SIGTERM_MESSAGES)


def shared_port(hosts):
    """A TCP port free on every one of `hosts`."""
    import socket
    for _ in range(50):
        port = free_port()
        try:
            for host in hosts:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                    probe.bind((host, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no port free on every loopback address")


class PacedPublisher:
    """Publishes `total` sequence-numbered QoS 1 messages at DRAIN_RATE on its own thread."""

    def __init__(self, client, topic, total):
        self.client, self.topic, self.total = client, topic, total
        self.infos = []
        self.published_at = []  # monotonic time of each publish, to place a loss in time
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        started = time.monotonic()
        for seq in range(self.total):
            self.infos.append(self.client.publish(self.topic, str(seq).encode(), 1))
            self.published_at.append(time.monotonic())
            ahead = started + (seq + 1) / DRAIN_RATE - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)  # pacing the load, not synchronisation

    def acked(self):
        """The payloads the broker acknowledged, once every PUBACK is in (or the deadline passed)."""
        self.thread.join(DELIVERY_DEADLINE)
        wait_until(lambda: all(info.is_published() for info in self.infos), DELIVERY_DEADLINE, poll=0.05)
        return {str(seq).encode() for seq, info in enumerate(self.infos) if info.is_published()}


def describe_disconnect(client, since):
    """How paho saw the end of the client's connection: DISCONNECT 0x.. or a lost socket, and when."""
    if not client.disconnects:
        return "still connected"
    from_server, reason, reference, at = client.disconnects[0]
    kind = f"DISCONNECT {hex(reason)} {reference}" if from_server else "socket lost (no DISCONNECT read)"
    return f"{kind} at {(at - since) * 1000:+.0f} ms"


def drain_round(cluster, check, label, trigger, subscriber_count, total):
    """Persistent subscribers on a, a publisher on c, `trigger` drains a while the publisher runs."""
    a, b, c = cluster.nodes
    tag = label.split()[0].lower()
    topic = f"drain/{tag}"
    subscribers = [cluster.client(f"drain-{tag}-{i}", a, SESSION_EXPIRY).connect() for i in range(subscriber_count)]
    codes = [s.subscribe(topic, 1) for s in subscribers]
    wait_until(routed(a, topic, [b, c]), ROUTE_DEADLINE)
    load = PacedPublisher(cluster.client(f"drain-{tag}-pub", c).connect(), topic, total)
    by_address = {f"{n.host}:{n.mqtt_port}": n for n in cluster.nodes}
    resumed = {}  # client id -> its new connection
    unusable = set()  # client ids whose Server Reference named no live node

    def reconnect_told():
        """Each subscriber told to go reconnects to its Server Reference (else, to its holder)."""
        for old in subscribers:
            if old.client_id in resumed or not old.disconnected.is_set():
                continue
            target = by_address.get(old.server_reference or "")
            if target is None or target is a:
                unusable.add(old.client_id)  # still reconnected, so loss is measured anyway
                holder = (admin_json(b, f"/api/v1/clients/{old.client_id}") or {}).get("node")
                target = next((n for n in (b, c) if n.name == holder), None)
                if target is None:
                    continue
            resumed[old.client_id] = cluster.client(old.client_id, target, SESSION_EXPIRY).connect(clean_start=False)
        return len(resumed) == len(subscribers)

    def union(old):
        new = resumed.get(old.client_id)
        return set(old.payloads(topic)) | (set(new.payloads(topic)) if new else set())

    load.thread.start()
    try:
        wait_until(lambda: len(load.infos) >= total // 3, DELIVERY_DEADLINE, poll=0.02)
        drained_at, drain_seq = time.monotonic(), len(load.infos)
        exited_at = []
        threading.Thread(target=lambda: (a.process.wait(), exited_at.append(time.monotonic())),
                         daemon=True).start()
        result = trigger()
        all_back = wait_until(reconnect_told, DRAIN_EXIT_DEADLINE, poll=0.05)
        acked = load.acked()
        delivered = wait_until(lambda: all(union(s) >= acked for s in subscribers), ROUTE_DEADLINE * 3, poll=0.1)
        settle(lambda: sum(len(r.messages()) for r in resumed.values()))
        exited = wait_until(lambda: bool(exited_at), DRAIN_EXIT_DEADLINE, poll=0.05)
        left = wait_until(lambda: all(members(n).get("a", "left") == "left" for n in (b, c)), 10)
    finally:
        load.thread.join(DELIVERY_DEADLINE)

    holders = {cid: (admin_json(b, f"/api/v1/clients/{cid}") or {}).get("node") for cid in resumed}
    told = {s.client_id: by_address.get(s.server_reference or "", a).name for s in subscribers}
    reasons = sorted({hex(s.disconnect_reason) if s.disconnect_reason is not None else "none" for s in subscribers})
    check(f"drain ({label}): every v5 subscriber on a gets DISCONNECT 0x9C with a Server Reference naming the "
          "node that now holds its session",
          result.returncode == 0 and codes == [[1]] * subscriber_count and reasons == ["0x9c"] and not unusable
          and all(holders.get(cid) == told[cid] for cid in told),
          f"reasons {reasons}; sessions went to {({n: list(holders.values()).count(n) for n in ('b', 'c')})}"
          + (f"; no usable Server Reference for {len(unusable)}: "
             + ", ".join(f"{s.client_id} {describe_disconnect(s, drained_at)}" for s in subscribers
                         if s.client_id in unusable) if unusable else "")
          + (f"; ctl: {result.stderr.strip()}" if result.returncode else ""))

    present = {cid: r.session_present for cid, r in resumed.items()}
    check(f"drain ({label}): reconnected there with clean start 0, every session is present",
          all_back is not None and all(present.values()) and len(present) == subscriber_count,
          f"Session Present {sorted(set(present.values()))} for {len(present)}/{subscriber_count}")

    lost = {s.client_id: sorted(int(p) for p in acked - union(s)) for s in subscribers}
    redelivered = sum(len(s.payloads(topic)) + (len(resumed[s.client_id].payloads(topic)) if s.client_id in resumed
                      else 0) - len(union(s)) for s in subscribers)
    evidence = ""
    if any(lost.values()):
        def at(moment):
            return f"{(moment - drained_at) * 1000:+.0f} ms"

        links = {n.name: {k: v for k, v in (admin_json(n, "/api/v1/cluster/links") or {}).items()
                          if k in ("dropped", "droppedNoLink", "duplicatesSkipped", "replayed")} for n in (b, c)}
        evidence = "; " + "; ".join(
            f"{cid} (now on {holders.get(cid)}) missing {[(seq, at(load.published_at[seq])) for seq in seqs[:10]]}"
            f" (seq, published), {describe_disconnect(next(s for s in subscribers if s.client_id == cid), drained_at)},"
            f" reconnected at {at(resumed[cid].connected_at) if cid in resumed else '-'}"
            for cid, seqs in lost.items() if seqs) + f"; drain began at seq {drain_seq}; link counters {links}"
    check(f"drain ({label}): no acknowledged QoS 1 message lost by any of {subscriber_count} subscribers",
          delivered is not None and len(acked) == total and not any(lost.values()),
          f"{len(acked)}/{total} acked; lost {sum(len(v) for v in lost.values())}; {redelivered} redelivered"
          + evidence)

    code = a.process.poll()
    check(f"drain ({label}): a exits with status 0 and b and c see it left",
          exited is not None and code == 0 and left is not None,
          (f"exit status {code} {exited_at[0] - drained_at:.1f} s after the drain began" if exited_at else
           "still running")
          + f"; a is {[members(n).get('a', 'absent') for n in (b, c)]} on b and c"
          + ("" if code == 0 else f"; a's log ends: {a.log().strip().splitlines()[-1][:300]}"))
    for client in subscribers + list(resumed.values()) + [load.client]:
        client.close()
