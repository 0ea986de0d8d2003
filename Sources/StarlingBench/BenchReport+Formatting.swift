import MQTTCodec

/// The two outputs of a run: one JSON line for scripts, a few aligned lines for people.
extension BenchReport {
    /// One line of JSON. Keys come in a fixed order; a measure the scenario does not take is `null`.
    public var jsonLine: String {
        var json = JSONObjectWriter()
        json.add("scenario", string: scenario.rawValue)
        json.add("sent", sent)
        json.add("received", delivery?.received)
        json.add("expected", delivery?.expected)
        json.add("lost", delivery?.lost)
        json.add("duplicated", delivery?.duplicated)
        json.add("reordered", delivery?.reordered)
        json.add("send_rate", sendRate)
        json.add("recv_rate", receiveRate)
        json.add("latency_us", object: latency.map(Self.json))
        json.add("connect_failures", UInt64(connectFailures))
        json.add("disconnects", disconnects)
        json.add("acknowledged", acknowledged)
        json.add("rejected", rejected)
        json.add("malformed", delivery?.malformed)
        json.add("expected_exact", bool: delivery.map(\.expectedIsExact))
        if latency != nil {
            json.add("latency_kind", string: latencyKind.rawValue)
        } else {
            json.add("latency_kind", object: nil)
        }
        json.add("connections", UInt64(connected))
        json.add("connect_rate", connectRate)
        json.add("connect_latency_us", object: connectLatency.map(Self.json))
        var paused = JSONObjectWriter()
        paused.add("inflight_full", pausedInflightFull)
        paused.add("not_writable", pausedNotWritable)
        json.add("paused", object: paused.text)
        json.add("protocol", string: protocolVersion == .v5 ? "5" : "3.1.1")
        json.add("qos", UInt64(qos.rawValue))
        json.add("duration_s", measuredSeconds)
        json.add("passed", bool: passed)
        return json.text
    }

    private static func json(_ summary: LatencySummary) -> String {
        var json = JSONObjectWriter()
        json.add("p50", summary.p50)
        json.add("p90", summary.p90)
        json.add("p99", summary.p99)
        json.add("p999", summary.p999)
        json.add("max", summary.max)
        return json.text
    }

    /// A few aligned lines: what ran, the counts and rates, latency, connections, the verdict.
    public var humanSummary: String {
        var lines: [String] = []
        func line(_ label: String, _ text: String) {
            lines.append(label.padding(to: 12) + text)
        }
        let version = protocolVersion == .v5 ? "MQTT 5" : "MQTT 3.1.1"
        line(
            "scenario",
            "\(scenario.rawValue), \(version), QoS \(qos.rawValue), \(clients) clients, "
                + "\(Self.decimal(measuredSeconds)) s measured"
        )
        if let sent {
            var text = "\(sent) msgs".padding(to: 16) + "\(Self.decimal(sendRate ?? 0)) msg/s"
            if let acknowledged, qos != .atMostOnce {
                text += "   acknowledged \(acknowledged)"
                if let rejected, rejected > 0 { text += ", rejected \(rejected)" }
            }
            line("sent", text)
        }
        if let delivery {
            let expected = "expected \(delivery.expected)\(delivery.expectedIsExact ? "" : " (inferred)")"
            line(
                "received",
                "\(delivery.received) msgs".padding(to: 16) + "\(Self.decimal(receiveRate ?? 0)) msg/s".padding(to: 18)
                    + expected
            )
            var text = "lost \(delivery.lost), duplicated \(delivery.duplicated), reordered \(delivery.reordered)"
            if delivery.malformed > 0 { text += ", malformed \(delivery.malformed)" }
            line("delivery", text)
        }
        if let latency {
            line(latencyKind == .delivery ? "latency µs" : "ack lat. µs", Self.percentiles(latency))
        }
        if pausedInflightFull + pausedNotWritable > 0 {
            line("paused", "inflight full \(pausedInflightFull), socket busy \(pausedNotWritable)")
        }
        line(
            "connections",
            "\(connected) ok, \(connectFailures) failed, \(disconnects) lost, \(Self.decimal(connectRate)) conn/s"
        )
        if let connectLatency { line("connect µs", Self.percentiles(connectLatency)) }
        for (reason, count) in failures.sorted(by: { $0.value > $1.value }).prefix(5) {
            line("failure", "\(count)× \(reason)")
        }
        let checks = failedChecks
        line("result", checks.isEmpty ? "PASS" : "FAIL: " + checks.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }

    private static func percentiles(_ summary: LatencySummary) -> String {
        "p50 \(summary.p50)  p90 \(summary.p90)  p99 \(summary.p99)  p99.9 \(summary.p999)  max \(summary.max)"
    }

    /// One decimal place, without Foundation's formatter.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "0.0" }
        let tenths = (abs(value) * 10).rounded()
        guard tenths < 1e18 else { return String(value) }
        let whole = UInt64(tenths) / 10
        let fraction = UInt64(tenths) % 10
        return (value < 0 && tenths > 0 ? "-" : "") + "\(whole).\(fraction)"
    }
}

/// Builds one flat JSON object in insertion order. Values are numbers, booleans, fixed strings
/// (escaped) or nested objects already written.
struct JSONObjectWriter {
    private var body = ""

    var text: String { "{" + body + "}" }

    mutating func add(_ key: String, _ value: UInt64?) {
        append(key, value.map { String($0) })
    }

    mutating func add(_ key: String, _ value: Double?) {
        append(key, value.map { BenchReport.decimal($0) })
    }

    mutating func add(_ key: String, bool value: Bool?) {
        append(key, value.map { $0 ? "true" : "false" })
    }

    mutating func add(_ key: String, string value: String) {
        append(key, Self.quoted(value))
    }

    mutating func add(_ key: String, object value: String?) {
        append(key, value)
    }

    private mutating func append(_ key: String, _ raw: String?) {
        if !body.isEmpty { body += "," }
        body += Self.quoted(key) + ":" + (raw ?? "null")
    }

    static func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
