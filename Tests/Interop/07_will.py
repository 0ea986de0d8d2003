"""Will messages: abnormal disconnect, normal DISCONNECT, 5.0 reason 0x04, Will Delay Interval."""

import time

from paho.mqtt.packettypes import PacketTypes

from clients import V5, V311, props
from harness import check

WILL_DELAY = 2


def will_for(t, payload=b"gone", retain=False, **will_properties):
    will = {"topic": t.topic("will"), "payload": payload, "qos": 1, "retain": retain}
    if will_properties:
        will["properties"] = props(PacketTypes.WILLMESSAGE, **will_properties)
    return will


def watcher(t):
    watching = t.client("watch")
    watching.subscribe(t.topic("will"), 1)
    return watching


@check(V311, V5)
def will_sent_on_abnormal_disconnect(t):
    """Is the will published when the connection drops without DISCONNECT? [MQTT-3.1.2-8] / 5.0 [MQTT-3.1.2-8] [MQTT-3.1.3-10]"""
    watching = watcher(t)
    extra = {}
    if t.version == V5:
        extra = {"UserProperty": [("k", "1"), ("k", "2"), ("z", "last")], "ContentType": "text/plain"}
    dying = t.client("dying", will=will_for(t, b"abnormal", **extra))
    dying.drop()
    message = watching.expect(what="the will message")
    t.equal((message.topic, message.payload, message.qos, message.retain), (t.topic("will"), b"abnormal", 1, False),
            "will (topic, payload, QoS, RETAIN)")
    if t.version == V5:
        # User Properties keep their order, duplicates included [MQTT-3.1.3-10].
        t.equal(message.prop("UserProperty"), extra["UserProperty"], "will User Properties")
        t.equal(message.prop("ContentType"), "text/plain", "will Content Type")


@check(V311, V5)
def will_not_sent_on_normal_disconnect(t):
    """Is the will discarded when the client sends DISCONNECT (5.0: reason 0x00)? [MQTT-3.1.2-10] / 5.0 [MQTT-3.14.4-3]"""
    watching = watcher(t)
    leaving = t.client("leaving", will=will_for(t, b"must not appear"))
    leaving.disconnect()
    watching.expect_none(what="will after a normal DISCONNECT")


@check(V5)
def will_sent_on_disconnect_with_will_message(t):
    """Is the will published when a 5.0 client disconnects with reason 0x04 (Disconnect with Will Message)? [MQTT-3.1.2-8]"""
    watching = watcher(t)
    leaving = t.client("leaving", will=will_for(t, b"requested"))
    leaving.disconnect(reason_code=0x04)
    t.equal(watching.expect(what="the will message").payload, b"requested", "will payload")


@check(V311, V5)
def will_retained_when_will_retain_set(t):
    """Is a will with Will Retain 1 published as a retained message? [MQTT-3.1.2-17] / 5.0 [MQTT-3.1.2-15]"""
    t.clear_retained_on_cleanup(t.topic("will"))
    dying = t.client("dying", will=will_for(t, b"retained will", retain=True))
    watching = watcher(t)
    dying.drop()
    t.equal(watching.expect(what="the will message").payload, b"retained will", "live will payload")
    later = t.client("later")
    later.subscribe(t.topic("will"), 1)
    message = later.expect(what="the retained will")
    t.equal((message.payload, message.retain), (b"retained will", True), "(payload, RETAIN) of the retained will")


@check(V5)
def will_delay_interval_defers_will(t):
    """Is a will with Will Delay Interval 2 s published only after the delay? [MQTT-3.1.2-8]"""
    watching = watcher(t)
    dying = t.client("dying", will=will_for(t, b"late", WillDelayInterval=WILL_DELAY), clean=True,
                     session_expiry=60)
    t.discard_session_on_cleanup("dying")
    dropped_at = time.monotonic()
    dying.drop()
    watching.expect_none(window=1.0, what="will before the Will Delay Interval passed")
    message = watching.expect(timeout=WILL_DELAY + 3.0, what="the delayed will")
    waited = message.arrived - dropped_at
    t.equal(message.payload, b"late", "delayed will payload")
    # Servers count whole seconds; allow 0.5 s of rounding on a 2 s delay.
    t.expect(waited >= WILL_DELAY - 0.5, f"will published after {waited:.2f} s, before the {WILL_DELAY} s delay")


@check(V5)
def will_delay_cancelled_by_reconnect(t):
    """Is a delayed will not sent when the client reconnects within the Will Delay Interval? [MQTT-3.1.3-9]"""
    watching = watcher(t)
    dying = t.client("dying", will=will_for(t, b"cancelled", WillDelayInterval=WILL_DELAY), clean=True,
                     session_expiry=60)
    t.discard_session_on_cleanup("dying")
    dying.drop()
    back = t.client("dying", clean=False, session_expiry=60)
    t.equal(back.connack.session_present, True, "Session Present on the reconnect within the delay")
    watching.expect_none(window=WILL_DELAY + 1.0, what="will after reconnecting within the delay")
