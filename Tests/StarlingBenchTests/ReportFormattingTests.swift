import MQTTCodec
import Testing

@testable import StarlingBench

@Suite("Report formatting")
struct ReportFormattingTests {
    private func pubsubReport(lost: Bool = false, qos: QoS = .atLeastOnce) -> BenchReport {
        var delivery = DeliveryTally()
        delivery.received = 2_000
        delivery.unique = lost ? 1_990 : 2_000
        delivery.expected = 2_000
        delivery.expectedIsExact = true
        return BenchReport(
            scenario: .pubsub,
            protocolVersion: .v5,
            qos: qos,
            clients: 4,
            connected: 4,
            connectFailures: 0,
            measuredSeconds: 10,
            sent: 1_000,
            acknowledged: 1_000,
            rejected: 0,
            delivery: delivery,
            sendRate: 100,
            receiveRate: 200.25,
            latency: LatencySummary(count: 2_000, p50: 300, p90: 500, p99: 1_000, p999: 9_000, max: 20_000),
            connectRate: 1234.56,
            connectLatency: LatencySummary(count: 4, p50: 100, p90: 200, p99: 300, p999: 300, max: 300)
        )
    }

    @Test func jsonLine_startsWithTheDocumentedKeysInOrder() {
        let json = pubsubReport().jsonLine
        let prefix = """
            {"scenario":"pubsub","sent":1000,"received":2000,"expected":2000,"lost":0,"duplicated":0,"reordered":0,\
            "send_rate":100.0,"recv_rate":200.3,"latency_us":{"p50":300,"p90":500,"p99":1000,"p999":9000,"max":20000},\
            "connect_failures":0,
            """
        #expect(json.hasPrefix(prefix), "\(json)")
        #expect(json.hasSuffix(",\"passed\":true}"))
        #expect(!json.contains("\n"))
    }

    @Test func jsonLine_writesNull_forMeasuresTheScenarioDoesNotTake() {
        let report = BenchReport(
            scenario: .conn,
            protocolVersion: .v3_1_1,
            qos: .atMostOnce,
            clients: 10,
            connected: 10,
            connectFailures: 0,
            measuredSeconds: 5,
            connectRate: 500
        )
        let json = report.jsonLine
        #expect(json.hasPrefix(#"{"scenario":"conn","sent":null,"received":null,"expected":null,"lost":null,"#))
        #expect(json.contains(#""latency_us":null,"connect_failures":0,"#))
        #expect(json.contains(#""connections":10,"connect_rate":500.0,"#))
        #expect(json.contains(#""protocol":"3.1.1""#))
    }

    @Test func passed_isFalse_whenPubsubAtQoS1LostMessages() {
        let report = pubsubReport(lost: true)
        #expect(!report.passed)
        #expect(report.failedChecks == ["10 message(s) lost"])
        #expect(report.jsonLine.contains(#""lost":10,"#))
        #expect(report.humanSummary.contains("FAIL: 10 message(s) lost"))
    }

    @Test func passed_isTrue_whenPubsubAtQoS0LostMessages() {
        #expect(pubsubReport(lost: true, qos: .atMostOnce).passed)
    }

    @Test func passed_isFalse_whenAConnectionFailed() {
        var report = pubsubReport()
        report.connectFailures = 1
        #expect(!report.passed)
        #expect(report.jsonLine.contains(#""connect_failures":1,"#))
    }

    @Test func humanSummary_alignsValuesInOneColumn() {
        let lines = pubsubReport().humanSummary.split(separator: "\n")
        #expect(lines.count >= 6)
        for line in lines {
            #expect(line.count > 12 && line[line.index(line.startIndex, offsetBy: 11)] == " ", "\(line)")
            #expect(line[line.index(line.startIndex, offsetBy: 12)] != " ", "\(line)")
        }
        #expect(lines.last == "result      PASS")
    }

    @Test(arguments: [(0.0, "0.0"), (1.25, "1.3"), (99.94, "99.9"), (-2.5, "-2.5"), (1234567.0, "1234567.0")])
    func decimal_roundsToOnePlace(_ value: Double, _ text: String) {
        #expect(BenchReport.decimal(value) == text)
    }

    @Test func quoted_escapesQuotesBackslashesAndControlCharacters() {
        #expect(JSONObjectWriter.quoted("a\"b\\c\nd\u{1}") == #""a\"b\\c\nd\u0001""#)
    }
}
