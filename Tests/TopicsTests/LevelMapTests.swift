import Testing

@testable import Topics

@Suite struct LevelMapTests {
    final class Child {
        let name: String
        init(_ name: String) { self.name = name }
    }

    private func lookUp(_ map: LevelMap<Child>, _ level: String) -> String? {
        withUTF8Bytes(of: level) { map[$0]?.name }
    }

    private func insert(_ map: inout LevelMap<Child>, _ level: String) {
        withUTF8Bytes(of: level) { map.insert(.borrowed($0), Child(level)) }
    }

    private func remove(_ map: inout LevelMap<Child>, _ level: String) {
        withUTF8Bytes(of: level) { map.remove(.borrowed($0)) }
    }

    @Test("level map finds every child as it grows into a dictionary and shrinks back into an array")
    func levelMap_findsEveryChild_acrossBothRepresentations() {
        var map = LevelMap<Child>()
        let levels = (0..<20).map { "level-\($0)" }
        for (count, level) in levels.enumerated() {
            insert(&map, level)
            #expect(map.count == count + 1)
            #expect(map.many.isEmpty == (count + 1 <= LevelMap<Child>.maximumFewCount))
            #expect(levels[...count].allSatisfy { lookUp(map, $0) == $0 })
            #expect(lookUp(map, "level-x") == nil)
        }
        for (count, level) in levels.enumerated().reversed() {
            remove(&map, level)
            #expect(map.count == count)
            #expect(lookUp(map, level) == nil)
            #expect(levels[..<count].allSatisfy { lookUp(map, $0) == $0 })
        }
        #expect(map.isEmpty)
        #expect(map.many.isEmpty)
    }

    @Test("level map tells apart levels of one length that share their first 16 bytes")
    func levelMap_tellsApartLongLevels_sharingTheirPrefix() {
        var map = LevelMap<Child>()
        insert(&map, "0123456789abcdef-one")
        insert(&map, "0123456789abcdef-two")
        #expect(lookUp(map, "0123456789abcdef-one") == "0123456789abcdef-one")
        #expect(lookUp(map, "0123456789abcdef-two") == "0123456789abcdef-two")
        #expect(lookUp(map, "0123456789abcdef-six") == nil)
        #expect(lookUp(map, "0123456789abcdef") == nil)
    }

    @Test("level map keeps its own copy of a borrowed level")
    func levelMap_keepsOwnCopy_ofBorrowedLevel() {
        var map = LevelMap<Child>()
        var bytes = Array("level".utf8)
        bytes.withUnsafeBytes { map.insert(.borrowed($0), Child("level")) }
        bytes[0] = UInt8(ascii: "X")
        #expect(lookUp(map, "level") == "level")
    }
}
