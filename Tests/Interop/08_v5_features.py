"""MQTT 5.0 features: topic aliases, message expiry, No Local, Maximum Packet Size, subscription
identifiers, properties passed through unchanged, payload format validation."""

import time

from paho.mqtt.packettypes import PacketTypes

import raw
from clients import V5, CheckFailed, props
from harness import check

# The largest server limit the oversize check is willing to exceed (it sends limit + 1 bytes).
OVERSIZE_CHECK_CEILING = 16 * 1024 * 1024


@check(V5)
def topic_alias_resolved(t):
    """Does the server resolve a Topic Alias set by the client on later PUBLISHes with an empty topic? [MQTT-3.3.2-12]"""
    publisher = t.client("pub")
    maximum = getattr(publisher.connack.properties, "TopicAliasMaximum", 0)
    # Starling advertises a Topic Alias Maximum; a server advertising 0 does not accept aliases at all.
    t.expect(maximum >= 1, f"CONNACK Topic Alias Maximum is {maximum}; the check needs at least 1")
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic(), 1)
    publisher.publish(t.topic(), b"sets alias", qos=1, properties=props(PacketTypes.PUBLISH, TopicAlias=1))
    publisher.publish("", b"uses alias", qos=1, properties=props(PacketTypes.PUBLISH, TopicAlias=1))
    received = subscriber.expect_n(2, what="messages published with a topic alias")
    t.equal([(message.topic, message.payload) for message in received],
            [(t.topic(), b"sets alias"), (t.topic(), b"uses alias")], "delivered (topic, payload)")
    # The subscriber did not allow aliases (no Topic Alias Maximum), so none may be sent to it [MQTT-3.1.2-27].
    t.expect(all(message.prop("TopicAlias") is None for message in received), "server sent a Topic Alias")


@check(V5)
def message_expiry_drops_expired_and_decrements(t):
    """Is a queued message whose 1 s expiry passed dropped, while a 60 s one arrives with its expiry reduced by the wait? [MQTT-3.3.2-5] [MQTT-3.3.2-6]"""
    t.discard_session_on_cleanup("sub")
    subscriber = t.client("sub", clean=False, session_expiry=300)
    subscriber.subscribe(t.topic(), 1)
    subscriber.disconnect()
    publisher = t.client("pub")
    publisher.publish(t.topic(), b"short", qos=1, properties=props(PacketTypes.PUBLISH, MessageExpiryInterval=1))
    publisher.publish(t.topic(), b"long", qos=1, properties=props(PacketTypes.PUBLISH, MessageExpiryInterval=60))
    time.sleep(2.2)  # the passing of time is the condition under test: the 1 s message must expire
    resumed = t.client("sub", clean=False, session_expiry=300)
    message = resumed.expect(what="the unexpired message")
    t.equal(message.payload, b"long", "payload of the first delivered message (the expired one must be gone)")
    remaining = message.prop("MessageExpiryInterval")
    t.expect(remaining is not None and 50 <= remaining <= 58,
             f"Message Expiry Interval after 2.2 s of 60 s: expected 50..58, got {remaining}")
    resumed.expect_none(what="the expired message")


@check(V5)
def no_local_suppresses_own_messages(t):
    """With No Local, does a client not receive its own publications while others still do? [MQTT-3.8.3-3]"""
    talker = t.client("talker")
    talker.subscribe(t.topic(), 1, no_local=True)
    listener = t.client("listener")
    listener.subscribe(t.topic(), 1)
    talker.publish(t.topic(), b"mine", qos=1)
    t.equal(listener.expect(what="the message on the other client").payload, b"mine", "payload")
    talker.expect_none(what="own message despite No Local")
    other = t.client("other")
    other.publish(t.topic(), b"theirs", qos=1)
    t.equal(talker.expect(what="another client's message").payload, b"theirs", "payload from another client")


@check(V5)
def client_maximum_packet_size_respected(t):
    """Is a message larger than the client's Maximum Packet Size skipped while the client stays connected? [MQTT-3.1.2-24] [MQTT-3.1.2-25]"""
    small = t.client("small", connect_properties=props(PacketTypes.CONNECT, MaximumPacketSize=512))
    small.subscribe(t.topic(), 1)
    publisher = t.client("pub")
    publisher.publish(t.topic(), b"x" * 2000, qos=1)
    publisher.publish(t.topic(), b"fits", qos=1)
    message = small.expect(what="the message that fits")
    t.equal(message.payload, b"fits", "first delivered payload (the oversized one must be dropped)")
    t.expect(not small.disconnected.is_set(), "client was disconnected instead of the message being dropped")
    small.expect_none(what="the oversized message")


