import Glibc

/// 16 hex digits of wall-clock nanoseconds, strictly increasing within this process, so claim
/// names sort in claim order and never repeat (across restarts too, the clock having moved on).
struct ClaimStamps {
    private var last: UInt64 = 0

    mutating func next() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let now = UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
        last = max(now, last + 1)
        let hex = String(last, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}
