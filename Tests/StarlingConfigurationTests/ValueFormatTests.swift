import StarlingConfiguration
import Testing

@Suite struct ValueFormatTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("30s", .seconds(30)), ("5m", .seconds(300)), ("2h", .seconds(7200)),
        ("1d", .seconds(86_400)), ("45", .seconds(45)), ("0s", .zero), ("1_000ms", .seconds(1)),
    ])
    func duration_parses_whenNumberAndUnit(text: String, expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test(arguments: ["", "s", "5x", "5 s", "-5s", "1.5s", "5S", "5ms5", "99999999999999999999d", "9999999999999999d"])
    func duration_isRejected_whenNotNumberAndUnit(text: String) {
        #expect(DurationText.parse(text) == nil, "\(text)")
    }

    @Test(arguments: [
        (Duration.milliseconds(500), "500ms"), (.seconds(90), "90s"), (.seconds(300), "5m"), (.seconds(86_400), "1d"),
        (.seconds(65535), "65535s"), (.zero, "0s"), (.milliseconds(1500), "1500ms"), (.seconds(7200), "2h"),
    ])
    func duration_rendersShortestExactUnit(duration: Duration, expected: String) {
        #expect(DurationText.render(duration) == expected)
        #expect(DurationText.parse(expected) == duration)
    }

    @Test(arguments: [
        ("64KB", 64_000), ("64KiB", 65_536), ("1MB", 1_000_000), ("1MiB", 1_048_576), ("2GB", 2_000_000_000),
        ("1GiB", 1 << 30), ("10B", 10), ("4096", 4096), ("64kib", 65_536), ("1mb", 1_000_000), ("1_024", 1024),
    ])
    func size_parses_whenNumberAndOptionalUnit(text: String, expected: Int) {
        #expect(ByteSize.parse(text) == expected)
    }

    @Test(arguments: ["", "KB", "5XB", "5 KB", "-5KB", "1.5MB", "99999999999999999999", "9999999999999GiB"])
    func size_isRejected_whenMalformed(text: String) {
        #expect(ByteSize.parse(text) == nil, "\(text)")
    }

    @Test(arguments: [(1_048_576, "1MiB"), (65_536, "64KiB"), (1 << 30, "1GiB"), (1000, "1000"), (0, "0")])
    func size_rendersBinaryUnit_whenExact(bytes: Int, expected: String) {
        #expect(ByteSize.render(bytes) == expected)
        #expect(ByteSize.parse(expected) == bytes)
    }

    @Test(arguments: [
        ("0.0.0.0:1883", HostPort(host: "0.0.0.0", port: 1883)), ("localhost:0", HostPort(host: "localhost", port: 0)),
        ("[::]:1883", HostPort(host: "::", port: 1883)), ("[::1]:65535", HostPort(host: "::1", port: 65535)),
        ("[fe80::1%eth0]:1883", HostPort(host: "fe80::1%eth0", port: 1883)),
        ("broker-1.example_net:8883", HostPort(host: "broker-1.example_net", port: 8883)),
    ])
    func hostPort_parses_whenWellFormed(text: String, expected: HostPort) {
        #expect(HostPort(text) == expected)
        #expect(HostPort(text)?.description == text)
    }

    @Test(arguments: [
        "foo", ":1883", "host:", "::1:1883", "[::1]", "[::1]1883", "[]:1883", "host:port", "host:-1", "host:65536",
        "ho st:1883", "host:1883 ", "[zz::1]:1883",
    ])
    func hostPort_isRejected_whenMalformed(text: String) {
        #expect(HostPort(text) == nil, "\(text)")
    }

    @Test(arguments: [
        ("mqtt.max_pakcet_size", "mqtt.max_packet_size"), ("mqtt.recieve_maximum", "mqtt.receive_maximum"),
        ("max_packet_size", "mqtt.max_packet_size"), ("listeners.tcp.bnd", "listeners.tcp.bind"),
    ])
    func suggestion_findsIntendedKey_whenMisspeltOrMisplaced(typed: String, intended: String) {
        #expect(StarlingConfiguration.suggestion(for: typed) == intended)
    }

    @Test(arguments: ["mqtt.bananas", "zzz", "listeners.udp.port"])
    func suggestion_isNil_whenNothingIsClose(typed: String) {
        #expect(StarlingConfiguration.suggestion(for: typed) == nil, "\(typed)")
    }
}
