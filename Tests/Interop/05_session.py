"""Sessions: messages queued for a disconnected persistent session, clean start, session expiry."""

import time

from clients import V5, V311
from harness import check

QUEUED = 20


def persistent(t, suffix="sub", expiry=300, **kwargs):
    """A persistent-session client: CleanSession 0 (3.1.1) or Clean Start 0 with a Session Expiry (5.0)."""
    return t.client(suffix, clean=False, session_expiry=expiry, **kwargs)


@check(V311, V5)
def persistent_session_queues_messages(t):
    """Does a resumed persistent session report Session Present 1 and receive all 20 QoS 1 messages published while it was away, in order? [MQTT-3.1.2-4] [MQTT-3.1.2-5] [MQTT-3.2.2-2] / 5.0 [MQTT-3.1.2-5] [MQTT-3.2.2-3]"""
    t.discard_session_on_cleanup("sub")
    first = persistent(t)
    first.subscribe(t.topic(), 1)
    first.disconnect()
    publisher = t.client("pub")
    for index in range(QUEUED):
        publisher.publish(t.topic(), f"{index}".encode(), qos=1)
    resumed = persistent(t)
    t.equal(resumed.connack.session_present, True, "Session Present on resuming")
    received = resumed.expect_n(QUEUED, timeout=10.0, what="queued messages")
    t.equal([int(message.payload) for message in received], list(range(QUEUED)), "queued messages in order")
    t.expect(all(message.qos == 1 for message in received), "a queued message was not delivered at QoS 1")
    resumed.expect_none(what="extra message after the queued ones")


@check(V311, V5)
def clean_start_discards_session(t):
    """Does a clean connect discard the stored session: Session Present 0 and its subscriptions gone? [MQTT-3.1.2-6] [MQTT-3.2.2-1] / 5.0 [MQTT-3.1.2-4] [MQTT-3.2.2-2]"""
    t.discard_session_on_cleanup("sub")
    first = persistent(t)
    first.subscribe(t.topic(), 1)
    first.disconnect()
    publisher = t.client("pub")
    publisher.publish(t.topic(), b"queued for the old session", qos=1)
    clean = t.client("sub", clean=True)
    t.equal(clean.connack.session_present, False, "Session Present on a clean connect")
    clean.expect_none(what="message queued for the discarded session")
    publisher.publish(t.topic(), b"after clean start", qos=1)
    clean.expect_none(what="message on a subscription of the discarded session")


@check(V5)
def session_expiry_zero_ends_with_connection(t):
    """Does a 5.0 session with Session Expiry Interval 0 end with its connection, so a later resume finds none? [MQTT-3.1.2-23] [MQTT-3.2.2-3]"""
    first = t.client("sub", clean=False, session_expiry=0)
    first.subscribe(t.topic(), 1)
    first.disconnect()
    publisher = t.client("pub")
    publisher.publish(t.topic(), b"nobody home", qos=1)
    resumed = t.client("sub", clean=False, session_expiry=0)
    t.equal(resumed.connack.session_present, False, "Session Present after an expiry-0 session ended")
    resumed.expect_none(what="message for the ended session")


@check(V5)
def session_expires_after_interval(t):
    """Is a 5.0 session discarded once its Session Expiry Interval (1 s) has passed after disconnect? [MQTT-4.1.0-2]"""
    first = t.client("sub", clean=False, session_expiry=1)
    first.subscribe(t.topic(), 1)
    first.disconnect()
    # The passing of time is the condition under test; 1 s expiry plus 1.5 s for the server's expiry timer.
    time.sleep(2.5)
    resumed = t.client("sub", clean=False, session_expiry=1)
    t.equal(resumed.connack.session_present, False, "Session Present 2.5 s after a 1 s session expiry")


@check(V5)
def session_kept_within_expiry_interval(t):
    """Is a 5.0 session with Session Expiry Interval 60 still present on an immediate resume? [MQTT-3.1.2-23]"""
    t.discard_session_on_cleanup("sub")
    first = t.client("sub", clean=False, session_expiry=60)
    first.subscribe(t.topic(), 1)
    first.disconnect()
    resumed = t.client("sub", clean=False, session_expiry=60)
    t.equal(resumed.connack.session_present, True, "Session Present within the expiry interval")
    publisher = t.client("pub")
    publisher.publish(t.topic(), b"still subscribed", qos=1)
    t.equal(resumed.expect(what="message on the resumed subscription").payload, b"still subscribed", "payload")
