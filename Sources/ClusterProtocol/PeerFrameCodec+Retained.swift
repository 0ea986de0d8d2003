import MQTTCodec
import NIOCore

extension PeerFrameCodec {
    /// The fewest bytes a retained entry takes: two empty strings, the timestamp and the kind.
    static let minimumRetainedEntryLength = 2 + 8 + 4 + 2 + 1

    enum RetainedEntryKind: UInt8 {
        case message = 1
        case tombstone = 2
    }

    /// RETAINED_SNAPSHOT flags: bit 0 marks the last frame; the other bits must be 0.
    static let lastSnapshotFrameFlag: UInt8 = 0x01
}

extension ByteBuffer {
    mutating func writeRetainedUpdates(_ updates: PeerFrame.RetainedUpdates) {
        writeRetainedEntries(updates.entries)
    }

    mutating func readRetainedUpdates() throws(PeerFrameError) -> PeerFrame.RetainedUpdates {
        PeerFrame.RetainedUpdates(entries: try readRetainedEntries())
    }

    mutating func writeRetainedSnapshot(_ snapshot: PeerFrame.RetainedSnapshot) {
        writeInteger(snapshot.isLast ? PeerFrameCodec.lastSnapshotFrameFlag : 0)
        writeRetainedEntries(snapshot.entries)
    }

    mutating func readRetainedSnapshot() throws(PeerFrameError) -> PeerFrame.RetainedSnapshot {
        let flags: UInt8 = try readPeerInteger("snapshot flags")
        guard flags & ~PeerFrameCodec.lastSnapshotFrameFlag == 0 else {
            throw .invalidValue(field: "snapshot flags", value: UInt64(flags))
        }
        let entries = try readRetainedEntries()
        return PeerFrame.RetainedSnapshot(isLast: flags & PeerFrameCodec.lastSnapshotFrameFlag != 0, entries: entries)
    }

    private mutating func writeRetainedEntries(_ entries: [PeerFrame.RetainedEntry]) {
        writeInteger(UInt32(entries.count))
        for entry in entries { writeRetainedEntry(entry) }
    }

    private mutating func readRetainedEntries() throws(PeerFrameError) -> [PeerFrame.RetainedEntry] {
        let count = Int(try readPeerInteger("entry count") as UInt32)
        // Never reserve for more entries than the body could hold.
        guard count <= PeerFrameCodec.maximumMessages,
            count <= readableBytes / PeerFrameCodec.minimumRetainedEntryLength
        else {
            throw .tooMany(field: "retained entries", count: count)
        }
        var entries: [PeerFrame.RetainedEntry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(try readRetainedEntry()) }
        return entries
    }

    mutating func writeRetainedEntry(_ entry: PeerFrame.RetainedEntry) {
        writePeerString(entry.topic)
        writeInteger(entry.wallMilliseconds)
        writeInteger(entry.logical)
        writePeerString(entry.origin)
        switch entry.content {
        case .message(let publish):
            writeInteger(PeerFrameCodec.RetainedEntryKind.message.rawValue)
            writeEmbeddedPublish(publish)
        case .tombstone:
            writeInteger(PeerFrameCodec.RetainedEntryKind.tombstone.rawValue)
        }
    }

    mutating func readRetainedEntry() throws(PeerFrameError) -> PeerFrame.RetainedEntry {
        let topic = try readPeerString("retained topic")
        let wallMilliseconds: UInt64 = try readPeerInteger("timestamp")
        let logical: UInt32 = try readPeerInteger("logical counter")
        let origin = try readPeerString("origin node")
        let kindByte: UInt8 = try readPeerInteger("entry kind")
        let content: PeerFrame.RetainedEntry.Content
        switch PeerFrameCodec.RetainedEntryKind(rawValue: kindByte) {
        case .message:
            let publish = try readEmbeddedPublish()
            // Bytes, not Unicode equivalence: topics are compared as UTF-8 everywhere else too.
            guard publish.topic.utf8.elementsEqual(topic.utf8) else {
                throw .invalidPublish("topic differs from the entry's")
            }
            content = .message(publish)
        case .tombstone:
            content = .tombstone
        case nil:
            throw .invalidValue(field: "entry kind", value: UInt64(kindByte))
        }
        return PeerFrame.RetainedEntry(
            topic: topic,
            wallMilliseconds: wallMilliseconds,
            logical: logical,
            origin: origin,
            content: content
        )
    }
}
