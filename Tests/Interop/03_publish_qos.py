"""Publishing at QoS 0, 1 and 2 between 3.1.1 and 5.0 clients in every direction."""

from clients import V5, V311
from harness import check, register

BINARY_PAYLOAD = bytes(range(256))  # every byte value, so nothing may be treated as text


def roundtrip(t, qos, publisher_version, subscriber_version):
    subscriber = t.client("sub", version=subscriber_version)
    t.equal(subscriber.subscribe(t.topic(), 2), 2, "granted QoS")
    publisher = t.client("pub", version=publisher_version)
    payload = t.name.encode() + BINARY_PAYLOAD
    code = publisher.publish(t.topic(), payload, qos=qos)
    t.expect(code < 0x80, f"publish completed with failure reason 0x{code:02x}")
    message = subscriber.expect(what=f"the QoS {qos} message")
    t.equal(message.topic, t.topic(), "topic")
    t.equal(message.payload, payload, "payload")
    # Delivered at min(published QoS, granted QoS) = the published QoS here.
    t.equal(message.qos, qos, "delivered QoS")
    t.equal(message.retain, False, "RETAIN flag of a live message")
    subscriber.expect_none(what="duplicate delivery")


def register_roundtrips():
    """qos{0,1,2}_{v311,v5}_to_{v311,v5}: twelve small checks, one per QoS and direction."""
    names = {V311: "v311", V5: "v5"}
    for qos in (0, 1, 2):
        for publisher_version in (V311, V5):
            for subscriber_version in (V311, V5):
                def run(t, qos=qos, publisher_version=publisher_version, subscriber_version=subscriber_version):
                    roundtrip(t, qos, publisher_version, subscriber_version)

                name = f"qos{qos}_{names[publisher_version]}_to_{names[subscriber_version]}"
                tag = "[MQTT-4.3.1-1]" if qos == 0 else ("[MQTT-4.3.2-4]" if qos == 1 else "[MQTT-4.3.3-8]")
                run.__doc__ = (f"Does a QoS {qos} message from a {names[publisher_version]} publisher reach a "
                               f"{names[subscriber_version]} QoS 2 subscriber once, intact, at QoS {qos}? {tag}")
                run.__name__ = name
                register(run, name, f"qos{qos}_roundtrip")


register_roundtrips()


@check(V311, V5)
def qos_downgraded_to_subscription(t):
    """Is a QoS 2 message delivered at the subscription's lower QoS (0 and 1)? [MQTT-3.8.4-6] / 5.0 [MQTT-3.8.4-8]"""
    subscribers = {}
    for qos in (0, 1):
        subscribers[qos] = t.client(f"sub{qos}")
        subscribers[qos].subscribe(t.topic(), qos)
    publisher = t.client("pub")
    publisher.publish(t.topic(), b"downgrade", qos=2)
    for qos, subscriber in subscribers.items():
        message = subscriber.expect(what=f"the message on the QoS {qos} subscription")
        t.equal(message.qos, qos, f"QoS delivered to the QoS {qos} subscription")
        t.equal(message.payload, b"downgrade", "payload")


@check(V311, V5)
def qos1_order_preserved(t):
    """Are 50 QoS 1 messages from one publisher delivered in the order they were published? [MQTT-4.6.0-6]"""
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic(), 1)
    publisher = t.client("pub")
    for index in range(50):
        publisher.publish_nowait(t.topic(), str(index).encode(), qos=1)
    received = subscriber.expect_n(50, timeout=10.0)
    t.equal([int(message.payload) for message in received], list(range(50)), "delivery order")


@check(V311, V5)
def qos2_exactly_once_per_subscriber(t):
    """Does each of several QoS 2 subscribers get each QoS 2 message exactly once? [MQTT-4.3.3-10]"""
    subscribers = [t.client(f"sub{index}") for index in range(3)]
    for subscriber in subscribers:
        subscriber.subscribe(t.topic("#"), 2)
    publisher = t.client("pub")
    for index in range(10):
        publisher.publish_nowait(t.topic(f"m/{index}"), str(index).encode(), qos=2)
    for subscriber in subscribers:
        received = subscriber.expect_n(10, timeout=10.0)
        t.equal(sorted(int(message.payload) for message in received), list(range(10)), "messages received")
        t.expect(all(message.qos == 2 for message in received), "a message was not delivered at QoS 2")
    for subscriber in subscribers:
        subscriber.expect_none(window=0.2, what="duplicate QoS 2 delivery")
