"""Three `starling serve` processes on loopback, default timing: join through one seed, kill -9 detection,
restart with a new boot id, and a fourth node with the wrong secret that must never be admitted."""

from nodes import Node, wait_until, workdir


def run(binary, check):
    work = workdir()
    seed = Node(binary, "n1", work)
    nodes = [seed, Node(binary, "n2", work, seeds=[seed.cluster_address]),
             Node(binary, "n3", work, seeds=[seed.cluster_address])]
    intruder = None
    try:
        for node in nodes:
            node.start()

        def all_alive(viewers, names):
            def condition():
                for viewer in viewers:
                    seen = viewer.members() or {}
                    if any(seen.get(name, ("",))[0] != "alive" for name in names):
                        return False
                return True
            return condition

        names = [n.name for n in nodes]
        took = wait_until(all_alive(nodes, names), 15)
        check("three processes join through one seed", took is not None, f"converged in {took:.2f} s" if took else
              f"views: {[n.members() for n in nodes]}")

        victim = nodes[2]
        old_boot = victim.boot_id()
        victim.kill()
        took = wait_until(lambda: all((n.members() or {}).get("n3", ("",))[0] == "dead" for n in nodes[:2]), 30)
        check("kill -9 is detected as dead by every other node", took is not None,
              f"detection time {took:.2f} s (default settings)" if took else f"views: {[n.members() for n in nodes[:2]]}")

        victim.start()
        new_boot = victim.boot_id()
        took = wait_until(lambda: all((n.members() or {}).get("n3") == ("alive", new_boot) for n in nodes), 15)
        check("the restarted node is alive again under a new boot id", took is not None and new_boot != old_boot,
              f"boot {old_boot} -> {new_boot}, alive everywhere after {took:.2f} s" if took else
              f"views: {[n.members() for n in nodes]}")

        intruder = Node(binary, "intruder", work, seeds=[seed.cluster_address], secret="not-the-secret")
        intruder.start()
        admitted = wait_until(lambda: any("intruder" in (n.members() or {}) for n in nodes), 6)
        intruder_view = intruder.members() or {}
        check("a node with the wrong secret is never admitted", admitted is None and set(intruder_view) == {"intruder"},
              "not admitted within 6 s, and it sees no one" if admitted is None else "admitted")
        rejected = "failed authentication" in seed.log()
        check("the rejection is logged", rejected, "seed logged the failed authentication")
    finally:
        for node in nodes + ([intruder] if intruder else []):
            node.terminate()
