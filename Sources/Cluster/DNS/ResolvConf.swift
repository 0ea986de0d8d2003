#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The nameservers of `/etc/resolv.conf` (resolv.conf(5)). Only `nameserver` lines are read: names are
/// asked about as given, so `search`, `ndots` and `options` do not apply.
enum ResolvConf {
    static let defaultPath = "/etc/resolv.conf"
    /// The resolver's own fallback when the file names no nameserver.
    static let fallback = ["127.0.0.1"]
    /// A resolv.conf larger than this is read only this far.
    static let maximumLength = 64 * 1024

    /// The addresses on `nameserver` lines, in file order. Comments start with `#` or `;`.
    static func nameservers(in text: String) -> [String] {
        var servers: [String] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let content = line.prefix { $0 != "#" && $0 != ";" }
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { continue }
            servers.append(String(fields[1]))
        }
        return servers
    }

    /// The nameservers of the file at `path`, or ``fallback`` when it names none or cannot be read.
    /// Blocks: call it off the event loops.
    static func nameservers(path: String = defaultPath) -> [String] {
        guard let text = read(path), case let servers = nameservers(in: text), !servers.isEmpty else {
            return fallback
        }
        return servers
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: maximumLength)
        let count = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }
}
