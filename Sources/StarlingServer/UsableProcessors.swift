import Foundation
import NIOCore

/// How many CPUs this process can actually run on, which is how many event loops it should run.
///
/// `System.coreCount` honours the cgroup's CPU limit but not the affinity mask: a broker started
/// with `taskset -c 0` would still run one loop per core of the machine, and its loops would then
/// take turns on the one CPU it may use, each hop between them waiting for the scheduler.
public enum UsableProcessors {
    public static var count: Int {
        let limit = System.coreCount
        let allowed = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)).flatMap(allowedCPUs(status:))
        return max(1, min(limit, allowed ?? limit))
    }

    /// The CPUs in the `Cpus_allowed` mask of a `/proc/PID/status` text (comma-separated hex
    /// words, e.g. `ff,00000001`); nil when there is no such line or it does not parse.
    static func allowedCPUs(status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else {
            return nil
        }
        var count = 0
        for word in line.dropFirst("Cpus_allowed:".count).split(separator: ",") {
            guard let bits = UInt64(word.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            count += bits.nonzeroBitCount
        }
        return count > 0 ? count : nil
    }
}
