import NIOCore
import NIOPosix

/// The address peers are told to use when none is configured.
enum AdvertisedAddress {
    /// The bound host, or for a wildcard bind the first non-loopback IPv4 address of the host
    /// (loopback when there is none, which suits a cluster on one machine).
    static func derive(bindHost: String, port: Int) -> String {
        guard bindHost == "0.0.0.0" || bindHost == "::" || bindHost.isEmpty else {
            return PeerAddress.text(host: bindHost, port: port)
        }
        let devices = (try? System.enumerateDevices()) ?? []
        let candidate = devices.lazy.compactMap { device -> String? in
            guard let address = device.address, case .v4 = address, let ip = address.ipAddress, !ip.hasPrefix("127.")
            else {
                return nil
            }
            return ip
        }.first
        return PeerAddress.text(host: candidate ?? "127.0.0.1", port: port)
    }
}
