import Membership
import Testing

@Suite struct GossipCodecFuzzTests {
    @Test("100,000 random and mutated inputs never trap the decoder, and whatever decodes re-encodes identically")
    func decoder_survivesRandomBytes() throws {
        let seed: UInt64 = 0xF022_0001
        var random = SimulationRandom(seed: seed)
        var valid: [[UInt8]] = try GossipCodecTests.messages.map { try GossipCodec.encode($0) }
        valid.append(
            try GossipCodec.encode(
                PushPullPayload(
                    clusterName: "c",
                    senderName: "s",
                    isJoin: true,
                    members: [MemberUpdate(identity: GossipCodecTests.alice, state: .alive, incarnation: 1)]
                )
            )
        )
        var decoded = 0
        for iteration in 0..<100_000 {
            let input: [UInt8]
            if iteration % 2 == 0 {
                let length = Int.random(in: 0...96, using: &random)
                input = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                // Flip a few bytes of a valid encoding, so the fuzzer gets past the header.
                var mutated = valid[Int.random(in: 0..<valid.count, using: &random)]
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(
                        in: 0...255,
                        using: &random
                    )
                }
                input = mutated
            }
            if let message = try? GossipCodec.decodeMessage(input) {
                decoded += 1
                #expect(try GossipCodec.encode(message) == input, "seed \(seed) iteration \(iteration)")
            }
            if let payload = try? GossipCodec.decodePushPull(input) {
                decoded += 1
                #expect(try GossipCodec.encode(payload) == input, "seed \(seed) iteration \(iteration)")
            }
        }
        // Mutations of valid messages decode fairly often; if none did, the fuzzer never got past the header.
        #expect(decoded > 1_000, "seed \(seed)")
    }
}
