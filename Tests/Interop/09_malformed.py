"""Malformed packets and protocol errors on a raw socket: the offending connection is closed
(5.0: after DISCONNECT 0x81 Malformed Packet / 0x82 Protocol Error) while other clients keep working."""

import raw
from clients import V5, V311
from harness import check

MALFORMED_REASONS = (0x81, 0x82)


def expect_closed_with_reason(t, connection, reasons):
    """The server closes; a 3.1.1 connection gets nothing first, a 5.0 one gets DISCONNECT with one of `reasons`."""
    try:
        packets = connection.read_until_closed(5.0)
    except TimeoutError:
        t.fail("the connection was still open 5 s after the offending packet")
    if t.version == V5:
        # [MQTT-4.13.1-1] close; the reason code in a DISCONNECT first is what Starling sends (a SHOULD in 4.13).
        t.expect(len(packets) == 1 and packets[0].type == raw.DISCONNECT,
                 f"expected one DISCONNECT before the close, got {packets}")
        code = packets[0].reason_code()
        t.expect(code in reasons, f"DISCONNECT reason 0x{code:02x}, expected one of {[hex(r) for r in reasons]}")
    else:
        t.equal(packets, [], "packets sent before closing a 3.1.1 connection")


def offend(t, offending_bytes, reasons=MALFORMED_REASONS):
    """Connect a bystander and a raw connection, send the offending bytes, check both outcomes."""
    bystander = t.client("bystander")
    bystander.subscribe(t.topic("bystander"), 1)
    connection = t.raw()
    connack = connection.connect(t.client_id("raw"), t.level())
    t.expect(connack is not None and connack.reason_code() == 0, f"raw CONNECT refused: {connack}")
    connection.send(offending_bytes)
    expect_closed_with_reason(t, connection, reasons)
    publisher = t.client("pub")
    publisher.publish(t.topic("bystander"), b"still here", qos=1)
    t.equal(bystander.expect(what="a message on the unaffected connection").payload, b"still here", "payload")


@check(V311, V5)
def publish_with_qos_3_closes_connection(t):
    """Is a PUBLISH with both QoS bits set answered by closing the connection? [MQTT-3.3.1-4]"""
    offend(t, raw.publish(t.topic(), b"qos3", t.level(), first_byte=0x36))


@check(V311, V5)
def subscribe_with_reserved_flags_closes_connection(t):
    """Is a SUBSCRIBE whose reserved fixed-header bits are not 0010 treated as malformed? [MQTT-3.8.1-1]"""
    offend(t, raw.subscribe(1, t.topic(), 0, t.level(), first_byte=0x80))


@check(V311, V5)
def invalid_utf8_topic_closes_connection(t):
    """Is a PUBLISH whose topic is ill-formed UTF-8 treated as malformed? [MQTT-1.5.3-1] / 5.0 [MQTT-1.5.4-1]"""
    offend(t, raw.publish(t.topic().encode() + b"/\xff\xfe\xc3\x28", b"bad topic", t.level()))


@check(V311, V5)
def remaining_length_of_five_bytes_closes_connection(t):
    """Is a fixed header whose Remaining Length runs to a fifth byte treated as malformed? (3.1.1 2.2.3 / 5.0 1.5.5)"""
    offend(t, bytes([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]) + b"\x00" * 16)


@check(V311, V5)
def second_connect_closes_connection(t):
    """Is a second CONNECT on the same connection a protocol error that closes it? [MQTT-3.1.0-2]"""
    offend(t, raw.connect(t.client_id("raw"), t.level()), reasons=(0x82,))


@check(V311, V5)
def first_packet_not_connect_closes_connection(t):
    """Is a connection whose first packet is not CONNECT closed without any answer? [MQTT-3.1.0-1] / 5.0 [MQTT-3.14.0-1]"""
    connection = t.raw()
    connection.send(raw.publish(t.topic(), b"too early", t.level()))
    try:
        packets = connection.read_until_closed(5.0)
    except TimeoutError:
        t.fail("the connection was still open 5 s after a PUBLISH sent before CONNECT")
    # No CONNACK was sent, so no DISCONNECT may be sent either [MQTT-3.14.0-1].
    t.equal(packets, [], "packets sent in answer to a PUBLISH before CONNECT")


@check()
def connect_with_protocol_level_6_refused(t):
    """Is a CONNECT with the unknown protocol level 6 refused with CONNACK 0x01 (3.1.1 format) or 0x84 (5.0 format) and closed? [MQTT-3.1.2-2]"""
    connection = t.raw()
    # Laid out like a 5.0 CONNECT (empty property block), only the level differs.
    body = raw.utf8("MQTT") + bytes([6, 0x02]) + (30).to_bytes(2, "big") + b"\x00" + raw.utf8(t.client_id())
    connection.send(raw.packet(0x10, body))
    try:
        packets = connection.read_until_closed(5.0)
    except TimeoutError:
        t.fail("the connection was still open 5 s after a CONNECT with protocol level 6")
    t.expect(len(packets) == 1 and packets[0].type == raw.CONNACK, f"expected exactly one CONNACK, got {packets}")
    body = packets[0].body
    t.expect(body == b"\x00\x01" or (len(body) >= 3 and body[:2] == b"\x00\x84"),
             f"CONNACK body {body.hex()}: expected 0001 (3.1.1) or 0084.. (5.0)")
