"""Retained messages: store, replace, clear, the RETAIN flag on delivery,
5.0 Retain Handling and Retain As Published."""

from clients import V5, V311
from harness import check


def publish_retained(t, topic, payload, qos=1):
    publisher = t.client("pub-" + payload.decode(errors="replace")[:8] if payload else "pub-clear")
    publisher.publish(topic, payload, qos=qos, retain=True)
    publisher.disconnect()


@check(V311, V5)
def retained_delivered_on_subscribe(t):
    """Is a retained message sent to a new subscriber with RETAIN 1 and its QoS? [MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8] / 5.0 [MQTT-3.3.1-9]"""
    t.clear_retained_on_cleanup(t.topic())
    publish_retained(t, t.topic(), b"stored")
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic(), 1)
    message = subscriber.expect(what="the retained message")
    t.equal((message.payload, message.retain, message.qos), (b"stored", True, 1), "(payload, RETAIN, QoS)")
    subscriber.expect_none(what="second copy of the retained message")


@check(V311, V5)
def retained_replaced_by_newer(t):
    """Does a newer retained message replace the stored one? [MQTT-3.3.1-7] / 5.0 [MQTT-3.3.1-5]"""
    t.clear_retained_on_cleanup(t.topic())
    publish_retained(t, t.topic(), b"first")
    publish_retained(t, t.topic(), b"second")
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic(), 1)
    t.equal(subscriber.expect(what="the retained message").payload, b"second", "retained payload")
    subscriber.expect_none(what="the replaced retained message")


@check(V311, V5)
def retained_cleared_by_empty_payload(t):
    """Does an empty retained PUBLISH reach live subscribers as normal and leave nothing retained? [MQTT-3.3.1-10] [MQTT-3.3.1-11] / 5.0 [MQTT-3.3.1-6] [MQTT-3.3.1-7]"""
    t.clear_retained_on_cleanup(t.topic())
    publish_retained(t, t.topic(), b"doomed")
    live = t.client("live")
    live.subscribe(t.topic(), 1)
    t.equal(live.expect(what="the retained message").payload, b"doomed", "retained payload")
    publish_retained(t, t.topic(), b"")
    cleared = live.expect(what="the empty retained message on the live subscription")
    # "Processed as normal": existing subscribers get it with RETAIN 0 (3.1.1; 5.0 with Retain As Published 0).
    t.equal((cleared.payload, cleared.retain), (b"", False), "(payload, RETAIN) on the live subscription")
    newcomer = t.client("new")
    newcomer.subscribe(t.topic(), 1)
    newcomer.expect_none(what="retained message after clearing")


@check(V311, V5)
def non_retained_publish_keeps_retained(t):
    """Does a PUBLISH with RETAIN 0 leave the stored retained message untouched? [MQTT-3.3.1-12] / 5.0 [MQTT-3.3.1-8]"""
    t.clear_retained_on_cleanup(t.topic())
    publish_retained(t, t.topic(), b"kept")
    publisher = t.client("pub")
    publisher.publish(t.topic(), b"passing", qos=1, retain=False)
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic(), 1)
    t.equal(subscriber.expect(what="the retained message").payload, b"kept", "retained payload")
    subscriber.expect_none(what="a second retained message")


@check(V311)
def live_forward_clears_retain_flag(t):
    """Does a subscriber with an established subscription get a retained PUBLISH with RETAIN 0? [MQTT-3.3.1-9]"""
    t.clear_retained_on_cleanup(t.topic())
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic(), 1)
    publish_retained(t, t.topic(), b"live")
    message = subscriber.expect(what="the live message")
    t.equal((message.payload, message.retain), (b"live", False), "(payload, RETAIN)")


@check(V5)
def retain_as_published(t):
    """Does Retain As Published 1 keep RETAIN 1 on live delivery while 0 clears it? [MQTT-3.3.1-12] [MQTT-3.3.1-13]"""
    t.clear_retained_on_cleanup(t.topic())
    keeps = t.client("rap1")
    keeps.subscribe(t.topic(), 1, retain_as_published=True)
    clears = t.client("rap0")
    clears.subscribe(t.topic(), 1, retain_as_published=False)
    publish_retained(t, t.topic(), b"flagged")
    t.equal(keeps.expect(what="the message (RAP 1)").retain, True, "RETAIN with Retain As Published 1")
    t.equal(clears.expect(what="the message (RAP 0)").retain, False, "RETAIN with Retain As Published 0")
    publisher = t.client("plain")
    publisher.publish(t.topic(), b"plain", qos=1, retain=False)
    t.equal(keeps.expect(what="the non-retained message").retain, False, "RETAIN of a non-retained message, RAP 1")


def retain_handling_deliveries(t, handling):
    """Subscribe twice with the given Retain Handling; returns how many retained copies each SUBSCRIBE produced."""
    t.clear_retained_on_cleanup(t.topic())
    publish_retained(t, t.topic(), b"retained")
    subscriber = t.client("sub")
    counts = []
    for _ in range(2):
        subscriber.subscribe(t.topic(), 1, retain_handling=handling)
        counts.append(len([message for message in subscriber.drain() if message.payload == b"retained"]))
    return counts


@check(V5)
def retain_handling_0_sends_on_every_subscribe(t):
    """Does Retain Handling 0 send the retained message on every SUBSCRIBE, including a repeated one? [MQTT-3.3.1-9] [MQTT-3.8.4-4]"""
    t.equal(retain_handling_deliveries(t, 0), [1, 1], "retained copies after the first and second SUBSCRIBE")


@check(V5)
def retain_handling_1_sends_only_for_new_subscription(t):
    """Does Retain Handling 1 send the retained message only when the subscription did not exist? [MQTT-3.3.1-10]"""
    t.equal(retain_handling_deliveries(t, 1), [1, 0], "retained copies after the first and second SUBSCRIBE")


@check(V5)
def retain_handling_2_never_sends(t):
    """Does Retain Handling 2 never send retained messages at SUBSCRIBE time? [MQTT-3.3.1-11]"""
    t.equal(retain_handling_deliveries(t, 2), [0, 0], "retained copies after the first and second SUBSCRIBE")
