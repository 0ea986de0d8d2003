import Testing

@testable import StarlingServer

@Suite("UsableCores")
struct UsableCoresTests {
    @Test("Cpus_allowed counts the set bits of every hex group")
    func cpusAllowed_countsBits() {
        #expect(UsableCores.cpusAllowed(line: "Cpus_allowed:\t1") == 1)
        #expect(UsableCores.cpusAllowed(line: "Cpus_allowed:\tf") == 4)
        #expect(UsableCores.cpusAllowed(line: "Cpus_allowed:\tffffffff,00000003") == 34)
    }

    @Test("other lines, and masks that do not parse, give nil")
    func otherLines_giveNil() {
        #expect(UsableCores.cpusAllowed(line: "Cpus_allowed_list:\t0-1") == nil)
        #expect(UsableCores.cpusAllowed(line: "Cpus_allowed:\tzz") == nil)
        #expect(UsableCores.cpusAllowed(line: "Cpus_allowed:\t0") == nil)
    }

    @Test("this process may run on at least one CPU")
    func count_isPositive() {
        #expect(UsableCores.count >= 1)
    }
}
