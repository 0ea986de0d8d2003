"""Subscribing: SUBACK, wildcard matching, the $-topic rule, unsubscribing."""

from clients import V5, V311
from harness import check


@check(V311, V5)
def suback_grants_requested_qos(t):
    """Does SUBACK carry one reason code per filter granting the requested QoS 0, 1 and 2? [MQTT-3.8.4-1] / 5.0 [MQTT-3.8.4-6]"""
    client = t.client()
    for qos in (0, 1, 2):
        granted = client.subscribe(t.topic(f"q{qos}"), qos)
        # A server may grant less [MQTT-3.8.4-6]; Starling grants what is asked, so the check asks for that.
        t.equal(granted, qos, f"granted QoS for a QoS {qos} subscription")


@check(V311, V5)
def wildcards_match(t):
    """Do '+' and '#' match exactly the topics the specification says they match? [MQTT-4.7.1-1] [MQTT-4.7.1-2]"""
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic("+/x"), 1)
    subscriber.subscribe(t.topic("tree/#"), 1)
    publisher = t.client("pub")
    # '#' also matches its parent level ("tree/#" matches "tree"); '+' matches an empty level.
    matching = ["a/x", "/x", "tree", "tree/a", "tree/a/b/c"]
    for suffix in ["a/b/x", "a/y", "x", "treetop", "a/x/y"]:
        publisher.publish(t.topic(suffix), b"no:" + suffix.encode(), qos=1)
    for suffix in matching:
        publisher.publish(t.topic(suffix), b"yes:" + suffix.encode(), qos=1)
    received = subscriber.expect_n(len(matching), what="matching messages")
    received += subscriber.drain()
    payloads = sorted(message.payload for message in received)
    t.equal(payloads, sorted(b"yes:" + suffix.encode() for suffix in matching), "delivered payloads")


@check(V311, V5)
def dollar_topics_not_matched_by_leading_wildcards(t):
    """Are '$'-topics kept from '#' and '+/...' subscribers but delivered to a '$test/#' subscriber? [MQTT-4.7.2-1]"""
    everything = t.client("all")
    everything.subscribe("#", 0)
    plus = t.client("plus")
    plus.subscribe("+/" + t.topic(), 0)
    dollar = t.client("dollar")
    dollar_topic = "$test/" + t.topic()
    dollar.subscribe("$test/#", 1)
    publisher = t.client("pub")
    publisher.publish(dollar_topic, b"dollar", qos=1)
    publisher.publish(t.topic("marker"), b"marker", qos=1)
    arrived = dollar.expect(what="the $test message")
    t.equal((arrived.topic, arrived.payload), (dollar_topic, b"dollar"), "message on the $test/# subscription")
    # The '#' subscriber sees other checks' retained messages and this marker; no '$' topic may appear,
    # including the broker's own $SYS publications.
    seen = []
    while True:
        message = everything.expect(what="the marker message on '#'")
        seen.append(message.topic)
        if message.topic == t.topic("marker"):
            break
    seen += [message.topic for message in everything.drain()]
    dollar_seen = [topic for topic in seen if topic.startswith("$")]
    t.expect(not dollar_seen, f"'#' subscriber received $-topics: {dollar_seen[:5]}")
    plus.expect_none(what="$-topic message on '+/...'")


@check(V311, V5)
def unsubscribe_stops_delivery(t):
    """Does UNSUBSCRIBE stop delivery of new messages on that filter, leaving other subscriptions intact? [MQTT-3.10.4-2] / 5.0 [MQTT-3.10.4-1]"""
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic("gone"), 1)
    subscriber.subscribe(t.topic("kept"), 1)
    publisher = t.client("pub")
    publisher.publish(t.topic("gone"), b"before", qos=1)
    t.equal(subscriber.expect().payload, b"before", "payload before UNSUBSCRIBE")
    subscriber.unsubscribe(t.topic("gone"))
    publisher.publish(t.topic("gone"), b"after", qos=1)
    publisher.publish(t.topic("kept"), b"kept", qos=1)
    arrived = subscriber.expect(what="the message on the remaining subscription")
    t.equal(arrived.payload, b"kept", "first message after UNSUBSCRIBE")
    subscriber.expect_none(what="message on the unsubscribed filter")
