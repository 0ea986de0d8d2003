import Foundation
import Logging

/// Writes one line per event to standard error, metadata sorted by key:
///
///     2026-11-22T05:31:17.123Z info starling: listening address=0.0.0.0:1883
struct StandardErrorLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    init(label: String, logLevel: Logger.Level) {
        self.label = label
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let attached = event.metadata { merged.merge(attached) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        var line = Date.now.formatted(Self.timestampStyle)
        line += " \(event.level.rawValue) \(label): \(Self.singleLine(event.message.description))"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(Self.quotedIfNeeded(value.description))"
        }
        line += "\n"
        // One write per event, so lines from different threads do not interleave.
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Keeps an event on one line, so each line of the log is one event.
    private static func singleLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Values with spaces, quotes or `=` are quoted, so `key=value` pairs can be split again.
    private static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0.isWhitespace || $0 == "\"" || $0 == "=" }
        guard needsQuotes else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"" + singleLine(escaped) + "\""
    }
}
