#!/usr/bin/env bash
# Test hosts in network namespaces on one machine, for cluster tests that need a real network between nodes.
#
#   cluster/netns-hosts.sh up [N]        N hosts (default 3): namespaces stl-h1..N with eth0 = 10.77.0.i/24,
#                                         joined by the bridge stl-br0 (10.77.0.254), 2 ms netem delay if available
#   cluster/netns-hosts.sh cut I         host I loses all traffic both ways (netem loss 100%, or link down)
#   cluster/netns-hosts.sh heal I        host I is reachable again
#   cluster/netns-hosts.sh down          remove everything named stl-*
#   cluster/netns-hosts.sh exec I CMD..  run CMD inside host I
#   cluster/netns-hosts.sh check         exit 0 when this machine can do it, else print why and exit 1
#
# Needs root and iproute2 (ip, tc). Prints the cut method on `up`: "netem" or "link".
set -euo pipefail

subnet=10.77.0
bridge=stl-br0

has_netem() { [[ -f /tmp/stl-netem ]]; }

case "${1:-}" in
    check)
        [[ "$(id -u)" -eq 0 ]] || { echo "needs root for ip netns"; exit 1; }
        command -v ip > /dev/null || { echo "ip (iproute2) is not installed"; exit 1; }
        command -v tc > /dev/null || { echo "tc (iproute2) is not installed"; exit 1; }
        if ! out="$(ip netns add stl-probe 2>&1)"; then echo "ip netns add failed: $out"; exit 1; fi
        ip netns del stl-probe
        ;;
    up)
        "$0" down
        count="${2:-3}"
        ip link add "$bridge" type bridge
        ip addr add "$subnet.254/24" dev "$bridge"
        ip link set "$bridge" up
        rm -f /tmp/stl-netem
        for i in $(seq 1 "$count"); do
            ns="stl-h$i"
            ip netns add "$ns"
            ip link add "stl-v$i" type veth peer name eth0 netns "$ns"
            ip link set "stl-v$i" master "$bridge"
            ip link set "stl-v$i" up
            ip netns exec "$ns" ip addr add "$subnet.$i/24" dev eth0
            ip netns exec "$ns" ip link set eth0 up
            ip netns exec "$ns" ip link set lo up
            if ip netns exec "$ns" tc qdisc add dev eth0 root netem delay 2ms 2> /dev/null; then
                touch /tmp/stl-netem
            fi
        done
        if has_netem; then echo netem; else echo link; fi
        ;;
    cut | heal)
        i="$2"
        if has_netem; then
            loss=$([[ "$1" == cut ]] && echo 100% || echo 0%)
            ip netns exec "stl-h$i" tc qdisc change dev eth0 root netem delay 2ms loss "$loss"
            tc qdisc replace dev "stl-v$i" root netem loss "$loss"
        else
            ip link set "stl-v$i" "$([[ "$1" == cut ]] && echo down || echo up)"
        fi
        ;;
    exec)
        i="$2"
        shift 2
        exec ip netns exec "stl-h$i" "$@"
        ;;
    down)
        for ns in $(ip netns list 2> /dev/null | awk '/^stl-h[0-9]+/ {print $1}'); do ip netns del "$ns"; done
        for link in $(ip -o link show 2> /dev/null | awk -F': ' '/ stl-v[0-9]+@/ {split($2, a, "@"); print a[1]}'); do
            ip link del "$link" 2> /dev/null || true
        done
        ip link del "$bridge" 2> /dev/null || true
        rm -f /tmp/stl-netem
        ;;
    *)
        sed -n '2,13p' "$0"
        exit 2
        ;;
esac
