/// Which node keeps the directory record of a client identifier: rendezvous (highest random weight)
/// hashing over the members a node can reach.
///
/// Every node computes the same owner from the same member list without talking to anyone, and when a
/// member joins or leaves only the identifiers it owns (or comes to own) change hands — about 1/N of them.
/// The hash is FNV-1a with a final mix: stable across processes and platforms, unlike `Hasher`.
enum DirectoryPlacement {
    static func owner(of clientID: String, among members: some Sequence<String>) -> String? {
        var best: (weight: UInt64, name: String)?
        for member in members {
            let weight = Self.weight(member: member, clientID: clientID)
            if let current = best, current.weight > weight || (current.weight == weight && current.name < member) {
                continue
            }
            best = (weight, member)
        }
        return best?.name
    }

    static func weight(member: String, clientID: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in member.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash = (hash ^ 0xff) &* 0x0000_0100_0000_01b3  // a separator no UTF-8 string contains
        for byte in clientID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        // splitmix64's finaliser: spreads FNV's weak low bits over the whole word.
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }
}
