import Testing

@testable import StarlingBench

@Suite("Topic patterns and hosts")
struct TopicPatternTests {
    @Test func expand_replacesEveryPercentI_withTheClientIndex() throws {
        let pattern = try TopicPattern("bench/%i/data/%i")
        #expect(pattern.expand(clientIndex: 0) == "bench/0/data/0")
        #expect(pattern.expand(clientIndex: 42) == "bench/42/data/42")
        #expect(pattern.dependsOnClientIndex)
    }

    @Test func expand_keepsALiteralPercent_whenEscapedAsDoublePercent() throws {
        let pattern = try TopicPattern("load/100%%/%i")
        #expect(pattern.expand(clientIndex: 3) == "load/100%/3")
    }

    @Test func expand_returnsTheTextUnchanged_whenThereIsNoPlaceholder() throws {
        let pattern = try TopicPattern("bench/all")
        #expect(pattern.expand(clientIndex: 9) == "bench/all")
        #expect(!pattern.dependsOnClientIndex)
    }

    @Test(arguments: ["", "bench/%x", "bench/%"])
    func init_throws_whenThePatternIsEmptyOrHasAnUnknownPlaceholder(_ text: String) {
        #expect(throws: BenchConfigurationError.self) { try TopicPattern(text) }
    }

    @Test(arguments: [
        ("127.0.0.1:1883", "127.0.0.1", 1883),
        ("broker.local", "broker.local", 1883),
        ("[::1]:18830", "::1", 18830),
        ("[::1]", "::1", 1883),
    ])
    func hostParsing_readsHostAndPort_whenWellFormed(_ text: String, _ host: String, _ port: Int) throws {
        let parsed = try BenchHost(parsing: text)
        #expect(parsed.host == host)
        #expect(parsed.port == port)
    }

    @Test(arguments: ["", ":1883", "host:", "host:0", "host:65536", "::1", "[::1", "[]:1", "[::1]1883"])
    func hostParsing_throws_whenMalformed(_ text: String) {
        #expect(throws: BenchConfigurationError.self) { try BenchHost(parsing: text) }
    }
}