@check(V5)
def server_maximum_packet_size_enforced(t):
    """Is a client that sends a packet over the server's Maximum Packet Size disconnected with 0x95? (5.0 3.2.2.3.6, [MQTT-4.13.1-1])"""
    connection = t.raw()
    connack = connection.connect(t.client_id("raw"), raw.PROTOCOL_LEVEL_5)
    t.expect(connack is not None and connack.reason_code() == 0, f"raw CONNECT refused: {connack}")
    properties_length, start = raw.read_varint(connack.body, 2)
    limit = raw.parse_properties(connack.body[start:start + properties_length]).get(raw.PROP_MAXIMUM_PACKET_SIZE)
    if limit is None:
        t.skip("the server advertises no Maximum Packet Size (no limit below the protocol's 256 MB)")
    if limit > OVERSIZE_CHECK_CEILING:
        t.skip(f"the server's Maximum Packet Size {limit} is above this check's {OVERSIZE_CHECK_CEILING} bytes")
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic(), 1)
    oversized = raw.publish(t.topic(), b"x" * limit, raw.PROTOCOL_LEVEL_5, qos=1)
    # A server can refuse on the announced Remaining Length alone; sending only a prefix first keeps
    # unread bytes out of its socket, whose close would otherwise reset the connection and could
    # destroy the DISCONNECT before it is read. A server that reads on gets the rest.
    connection.send(oversized[:1024])
    try:
        first = connection.read_packet(1.0)  # None: closed without an answer
    except TimeoutError:
        try:
            connection.send(oversized[1024:])
        except OSError:
            pass  # closed while the rest was on its way; the answer is read below
        try:
            first = connection.read_packet(10.0)
        except TimeoutError:
            t.fail("no answer 10 s after a packet over the server's limit")
    try:
        packets = [first] + connection.read_until_closed(5.0) if first is not None else []
    except TimeoutError:
        t.fail(f"the connection was still open 5 s after {first}")
    t.expect(len(packets) == 1 and packets[0].type == raw.DISCONNECT,
             f"expected one DISCONNECT before the close, got {packets}")
    t.equal(packets[0].reason_code(), 0x95, "DISCONNECT reason")
    subscriber.expect_none(what="the oversized message")


@check(V5)
def subscription_identifiers_delivered(t):
    """Does a delivered message carry the Subscription Identifiers of the matching subscriptions, and none otherwise? [MQTT-3.3.4-3] [MQTT-3.3.4-4] [MQTT-3.3.4-5]"""
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic("a/exact"), 1, subscription_id=1)
    subscriber.subscribe(t.topic("a/+"), 1, subscription_id=2)
    subscriber.subscribe(t.topic("plain/#"), 1)
    publisher = t.client("pub")
    publisher.publish(t.topic("a/exact"), b"both", qos=1)
    copies = [subscriber.expect(what="the message matching two subscriptions")] + subscriber.drain()
    identifiers = [sorted(message.prop("SubscriptionIdentifier", [])) for message in copies]
    # One copy with both identifiers, or one copy per subscription with its own identifier.
    t.expect(identifiers in ([[1, 2]], [[1], [2]], [[2], [1]]), f"Subscription Identifiers per copy: {identifiers}")
    publisher.publish(t.topic("plain/x"), b"none", qos=1)
    message = subscriber.expect(what="the message on the subscription without identifier")
    t.equal(message.prop("SubscriptionIdentifier"), None, "Subscription Identifier without one subscribed")


@check(V5)
def publish_properties_passed_through(t):
    """Are User Properties (order and duplicates), Content Type, Response Topic, Correlation Data and Payload Format Indicator forwarded unchanged? [MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20]"""
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic(), 1)
    sent = {
        "UserProperty": [("b", "2"), ("a", "1"), ("b", "3"), ("ключ", "значение ✓")],
        "ContentType": "application/json; charset=utf-8",
        "ResponseTopic": t.topic("reply"),
        "CorrelationData": b"\x00\x01\xfe\xff correlation",
        "PayloadFormatIndicator": 1,
    }
    publisher = t.client("pub")
    publisher.publish(t.topic(), '{"temperature": 21.5}'.encode(), qos=1,
                      properties=props(PacketTypes.PUBLISH, **sent))
    message = subscriber.expect(what="the message with properties")
    for name, value in sent.items():
        t.equal(message.prop(name), value, name)


@check(V5)
def payload_format_invalid_rejected(t):
    """Is a PUBLISH with Payload Format Indicator 1 and a payload that is not UTF-8 refused with 0x99, and not delivered? (5.0 3.3.2.3.2: MAY validate; Starling does)"""
    subscriber = t.client("sub")
    subscriber.subscribe(t.topic(), 1)
    publisher = t.client("pub")
    mid = publisher.publish_nowait(t.topic(), b"\xff\xfe not utf-8 \xc3\x28", qos=1,
                                   properties=props(PacketTypes.PUBLISH, PayloadFormatIndicator=1))
    deadline = time.monotonic() + 5.0
    while publisher.ack_reason(mid) is None and not publisher.disconnected.is_set():
        if time.monotonic() > deadline:
            raise CheckFailed("neither PUBACK nor DISCONNECT within 5 s")
        publisher.disconnected.wait(0.02)  # bounded poll of two completion signals
    if publisher.ack_reason(mid) is not None:
        t.equal(publisher.ack_reason(mid), 0x99, "PUBACK reason")
    else:
        t.equal(publisher.wait_disconnected(), 0x99, "DISCONNECT reason (None: closed without DISCONNECT)")
    subscriber.expect_none(what="the message with an invalid UTF-8 payload")
