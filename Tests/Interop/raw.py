"""A raw-socket MQTT connection for the checks a well-behaved client library cannot express.

paho-mqtt refuses to send malformed packets, empty client ids with a persistent 3.1.1 session, or
unknown protocol levels, so those checks build the bytes here and read the server's answer packet by
packet. Only what the checks need is encoded; nothing here is a general-purpose client.
"""

import socket
import time

# Packet types (high nibble of the first byte).
CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 10, 11, 12, 13, 14

PROTOCOL_LEVEL_311 = 4
PROTOCOL_LEVEL_5 = 5

# Property identifiers used by the checks.
PROP_SESSION_EXPIRY = 0x11
PROP_SERVER_KEEP_ALIVE = 0x13
PROP_MAXIMUM_PACKET_SIZE = 0x27


def varint(value):
    """Variable Byte Integer (1 to 4 bytes)."""
    out = bytearray()
    while True:
        byte = value % 128
        value //= 128
        if value:
            byte |= 0x80
        out.append(byte)
        if not value:
            return bytes(out)


def utf8(text):
    """UTF-8 Encoded String: two-byte length then the bytes (text may already be bytes)."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return len(data).to_bytes(2, "big") + data


def packet(first_byte, body):
    """Fixed header (first byte, remaining length) followed by the body."""
    return bytes([first_byte]) + varint(len(body)) + body


def properties(level, props=b""):
    """The property block of a 5.0 packet; nothing for 3.1.1."""
    return varint(len(props)) + props if level == PROTOCOL_LEVEL_5 else b""


def connect(client_id, level=PROTOCOL_LEVEL_311, clean=True, keepalive=60, props=b"", name=b"MQTT"):
    """A CONNECT packet without will, user name or password."""
    flags = 0x02 if clean else 0x00
    body = utf8(name) + bytes([level, flags]) + keepalive.to_bytes(2, "big")
    body += properties(level, props) + utf8(client_id)
    return packet(0x10, body)


def subscribe(packet_id, topic_filter, qos, level=PROTOCOL_LEVEL_311, first_byte=0x82):
    """A SUBSCRIBE with one filter; first_byte lets a check set reserved flags wrongly."""
    body = packet_id.to_bytes(2, "big") + properties(level) + utf8(topic_filter) + bytes([qos])
    return packet(first_byte, body)


def publish(topic, payload, level=PROTOCOL_LEVEL_311, qos=0, packet_id=1, first_byte=None):
    """A PUBLISH; first_byte overrides the flags (e.g. 0x36 for the forbidden QoS 3)."""
    if first_byte is None:
        first_byte = 0x30 | (qos << 1)
    body = utf8(topic)
    if (first_byte >> 1) & 0x03:
        body += packet_id.to_bytes(2, "big")
    body += properties(level) + payload
    return packet(first_byte, body)


def read_varint(data, offset):
    """Decode a Variable Byte Integer; returns (value, next offset)."""
    value, multiplier = 0, 1
    for index in range(4):
        byte = data[offset + index]
        value += (byte & 0x7F) * multiplier
        if not byte & 0x80:
            return value, offset + index + 1
        multiplier *= 128
    raise ValueError("variable byte integer longer than 4 bytes")


def parse_properties(data):
    """Map property id -> value for the integer properties the checks read; others are skipped."""
    widths = {0x01: 1, 0x02: 4, 0x11: 4, 0x13: 2, 0x21: 2, 0x22: 2, 0x23: 2, 0x24: 1, 0x25: 1, 0x27: 4,
              0x28: 1, 0x29: 1, 0x2A: 1}
    strings = {0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1A, 0x1C, 0x1F}
    result, offset = {}, 0
    while offset < len(data):
        ident = data[offset]
        offset += 1
        if ident in widths:
            width = widths[ident]
            result[ident] = int.from_bytes(data[offset:offset + width], "big")
            offset += width
        elif ident in strings:
            length = int.from_bytes(data[offset:offset + 2], "big")
            result[ident] = bytes(data[offset + 2:offset + 2 + length])
            offset += 2 + length
        elif ident == 0x26:  # user property: two strings
            for _ in range(2):
                offset += 2 + int.from_bytes(data[offset:offset + 2], "big")
        elif ident == 0x0B:  # subscription identifier
            result[ident], offset = read_varint(data, offset)
        else:
            raise ValueError(f"unknown property 0x{ident:02x}")
    return result


class Packet:
    """One received packet: type, flags and body."""

    def __init__(self, first_byte, body):
        self.type = first_byte >> 4
        self.flags = first_byte & 0x0F
        self.body = body

    def reason_code(self):
        """CONNACK return/reason code, or the DISCONNECT reason (0 when the body is empty)."""
        if self.type == CONNACK:
            return self.body[1]
        if self.type == DISCONNECT:
            return self.body[0] if self.body else 0
        raise ValueError(f"packet type {self.type} has no reason code here")

    def __repr__(self):
        return f"Packet(type={self.type}, flags=0x{self.flags:x}, body={self.body[:32].hex()})"


class RawConnection:
    """A TCP connection that sends given bytes and reads whole packets with deadlines."""

    def __init__(self, host, port, timeout=5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""
        self.closed_by_peer = False

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        """Read more bytes; False once the peer closed (or reset) the connection."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout as error:
            raise TimeoutError from error
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if not chunk:
            self.closed_by_peer = True
            return False
        self._buffer += chunk
        return True

    def read_packet(self, timeout=5.0):
        """The next packet, None if the peer closed the connection; TimeoutError after the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self._buffer) >= 2:
                try:
                    length, start = read_varint(self._buffer, 1)
                except IndexError:
                    length = None
                if length is not None and len(self._buffer) >= start + length:
                    first, body = self._buffer[0], self._buffer[start:start + length]
                    self._buffer = self._buffer[start + length:]
                    return Packet(first, body)
            if not self._fill(deadline):
                return None

    def read_until_closed(self, timeout=5.0):
        """Every packet received until the peer closes; TimeoutError if it stays open past the deadline."""
        deadline = time.monotonic() + timeout
        packets = []
        while True:
            received = self.read_packet(max(deadline - time.monotonic(), 0.001))
            if received is None:
                return packets
            packets.append(received)

    def connect(self, client_id, level=PROTOCOL_LEVEL_311, **kwargs):
        """Send CONNECT and return the CONNACK (None if the server closed instead)."""
        self.send(connect(client_id, level, **kwargs))
        return self.read_packet()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
