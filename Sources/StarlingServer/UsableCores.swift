import Foundation
import NIOCore

/// How many CPUs this process may run on: NIO's `System.coreCount` (which honours cgroup
/// quotas and cpusets), further limited on Linux by the scheduler affinity mask that
/// `taskset` or `numactl` set.
///
/// One event loop per usable CPU: a process pinned to one CPU with an event loop per core
/// of the machine would pass messages between threads that can never run at once, and pay a
/// context switch for every hop.
enum UsableCores {
    static var count: Int {
        max(1, min(System.coreCount, affinityCount() ?? .max))
    }

    /// CPUs in this process's affinity mask, from the `Cpus_allowed` line of /proc/self/status
    /// (comma-separated 32-bit hex groups); nil where there is no such line.
    static func affinityCount(status path: String = "/proc/self/status") -> Int? {
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return status.split(separator: "\n").lazy.compactMap(cpusAllowed(line:)).first
    }

    static func cpusAllowed(line: Substring) -> Int? {
        let prefix = "Cpus_allowed:"
        guard line.hasPrefix(prefix) else { return nil }
        var count = 0
        for group in line.dropFirst(prefix.count).split(separator: ",") {
            guard let mask = UInt32(group.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            count += mask.nonzeroBitCount
        }
        return count > 0 ? count : nil
    }
}
