"""Three hosts in network namespaces on one bridge (cluster/netns-hosts.sh); one is cut off (with
`tc netem loss 100%` where the kernel has netem, else by taking its link down) and then reconnected: the others must declare it dead, it must declare them dead, and after the cut heals the
three must merge into one membership with no operator action (seed and dead-member re-contact).

Then a partition with traffic (partition_with_traffic, below).

Needs root and iproute2; skipped with the reason printed otherwise. Everything it creates is named
`stl-*` and removed at the end."""

import json
import os
import subprocess
import threading
import time

from mqttclients import V5Client, formed, members, route_nodes
from nodes import Node, wait_until, workdir

SUBNET = "10.77.0"
HOSTS = [("stl-h1", "n1", 1), ("stl-h2", "n2", 2), ("stl-h3", "n3", 3)]
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "cluster", "netns-hosts.sh")
QUERY = ("import json, sys, urllib.request\n"
         "print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())")


def sh(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True)


def hosts(*argv, check=True):
    return sh("bash", SCRIPT, *argv, check=check)


def unavailable():
    """Why the test cannot run here, or None."""
    probe = hosts("check", check=False)
    if probe.returncode == 0:
        return None
    return probe.stdout.strip() or "cluster/netns-hosts.sh check failed"


class NamespacedNode(Node):
    def __init__(self, binary, namespace, name, index, work, seeds):
        super().__init__(binary, name, work, cluster_port=7946, seeds=seeds, host=f"{SUBNET}.{index}",
                         prefix=["ip", "netns", "exec", namespace],
                         extra=["--set", "cluster.discovery_interval=5s"])
        self.namespace = namespace

    def members(self):
        # Asked from inside the namespace, so the answer comes even while the host is cut off.
        url = f"http://{self.host}:{self.ports['admin http']}/api/v1/cluster/members"
        result = sh("ip", "netns", "exec", self.namespace, "python3", "-c", QUERY, url, check=False)
        if result.returncode != 0:
            return None
        return {m["name"]: (m["state"], m["bootId"]) for m in json.loads(result.stdout)}


def run(binary, check, skip):
    reason = unavailable()
    if reason:
        skip("network partition in namespaces: cut off, detected, merged", reason)
        skip("partition {n1} | {n2, n3} with traffic, retained messages and a persistent session", reason)
        return
    work = workdir()
    nodes = []
    try:
        method = hosts("up", str(len(HOSTS))).stdout.strip()
        print(f"      cutting with {'tc netem loss 100%' if method == 'netem' else 'link down (no netem here)'}",
              flush=True)
        seed = f"{SUBNET}.1:7946"
        nodes = [NamespacedNode(binary, namespace, name, index, work, [seed] if index != 1 else [f"{SUBNET}.2:7946"])
                 for namespace, name, index in HOSTS]
        for node in nodes:
            node.start()

        def view(node, name):
            return (node.members() or {}).get(name, ("",))[0]

        def everyone_alive():
            return all(view(viewer, other.name) == "alive" for viewer in nodes for other in nodes)

        took = wait_until(everyone_alive, 20, poll=0.2)
        check("three hosts in namespaces form one cluster", took is not None,
              f"in {took:.1f} s" if took else f"views: {[n.members() for n in nodes]}")

        hosts("cut", "3")
        took = wait_until(lambda: view(nodes[0], "n3") == "dead" and view(nodes[1], "n3") == "dead", 30, poll=0.2)
        check("the cut-off host is declared dead by the others", took is not None,
              f"after {took:.1f} s" if took else f"views: {[n.members() for n in nodes[:2]]}")
        took = wait_until(lambda: view(nodes[2], "n1") == "dead" and view(nodes[2], "n2") == "dead", 30, poll=0.2)
        check("the cut-off host declares the others dead", took is not None,
              f"after {took:.1f} s more" if took else f"view: {nodes[2].members()}")

        hosts("heal", "3")
        took = wait_until(everyone_alive, 40, poll=0.2)
        check("after the cut heals the two sides merge by themselves", took is not None,
              f"one membership again {took:.1f} s after reconnecting" if took else
              f"views: {[n.members() for n in nodes]}")
        if took is not None:
            partition_with_traffic(nodes, check, skip)
        else:
            skip("partition {n1} | {n2, n3} with traffic", "the three hosts did not merge after the first cut")
    finally:
        for node in nodes:
            node.terminate()
        hosts("down", check=False)


# A partition with traffic: {n1} | {n2, n3} for SPLIT_SECONDS while both sides publish (QoS 0 and 1) and set
# retained messages, then healed: membership, routes and retained messages must converge, and a persistent
# session made on n1 before the split must resume on n2 afterwards. What crossed the split is reported.

