"""Shared subscriptions ($share/{group}/{filter}), MQTT 5.0 section 4.8.2."""

from collections import Counter

from paho.mqtt.subscribeoptions import SubscribeOptions

from clients import V5
from harness import check

MEMBERS = 3
MESSAGES = 60
# Each of 3 members should get about 20 of 60; 5 tolerates any fair strategy (random included:
# the chance of a member getting fewer than 5 is about 1e-4) while catching "one member gets all".
MINIMUM_SHARE = 5


def shared_group(t, group="g"):
    members = []
    for index in range(MEMBERS):
        member = t.client(f"m{index}")
        t.equal(member.subscribe(f"$share/{group}/{t.topic()}", 1), 1, "granted QoS of the shared subscription")
        members.append(member)
    return members


def collect(t, members, expected):
    """Drain every member until `expected` messages arrived in total; returns {member index: [payload ints]}."""
    received = {index: [] for index in range(len(members))}
    total = 0
    for _ in range(100):  # bounded: each pass waits at most 0.05 s per member
        for index, member in enumerate(members):
            for message in member.drain(0.05):
                received[index].append(int(message.payload))
                total += 1
        if total >= expected:
            break
    for index, member in enumerate(members):
        received[index] += [int(message.payload) for message in member.drain(0.2)]
    return received


@check(V5)
def shared_subscription_delivers_each_message_once(t):
    """Does a 3-member $share group receive each of 60 messages exactly once in total, spread over all members? [MQTT-4.8.2-1] [MQTT-4.8.2-3]"""
    members = shared_group(t)
    plain = t.client("plain")
    plain.subscribe(t.topic(), 1)
    publisher = t.client("pub")
    for index in range(MESSAGES):
        publisher.publish_nowait(t.topic(), str(index).encode(), qos=1)
    received = collect(t, members, MESSAGES)
    everything = Counter(value for values in received.values() for value in values)
    duplicates = sorted(value for value, count in everything.items() if count > 1)
    missing = sorted(set(range(MESSAGES)) - set(everything))
    t.expect(not duplicates and not missing, f"group delivery: duplicates {duplicates[:10]}, missing {missing[:10]}")
    shares = [len(received[index]) for index in range(MEMBERS)]
    t.expect(min(shares) >= MINIMUM_SHARE, f"unbalanced group delivery: {shares} of {MESSAGES}")
    # A non-shared subscription on the same filter is independent of the group: it gets everything.
    t.equal(len(plain.expect_n(MESSAGES, timeout=10.0)), MESSAGES, "messages on the non-shared subscription")


@check(V5)
def shared_subscription_remaining_members_take_over(t):
    """After one member unsubscribes, do the remaining members of the $share group receive every message? [MQTT-4.8.2-3]"""
    members = shared_group(t)
    members[0].unsubscribe(f"$share/g/{t.topic()}")
    publisher = t.client("pub")
    for index in range(12):
        publisher.publish(t.topic(), str(index).encode(), qos=1)
    received = collect(t, members, 12)
    t.equal(received[0], [], "messages to the member that left")
    t.equal(sorted(received[1] + received[2]), list(range(12)), "messages to the remaining members")


@check(V5)
def shared_subscription_groups_are_independent(t):
    """Do two $share groups on the same filter each receive every message once? [MQTT-4.8.2-1]"""
    group_a = [t.client("a0"), t.client("a1")]
    group_b = [t.client("b0"), t.client("b1")]
    for group, members in (("ga", group_a), ("gb", group_b)):
        for member in members:
            member.subscribe(f"$share/{group}/{t.topic()}", 1)
    publisher = t.client("pub")
    for index in range(10):
        publisher.publish(t.topic(), str(index).encode(), qos=1)
    for name, members in (("ga", group_a), ("gb", group_b)):
        received = collect(t, members, 10)
        t.equal(sorted(received[0] + received[1]), list(range(10)), f"messages to group {name}")


@check(V5)
def shared_subscription_no_local_is_protocol_error(t):
    """Is No Local on a shared subscription treated as a Protocol Error (DISCONNECT 0x82)? [MQTT-3.8.3-4]"""
    client = t.client()
    # Sent through paho directly: the wrapper would wait for a SUBACK that must not come.
    client.paho.subscribe(f"$share/g/{t.topic()}", options=SubscribeOptions(qos=1, noLocal=True))
    code = client.wait_disconnected(what="disconnect for No Local on a shared subscription")
    t.equal(code, 0x82, "DISCONNECT reason (None: closed without DISCONNECT)")
