import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every address a host name resolves to (A and AAAA), by getaddrinfo. Blocks: call it off the event loops.
enum HostLookup {
    struct Failure: Error, CustomStringConvertible {
        let host: String
        let code: Int32
        var description: String { "cannot resolve \(host): \(String(cString: gai_strerror(code)))" }
    }

    static func addresses(of host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_DGRAM
        #else
            hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &result)
        guard code == 0 else { throw Failure(host: host, code: code) }
        defer { freeaddrinfo(result) }
        var addresses: [SocketAddress] = []
        var cursor = result
        while let info = cursor {
            switch info.pointee.ai_family {
            case AF_INET:
                info.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    addresses.append(SocketAddress($0.pointee, host: host))
                }
            case AF_INET6:
                info.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    addresses.append(SocketAddress($0.pointee, host: host))
                }
            default:
                break
            }
            cursor = info.pointee.ai_next
        }
        var seen = Set<String>()
        return addresses.filter { seen.insert(PeerAddress.text($0) ?? "").inserted }
    }
}