SPLIT_SECONDS = 20
SPLIT_RATE = 10  # messages per second per side during the split, QoS 0 and 1 alternating
EDGE_BATCH = 20  # per side and QoS, before the split and after healing
CONVERGE_DEADLINE = 40
DELIVERY_DEADLINE = 15
# (seconds after the cut, side, topic, payload): the later write of each topic must win everywhere.
RETAINED_WRITES = [(2, "a", "ret/x", "a:first"), (2, "a", "ret/a-only", "a:only"), (2, "c", "ret/c-only", "c:only"),
                   (4, "c", "ret/x", "c:later"), (6, "c", "ret/y", "c:first"), (8, "a", "ret/y", "a:later")]
RETAINED_EXPECTED = {"ret/x": "c:later", "ret/y": "a:later", "ret/a-only": "a:only", "ret/c-only": "c:only"}


def partition_with_traffic(nodes, check, skip):
    try:
        import paho.mqtt.client  # noqa: F401
    except ImportError:
        skip("partition with traffic", "paho-mqtt is not installed (pip install 'paho-mqtt>=2')")
        return
    a, b, c = nodes
    side_node = {"a": a, "c": c}
    clients = []

    def client(client_id, node, expiry=0):
        made = V5Client(client_id, node, session_expiry=expiry)
        clients.append(made)
        return made

    try:
        if wait_until(formed(nodes), 20) is None:
            check("partition: three hosts linked before the split", False, f"views {[members(n) for n in nodes]}")
            return
        live = {"a": client("split-live-a", a).connect(), "c": client("split-live-c", c).connect()}
        codes = [subscriber.subscribe("split/#", 1) for subscriber in live.values()]
        persistent = client("split-persist", a, 600).connect()
        codes.append(persistent.subscribe("split/+/q1", 1))
        persistent.disconnect()
        publishers = {side: client(f"split-pub-{side}", node).connect() for side, node in side_node.items()}

        def routes_both_ways():
            return (a.name in route_nodes(c, "split/#") and a.name in route_nodes(c, "split/+/q1")
                    and c.name in route_nodes(a, "split/#"))

        sent = {"a": [], "c": []}  # (phase, seq, qos, payload, info)

        def publish(side, phase, seq, qos):
            payload = f"{side}:{phase}:{seq}".encode()
            info = publishers[side].publish(f"split/{side}/q{qos}", payload, qos)
            sent[side].append((phase, seq, qos, payload, info))

        def edge_batch(phase):
            for side in sent:
                for seq in range(EDGE_BATCH):
                    for qos in (0, 1):
                        publish(side, phase, seq, qos)

        def payloads(side, phase, qos, acked_only=False):
            return {p for ph, _, q, p, info in sent[side]
                    if ph == phase and q == qos and (not acked_only or info.is_published())}

        def crossed(side, phase, qos, acked_only=False):
            """The subscriber on the other side against what `side` published: (received, published)."""
            want = payloads(side, phase, qos, acked_only)
            other = "c" if side == "a" else "a"
            return len(want & set(live[other].payloads())), len(want)

        wait_until(routes_both_ways, 10)
        edge_batch("pre")
        before = wait_until(lambda: all(crossed(s, "pre", 1)[0] == EDGE_BATCH for s in sent), DELIVERY_DEADLINE)

        hosts("cut", "1")
        cut_at = time.monotonic()
        stop = threading.Event()

        def split_load(side):
            seq = 0
            while not stop.is_set():
                publish(side, "split", seq, seq % 2)
                seq += 1
                stop.wait(1 / SPLIT_RATE)  # pacing the load

        loaders = [threading.Thread(target=split_load, args=(side,)) for side in sent]
        for loader in loaders:
            loader.start()
        try:
            dead_after = []

            def until(moment):
                """Paces the scenario to `moment`, noting meanwhile when both sides saw the other dead."""
                def reached():
                    if not dead_after and members(b).get(a.name) == "dead" and members(c).get(a.name) == "dead" \
                            and members(a).get(b.name) == "dead" and members(a).get(c.name) == "dead":
                        dead_after.append(time.monotonic() - cut_at)
                    return time.monotonic() >= moment
                wait_until(reached, max(0.0, moment - time.monotonic()) + 1, poll=0.2)

            for delay, side, topic, payload in RETAINED_WRITES:
                until(cut_at + delay)
                publishers[side].publish(topic, payload.encode(), 1, retain=True)
            until(cut_at + SPLIT_SECONDS)
            detected_after = dead_after[0] if dead_after else None
        finally:
            stop.set()
            for loader in loaders:
                loader.join()
        hosts("heal", "1")
        healed_at = time.monotonic()

        names = [n.name for n in nodes]
        merged = wait_until(lambda: all(all(members(v).get(n) == "alive" for n in names) for v in nodes),
                            CONVERGE_DEADLINE, poll=0.2)
        check("partition {n1} | {n2, n3} with traffic: membership converges after healing", merged is not None,
              (f"n1 seen dead both ways {detected_after:.1f} s into the split; " if detected_after else
               "n1 not seen dead both ways during the split; ")
              + (f"all alive on all nodes {merged:.1f} s after healing" if merged is not None else
                 f"views {[members(n) for n in nodes]}"))

        routed = wait_until(routes_both_ways, CONVERGE_DEADLINE, poll=0.2)
        routed_after = time.monotonic() - healed_at
        edge_batch("post")
        after = wait_until(lambda: all(crossed(s, "post", 1)[0] == EDGE_BATCH for s in sent), DELIVERY_DEADLINE)
        check("partition: routes converge: the subscriber on n1 gets n3's publishes and the one on n3 gets n1's",
              routed is not None and after is not None,
              (f"routes both ways by {routed_after:.1f} s after healing; "
               if routed is not None else "routes missing; ")
              + f"after healing n3→n1 QoS 1 {crossed('c', 'post', 1)[0]}/{EDGE_BATCH}, QoS 0 "
              f"{crossed('c', 'post', 0)[0]}/{EDGE_BATCH}; n1→n3 QoS 1 {crossed('a', 'post', 1)[0]}/{EDGE_BATCH}, "
              f"QoS 0 {crossed('a', 'post', 0)[0]}/{EDGE_BATCH}")

        views = {}
        readers = [0]

        def retained_on(node):
            readers[0] += 1
            reader = client(f"split-ret-{node.name}-{readers[0]}", node).connect()
            try:
                reader.subscribe("ret/#", 1)
                wait_until(lambda: len({m[0] for m in reader.messages()}) >= len(RETAINED_EXPECTED), 2, poll=0.05)
                return {m[0]: m[1].decode() for m in reader.messages() if m[3]}
            finally:
                reader.close()

        def retained_converged():
            views.update({node.name: retained_on(node) for node in nodes})
            return all(view == RETAINED_EXPECTED for view in views.values())

        converged = wait_until(retained_converged, CONVERGE_DEADLINE, poll=0.5)
        check("partition: retained messages converge, the later write of each topic wins on every node",
              converged is not None,
              f"{len(RETAINED_EXPECTED)} topics the same on all nodes {time.monotonic() - healed_at:.1f} s after "
              f"healing: {RETAINED_EXPECTED}" if converged is not None else f"views {views}")

        resumed = client("split-persist", b, 600).connect(clean_start=False)
        expected = (payloads("a", "pre", 1) | payloads("a", "split", 1, acked_only=True) | payloads("a", "post", 1)
                    | payloads("c", "pre", 1) | payloads("c", "post", 1))
        complete = wait_until(lambda: set(resumed.payloads()) >= expected, DELIVERY_DEADLINE, poll=0.1)
        got = set(resumed.payloads())

        def share(side, phase):
            want = payloads(side, phase, 1, acked_only=phase == "split")
            return f"{len(want & got)}/{len(want)}"

        check("partition: a persistent session made on n1 before the split resumes on n2 after healing",
              resumed.session_present is True and complete is not None,
              f"Session Present {resumed.session_present}; QoS 1 received: n1 before {share('a', 'pre')}, "
              f"during {share('a', 'split')}, after {share('a', 'post')}; n3 before {share('c', 'pre')}, "
              f"during {share('c', 'split')} (published on the other side of the split), after {share('c', 'post')}")

        lost = []
        for side, other in (("a", "c"), ("c", "a")):
            for qos in (0, 1):
                received, published = crossed(side, "split", qos, acked_only=qos == 1)
                lost.append(f"n{1 if side == 'a' else 3}→n{1 if other == 'a' else 3} QoS {qos}: "
                            f"{published - received}/{published} lost")
        own = {side: all(payloads(side, "split", qos) <= set(live[side].payloads()) for qos in (0, 1))
               for side in sent}
        check("partition: during the split each side delivers its own publishes (what crossed it is reported)",
              before is not None and all(own.values()) and codes == [[1], [1], [1]],
              f"own side complete {own}; across the split: {', '.join(lost)} (QoS 0 across a split is expected "
              "to be lost, QoS 1 once the other side is declared dead)")
    finally:
        for made in clients:
            try:
                made.close()
            except Exception:  # a client whose node is gone; the rest still close
                pass
