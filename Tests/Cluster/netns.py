"""Three hosts in network namespaces on one bridge (cluster/netns-hosts.sh); one is cut off (with
`tc netem loss 100%` where the kernel has netem, else by taking its link down) and then reconnected: the others must declare it dead, it must declare them dead, and after the cut heals the
three must merge into one membership with no operator action (seed and dead-member re-contact).

Needs root and iproute2; skipped with the reason printed otherwise. Everything it creates is named
`stl-*` and removed at the end."""

import json
import os
import subprocess

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
    finally:
        for node in nodes:
            node.terminate()
        hosts("down", check=False)
