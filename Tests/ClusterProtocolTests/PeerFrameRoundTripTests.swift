import ClusterProtocol
import MQTTCodec
import NIOCore
import Testing

/// Property tests: every frame kind, with random content, encodes to bytes that decode to the same
/// frame, use up exactly those bytes, and encode again to the same bytes.
@Suite struct PeerFrameRoundTripTests {
    static let samplesPerKind = 400

    @Test(arguments: PeerFrameGenerator.Kind.allCases)
    func roundTrip_preservesFrameAndBytes_forRandomFramesOfEachKind(kind: PeerFrameGenerator.Kind) async {
        let seed = baseSeed &+ 0x100 &+ UInt64(PeerFrameGenerator.Kind.allCases.firstIndex(of: kind)!)
        var generator = PeerFrameGenerator(seed: seed)
        for sample in 0..<Self.samplesPerKind {
            if sample % iterationsPerYield == 0 { await Task.yield() }
            let frame = generator.frame(of: kind)
            let bytes = Array(encoded(frame).readableBytesView)
            guard let decoded = decodeSingle(bytes) else {
                Issue.record("\(kind) sample \(sample) did not decode (seed \(seed)): \(frame)")
                return
            }
            #expect(decoded == frame, "\(kind) sample \(sample) (seed \(seed))")
            #expect(Array(encoded(decoded).readableBytesView) == bytes, "\(kind) sample \(sample) (seed \(seed))")
        }
    }

    @Test func roundTrip_preservesEmptyStrings_inEveryStringField() {
        let frames: [PeerFrame] = [
            .hello(
                PeerFrame.Hello(
                    minimumVersion: 1,
                    maximumVersion: 1,
                    clusterName: "",
                    nodeName: "",
                    bootID: 0,
                    nonce: [UInt8](repeating: 0, count: 16)
                )
            ),
            .routeSnapshot(
                PeerFrame.RouteSnapshot(
                    bootID: 0,
                    sequence: 0,
                    routes: [
                        .filter(""), .sharedMember(group: "", filter: "", clientID: ""),
                        .exclusive(topic: "", clientID: "", grantedAt: 0),
                    ]
                )
            ),
            .forward(
                PeerFrame.ForwardBatch(messages: [
                    PeerFrame.ForwardedMessage(
                        id: 0,
                        target: .sharedMember(group: "", filter: "", clientID: ""),
                        publish: MQTTPacket.Publish(topic: "t", payload: ByteBuffer())
                    )
                ])
            ),
        ]
        for frame in frames {
            #expect(decodeSingle(encodedBytes([frame])) == frame)
        }
    }

    @Test func roundTrip_preservesNonASCIIAndNUL_inStrings() {
        let names = ["n\u{00F6}de-\u{4E2D}", "\u{1F426}", "e\u{0301}", "a\u{0000}b", "\u{FFFF}"]
        for name in names {
            let frame = PeerFrame.routeDelta(
                PeerFrame.RouteDelta(bootID: 1, sequence: 2, change: .add, route: .filter("sensors/\(name)/#"))
            )
            let bytes = encodedBytes([frame])
            #expect(decodeSingle(bytes) == frame, "\(name.unicodeScalars.map(\.value))")
            // Compared as bytes too: `String ==` would accept a canonically equivalent normalisation.
            #expect(encodedBytes([decodeSingle(bytes)!]) == bytes)
        }
    }

    @Test func roundTrip_preservesLimits_atTheirMaximum() {
        let longest = String(repeating: "\u{00E9}", count: 65_535 / 2) + "x"
        #expect(longest.utf8.count == 65_535)
        let frames: [PeerFrame] = [
            .routeDelta(PeerFrame.RouteDelta(bootID: .max, sequence: .max, change: .remove, route: .filter(longest))),
            .routeDelta(
                PeerFrame.RouteDelta(
                    bootID: 0,
                    sequence: 0,
                    change: .add,
                    route: .exclusive(topic: longest, clientID: longest, grantedAt: .max)
                )
            ),
            .forwardAck(upTo: .max),
            .forward(
                PeerFrame.ForwardBatch(messages: [
                    PeerFrame.ForwardedMessage(
                        id: .max,
                        target: .subscribers,
                        publish: MQTTPacket.Publish(
                            topic: "big",
                            payload: ByteBuffer(repeating: 0xA5, count: 1_000_000),
                            qos: .exactlyOnce,
                            retain: true,
                            dup: true,
                            packetID: .max
                        ),
                        hops: .max
                    )
                ])
            ),
        ]
        for frame in frames {
            #expect(decodeSingle(encodedBytes([frame])) == frame)
        }
    }

    @Test func forward_carriesPublishProperties_inWireOrder() throws {
        var properties = MQTTProperties()
        properties.append(.userProperty(name: "k", value: "1"))
        properties.append(.contentType("application/json; charset=\u{00FC}tf-8"))
        properties.append(.userProperty(name: "k", value: "2"))
        properties.append(.responseTopic("replies/\u{1F426}"))
        properties.append(.correlationData(ByteBuffer(bytes: [0, 1, 2, 0xFF])))
        properties.append(.messageExpiryInterval(42))
        properties.append(.payloadFormatIndicator(1))
        properties.append(.subscriptionIdentifier(7))
        properties.append(.subscriptionIdentifier(268_435_455))
        let message = PeerFrame.ForwardedMessage(
            id: 9,
            target: .sharedMember(group: "g", filter: "a/+", clientID: "c"),
            publish: MQTTPacket.Publish(
                topic: "a/b",
                payload: ByteBuffer(string: "{}"),
                qos: .atLeastOnce,
                packetID: 3,
                properties: properties
            ),
            hops: 2
        )
        let decoded = try #require(decodeSingle(encodedBytes([.forward(PeerFrame.ForwardBatch(messages: [message]))])))
        guard case .forward(let batch) = decoded else {
            Issue.record("decoded \(decoded)")
            return
        }
        #expect(batch.messages == [message])
        #expect(batch.messages.first?.publish.properties.userProperties.map(\.value) == ["1", "2"])
    }

    /// A forward at QoS 1 or 2 needs a packet identifier on the wire; the codec supplies one when the
    /// message has none, and the receiver ignores it (the forward id is what counts between nodes).
    @Test func forward_suppliesPacketIdentifier_whenQoS1MessageHasNone() throws {
        let publish = MQTTPacket.Publish(topic: "a", payload: ByteBuffer(), qos: .atLeastOnce, packetID: nil)
        let frame = PeerFrame.forward(
            PeerFrame.ForwardBatch(messages: [PeerFrame.ForwardedMessage(id: 1, target: .subscribers, publish: publish)]
            )
        )
        let decoded = try #require(decodeSingle(encodedBytes([frame])))
        guard case .forward(let batch) = decoded else {
            Issue.record("decoded \(decoded)")
            return
        }
        #expect(batch.messages.first?.publish.packetID == 1)
        #expect(batch.messages.first?.publish.qos == .atLeastOnce)
    }
}
