import Foundation
import Testing

@testable import StarlingServer

@Suite("Event loops follow the CPUs a process may use")
struct UsableProcessorsTests {
    @Test("the Cpus_allowed mask is counted across its comma-separated words")
    func countsMaskBits() {
        let status = "Name:\tstarling\nCpus_allowed:\t00000000,00000005\nCpus_allowed_list:\t0,2\n"
        #expect(UsableProcessors.allowedCPUs(status: status) == 2)
        #expect(UsableProcessors.allowedCPUs(status: "Cpus_allowed:\tff,00000001\n") == 9)
    }

    @Test("a status without a readable mask says nothing, and the core count stands")
    func missingMask() {
        #expect(UsableProcessors.allowedCPUs(status: "Name:\tstarling\n") == nil)
        #expect(UsableProcessors.allowedCPUs(status: "Cpus_allowed:\tzz\n") == nil)
        #expect(UsableProcessors.count >= 1)
    }

    @Test(
        "a process started under `taskset -c 0` counts one usable CPU",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset"), "needs taskset")
    )
    func tasksetPinsToOneLoop() throws {
        // A child process inherits the mask; it reads its own status as the broker would.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
        process.arguments = ["-c", "0", "/bin/cat", "/proc/self/status"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(UsableProcessors.allowedCPUs(status: String(decoding: data, as: UTF8.self)) == 1)
    }
}
