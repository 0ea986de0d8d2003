import Testing

@testable import Cluster

/// The directory records of client identifiers and their placement on members.
@Suite("Session directory and placement")
struct SessionDirectoryTests {
    @Test func claims_returnThePreviousHolder_inTheOrderTheyArrive() {
        var directory = SessionDirectory()
        let first = directory.claim("c", by: "a", at: 10)
        let second = directory.claim("c", by: "b", at: 11)
        let third = directory.claim("c", by: "a", at: 12)
        #expect(first.previous == nil)
        #expect(second.previous == "a")
        #expect(third.previous == "b")
        #expect([first.generation, second.generation, third.generation] == [1, 2, 3], "generations order claims")
        #expect(directory.holder(of: "c") == "a")
    }

    @Test func registration_ofTwoHolders_keepsTheLaterClaim_andNamesTheLoser() {
        var directory = SessionDirectory()
        #expect(directory.register("c", by: "a", at: 100) == nil)
        let conflict = directory.register("c", by: "b", at: 200)
        #expect(conflict?.loser == "a")
        #expect(conflict?.winner == "b")
        #expect(directory.holder(of: "c") == "b")
        // An older registration loses and changes nothing.
        let stale = directory.register("c", by: "z", at: 150)
        #expect(stale?.loser == "z")
        #expect(directory.holder(of: "c") == "b")
        // Equal claim times: the same session, pushed on to the registrant, which holds it now.
        var moved = SessionDirectory()
        _ = moved.register("t", by: "b", at: 5)
        #expect(moved.register("t", by: "a", at: 5)?.winner == "a")
        #expect(moved.holder(of: "t") == "a")
    }

    @Test func end_ofASessionRemovesItsRecord_onlyFromItsHolder() {
        var directory = SessionDirectory()
        _ = directory.claim("c", by: "a", at: 1)
        _ = directory.claim("c", by: "b", at: 2)
        directory.ended("c", by: "a")  // a's old session ended after b took over: b's record stays
        #expect(directory.holder(of: "c") == "b")
        directory.ended("c", by: "b")
        #expect(directory.holder(of: "c") == nil)
    }

    @Test func deadHolder_losesItsRecords() {
        var directory = SessionDirectory()
        _ = directory.claim("x", by: "a", at: 1)
        _ = directory.claim("y", by: "b", at: 1)
        directory.removeHolder("a")
        #expect(directory.holder(of: "x") == nil)
        #expect(directory.holder(of: "y") == "b")
        #expect(directory.count == 1)
    }

    @Test func placement_isStable_andIndependentOfMemberOrder() {
        let members = ["node-a", "node-b", "node-c"]
        for index in 0..<200 {
            let clientID = "client-\(index)"
            let owner = DirectoryPlacement.owner(of: clientID, among: members)
            #expect(owner == DirectoryPlacement.owner(of: clientID, among: members.reversed()))
        }
        #expect(DirectoryPlacement.owner(of: "anything", among: [String]()) == nil)
        // The weight as the documented hash gives it (FNV-1a 64, separator 0xFF, splitmix64 finaliser, worked
        // out by hand outside the code): it must never change between versions, or nodes would disagree.
        #expect(DirectoryPlacement.weight(member: "node-a", clientID: "client-1") == 0x18fa_5db7_dfcc_3bd8)
    }

    @Test func placement_movesOnlyTheIdentifiersOfAMemberThatLeaves() {
        let before = ["n1", "n2", "n3", "n4"]
        let after = ["n1", "n2", "n4"]
        var moved = 0
        var owned = [String: Int]()
        for index in 0..<4_000 {
            let clientID = "c\(index)"
            let old = DirectoryPlacement.owner(of: clientID, among: before)!
            let new = DirectoryPlacement.owner(of: clientID, among: after)!
            owned[old, default: 0] += 1
            if old != new {
                moved += 1
                #expect(old == "n3", "only n3's identifiers move")
            }
        }
        #expect(moved == owned["n3"])
        // Each of four members owns roughly a quarter.
        for member in before { #expect((800...1_200).contains(owned[member] ?? 0), "\(member): \(owned[member] ?? 0)") }
    }
}
