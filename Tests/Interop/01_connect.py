"""Connecting: CONNACK, client identifiers, takeover, keep alive."""

import time

import raw
from clients import V5, V311
from harness import check


@check(V311, V5)
def connect_accepted(t):
    """Is a clean CONNECT accepted with reason 0 and Session Present 0? [MQTT-3.2.2-1] / 5.0 [MQTT-3.2.2-2]"""
    client = t.client()
    t.equal(client.connack.reason_code, 0, "CONNACK reason code")
    t.equal(client.connack.session_present, False, "Session Present for a clean session")


@check(V5)
def empty_client_id_assigned(t):
    """Does a 5.0 CONNECT with an empty client id get a new Assigned Client Identifier? [MQTT-3.2.2-16]"""
    first = t.client(client_id="", connect=False)
    second = t.client(client_id="", connect=False)
    assigned = []
    for client in (first, second):
        connack = client.connect()
        identifier = getattr(connack.properties, "AssignedClientIdentifier", None)
        t.expect(identifier, "CONNACK has no Assigned Client Identifier")
        assigned.append(identifier)
    t.expect(assigned[0] != assigned[1], f"two live sessions were assigned the same id {assigned[0]!r}")
    # The assigned id is usable: a message round-trips through a subscription of that session.
    first.subscribe(t.topic(), 1)
    second.publish(t.topic(), b"hello", qos=1)
    t.equal(first.expect().payload, b"hello", "payload")


@check(V311)
def empty_client_id_persistent_rejected(t):
    """Is a 3.1.1 CONNECT with an empty client id and CleanSession 0 refused with return code 2? [MQTT-3.1.3-8]"""
    connection = t.raw()
    connack = connection.connect("", raw.PROTOCOL_LEVEL_311, clean=False)
    t.expect(connack is not None, "server closed without CONNACK")
    t.equal((connack.type, connack.body), (raw.CONNACK, b"\x00\x02"), "CONNACK (type, body)")
    t.expect(connection.read_until_closed() == [], "server sent more after refusing the connection")


@check(V311, V5)
def takeover_by_client_id(t):
    """Is the first connection closed, and its session resumed, when a second one connects with the same client id? [MQTT-3.1.4-2] / 5.0 [MQTT-3.1.4-3]"""
    # Persistent sessions on both sides, so the second connection resumes the first one's session.
    first = t.client("same", clean=False, session_expiry=60)
    t.discard_session_on_cleanup("same")
    first.subscribe(t.topic(), 1)
    second = t.client("same", clean=False, session_expiry=60)
    t.equal(second.connack.session_present, True, "Session Present on the taking-over connection")
    first.wait_disconnected(what="disconnect of the first connection")
    # The new connection owns the session: it keeps working (and inherited the subscription).
    publisher = t.client("pub")
    publisher.publish(t.topic(), b"after takeover", qos=1)
    t.equal(second.expect(what="message on the inherited subscription").payload, b"after takeover", "payload")


@check(V5)
def takeover_sends_session_taken_over(t):
    """Does a taken-over 5.0 connection receive DISCONNECT with reason 0x8E before it is closed? [MQTT-3.1.4-3]"""
    first = t.client("same")
    t.client("same")
    code = first.wait_disconnected(what="disconnect of the first connection")
    t.equal(code, 0x8E, "DISCONNECT reason sent to the taken-over client (None: closed without DISCONNECT)")


def keepalive_connection(t, keepalive):
    """A raw connection that sends CONNECT with the given keep alive and then nothing at all."""
    connection = t.raw()
    connack = connection.connect(t.client_id(), t.level(), keepalive=keepalive)
    t.expect(connack is not None and connack.reason_code() == 0, f"CONNECT refused: {connack}")
    effective = keepalive
    if t.version == V5:
        # A Server Keep Alive in CONNACK replaces the client's value [MQTT-3.2.2-21].
        properties_length, start = raw.read_varint(connack.body, 2)
        server_values = raw.parse_properties(connack.body[start:start + properties_length])
        effective = server_values.get(raw.PROP_SERVER_KEEP_ALIVE, keepalive)
    return connection, effective


@check(V311, V5)
def keepalive_timeout_disconnects(t):
    """Is a client that sends nothing for 1.5 times its keep alive disconnected? [MQTT-3.1.2-24] / 5.0 [MQTT-3.1.2-22]"""
    connection, keepalive = keepalive_connection(t, 1)
    t.expect(0 < keepalive <= 5, f"server keep alive {keepalive} s is out of range for this check")
    started = time.monotonic()
    # Servers check keep alive on a timer; allow 1.5 s of scheduling slack beyond 1.5 x keep alive.
    limit = 1.5 * keepalive + 1.5
    try:
        packets = connection.read_until_closed(limit)
    except TimeoutError:
        t.fail(f"still connected {limit:.1f} s after CONNECT with keep alive {keepalive} s")
    elapsed = time.monotonic() - started
    t.expect(elapsed >= keepalive * 0.9, f"disconnected after {elapsed:.2f} s, before the keep alive of {keepalive} s")
    for received in packets:
        t.expect(received.type == raw.DISCONNECT and received.reason_code() == 0x8D,
                 f"unexpected packet before close: {received} (a 5.0 DISCONNECT must carry 0x8D)")


@check(V311, V5)
def pingreq_answered(t):
    """Does the server answer PINGREQ with PINGRESP? [MQTT-3.12.4-1]"""
    connection, _ = keepalive_connection(t, 30)
    connection.send(bytes([0xC0, 0x00]))
    answer = connection.read_packet()
    t.expect(answer is not None, "connection closed instead of PINGRESP")
    t.equal((answer.type, answer.body), (raw.PINGRESP, b""), "answer to PINGREQ")
