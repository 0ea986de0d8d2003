import ClusterProtocol
import MQTTCodec
import NIOCore
import Testing

/// Byte-annotated frames, one per kind: the layout cluster/PROTOCOL.md ("Peer links") documents.
/// Each must encode to exactly these bytes and decode from them to the same frame.
@Suite struct PeerFrameLayoutTests {
    struct Fixture: CustomTestStringConvertible, Sendable {
        let name: String
        let frame: PeerFrame
        let bytes: [UInt8]
        var testDescription: String { name }
    }

    static let fixtures: [Fixture] = [
        Fixture(
            name: "HELLO",
            frame: .hello(
                PeerFrame.Hello(
                    minimumVersion: 1,
                    maximumVersion: 1,
                    clusterName: "c",
                    nodeName: "n\u{00E9}",
                    bootID: 0x0102_0304_0506_0708,
                    nonce: Array(0x10...0x1F)
                )
            ),
            bytes: [0, 0, 0, 0x23, 0x01]  // length 35, type 1
                + [0x01, 0x01]  // versions 1…1
                + [0x00, 0x01, 0x63]  // cluster name "c"
                + [0x00, 0x03, 0x6E, 0xC3, 0xA9]  // node name "né"
                + [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]  // boot id
                + Array(0x10...0x1F)  // nonce
        ),
        Fixture(
            name: "AUTHENTICATE",
            frame: .authenticate(PeerFrame.Authenticate(version: 1, proof: [UInt8](repeating: 0xAB, count: 32))),
            bytes: [0, 0, 0, 0x22, 0x02, 0x01] + [UInt8](repeating: 0xAB, count: 32)
        ),
        Fixture(
            name: "ROUTE_SNAPSHOT",
            frame: .routeSnapshot(
                PeerFrame.RouteSnapshot(
                    bootID: 5,
                    sequence: 9,
                    routes: [
                        .filter("a/#"),
                        .sharedMember(group: "g", filter: "b", clientID: "c"),
                        .exclusive(topic: "x", clientID: "y", grantedAt: 0x0000_0190_0000_0001),
                    ]
                )
            ),
            bytes: [0, 0, 0, 0x34, 0x0A]  // length 52, type 10
                + [0, 0, 0, 0, 0, 0, 0, 5]  // boot id
                + [0, 0, 0, 0, 0, 0, 0, 9]  // sequence
                + [0, 0, 0, 3]  // 3 routes
                + [0x01, 0x00, 0x03, 0x61, 0x2F, 0x23]  // filter "a/#"
                + [0x02, 0x00, 0x01, 0x67, 0x00, 0x01, 0x62, 0x00, 0x01, 0x63]  // shared g, b, c
                + [0x03, 0x00, 0x01, 0x78, 0x00, 0x01, 0x79]  // exclusive "x" by "y"
                + [0x00, 0x00, 0x01, 0x90, 0x00, 0x00, 0x00, 0x01]  // granted at
        ),
        Fixture(
            name: "ROUTE_DELTA",
            frame: .routeDelta(PeerFrame.RouteDelta(bootID: 5, sequence: 10, change: .remove, route: .filter("a"))),
            bytes: [0, 0, 0, 0x16, 0x0B]  // length 22, type 11
                + [0, 0, 0, 0, 0, 0, 0, 5]  // boot id
                + [0, 0, 0, 0, 0, 0, 0, 10]  // sequence
                + [0x02]  // remove
                + [0x01, 0x00, 0x01, 0x61]  // filter "a"
        ),
        Fixture(name: "SNAPSHOT_REQUEST", frame: .snapshotRequest, bytes: [0, 0, 0, 1, 0x0C]),
        Fixture(
            name: "ROUTE_ACK",
            frame: .routeAck(sequence: 10),
            bytes: [0, 0, 0, 9, 0x0D, 0, 0, 0, 0, 0, 0, 0, 10]
        ),
        Fixture(
            name: "FORWARD",
            frame: .forward(
                PeerFrame.ForwardBatch(messages: [
                    PeerFrame.ForwardedMessage(
                        id: 7,
                        origin: PeerFrame.Origin(bootID: 0x0102, sequence: 3),
                        target: .subscribers,
                        publish: MQTTPacket.Publish(
                            topic: "t",
                            payload: ByteBuffer(bytes: [0x68, 0x69]),
                            qos: .atLeastOnce,
                            retain: true,
                            packetID: 1
                        ),
                        hops: 0
                    )
                ])
            ),
            bytes: [0, 0, 0, 0x2D, 0x14]  // length 45, type 20
                + [0, 0, 0, 1]  // 1 message
                + [0, 0, 0, 0, 0, 0, 0, 7]  // forward id
                + [0, 0, 0, 0, 0, 0, 0x01, 0x02]  // origin: boot
                + [0, 0, 0, 0, 0, 0, 0, 3]  // origin: sequence
                + [0x00]  // hops
                + [0x01]  // target: subscribers
                + [0, 0, 0, 0x0A]  // PUBLISH of 10 bytes
                + [0x33, 0x08]  // PUBLISH, QoS 1, retain; remaining length 8
                + [0x00, 0x01, 0x74]  // topic "t"
                + [0x00, 0x01]  // packet identifier
                + [0x00]  // no properties
                + [0x68, 0x69]  // payload "hi"
        ),
        Fixture(
            name: "FORWARD_ACK",
            frame: .forwardAck(upTo: 0x1234),
            bytes: [0, 0, 0, 9, 0x15, 0, 0, 0, 0, 0, 0, 0x12, 0x34]
        ),
        Fixture(name: "PING", frame: .ping, bytes: [0, 0, 0, 1, 0x1E]),
        Fixture(name: "PONG", frame: .pong, bytes: [0, 0, 0, 1, 0x1F]),
    ]

    @Test(arguments: fixtures)
    func fixture_encodesToDocumentedBytes(fixture: Fixture) {
        #expect(encodedBytes([fixture.frame]) == fixture.bytes)
    }

    @Test(arguments: fixtures)
    func fixture_decodesFromDocumentedBytes(fixture: Fixture) {
        #expect(decodeSingle(fixture.bytes) == fixture.frame)
    }

    @Test func magic_isSTRL_andLargerThanAnyPushPullLength() {
        #expect(PeerFrameCodec.magic == [0x53, 0x54, 0x52, 0x4C])
        // Read as a push-pull frame length it is 1,398,035,020 bytes, far above that decoder's 8 MiB cap.
        let asLength = PeerFrameCodec.magic.reduce(0) { $0 << 8 | Int($1) }
        #expect(asLength == 1_398_035_020)
        #expect(asLength > 8 * 1024 * 1024)
    }
}
