#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock timing of the analysis stages, printed to stderr when COREVIEW_TIMING is set (for the
/// benchmark; silent otherwise).
public enum StageTimer {
    static let enabled = getenv("COREVIEW_TIMING") != nil
    nonisolated(unsafe) static var last = now()
    nonisolated(unsafe) static var started = now()

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    nonisolated(unsafe) static var peakAnonKB = 0

    /// Starts the clock (call first thing) and, when timing, a sampler of the peak anonymous memory
    /// (what the analysis itself holds, apart from the mapped core's pages) every 20 ms.
    public static func start() {
        last = now()
        started = last
        guard enabled else { return }
        var thread = pthread_t()
        _ = pthread_create(&thread, nil, { _ in
            while true {
                StageTimer.peakAnonKB = max(StageTimer.peakAnonKB, StageTimer.statusKB("RssAnon:") ?? 0)
                usleep(20_000)
            }
        }, nil)
    }

    /// Prints the peak anonymous and the peak total resident memory (call last).
    public static func finish() {
        guard enabled else { return }
        let anon = max(peakAnonKB, statusKB("RssAnon:") ?? 0)
        let text = "timing: finished at \(formatSeconds(now() - started)) s; peak anon RSS \(anon / 1024) MiB (beyond the mapped core), peak RSS \((statusKB("VmHWM:") ?? 0) / 1024) MiB\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }

    static func statusKB(_ key: String) -> Int? {
        guard let f = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, 256, f) != nil {
            let s = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if s.hasPrefix(key) { return Int(s.dropFirst(key.count).trimmingSpaces().split(separator: " ").first ?? "") }
        }
        return nil
    }

    /// Reports the time since the previous mark and the process's current resident anonymous memory.
    public static func mark(_ stage: String) {
        guard enabled else { return }
        let t = now()
        let anon = statusKB("RssAnon:").map { "\($0) kB" } ?? "?"
        let text = "timing: \(stage) \(formatSeconds(t - last)) s (anon RSS \(anon), peak so far \(peakAnonKB / 1024) MiB)\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
        last = t
    }

    /// Reports, from a background thread, that `stage` ended (seconds since the start).
    public static func background(_ stage: String) {
        guard enabled else { return }
        let anon = statusKB("RssAnon:").map { "\($0) kB" } ?? "?"
        let text = "timing: [background] \(stage) done at \(formatSeconds(now() - started)) s (anon RSS \(anon), peak so far \(peakAnonKB / 1024) MiB)\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }

    static func formatSeconds(_ s: Double) -> String {
        let ms = max(0, Int((s * 1000).rounded()))
        let frac = String(ms % 1000)
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
    }
}
