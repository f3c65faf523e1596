import Foundation
import IngestCore

/// One screen of plain text from a `StatusSnapshot`: what `ingestd status` prints and
/// `ingestd top` redraws. No colours, so it reads the same in a pipe, a log or a terminal.
public enum StatusScreen {
    public static func render(_ s: StatusSnapshot, now: Date = Date(), processAlive: Bool? = nil) -> String {
        var out: [String] = []
        let state: String
        if !s.running {
            state = "stopped at \(Timestamp.rfc3339(s.writtenAt))"
        } else if processAlive == false {
            state = "not running (no process \(s.pid); last status \(age(now.timeIntervalSince(s.writtenAt))) old)"
        } else if now.timeIntervalSince(s.writtenAt) > StatusReporter.interval * 5 {
            state = "not responding? (last status \(age(now.timeIntervalSince(s.writtenAt))) old)"
        } else {
            state = "running"
        }
        out.append("ingestd \(s.version) · pipeline \(s.pipeline) · \(state) · pid \(s.pid) · up \(age(s.writtenAt.timeIntervalSince(s.startedAt)))"
                   + (s.metrics.map { " · metrics http://\($0)/metrics" } ?? ""))
        let c = s.counts
        out.append("documents  received \(c.received)  recorded \(c.recorded)  dropped \(c.dropped)  rejected \(c.rejected)"
                   + "  records \(bytes(c.recordsBytes))")
        out.append("rates      \(rate(s.rates.docsPerSecond)) docs/s  \(rate(s.rates.recordsPerSecond)) records/s")
        out.append("queue      queued \(s.queued)  in flight \(s.inFlight)/\(s.maxInFlight)")
        out.append("stages     " + s.stages.map { st in
            st.health == "ready" ? "\(st.name) ready" : "\(st.name) \(st.health.uppercased())" + (st.detail.map { ": \($0)" } ?? "")
        }.joined(separator: " · "))
        guard !s.sources.isEmpty else { return out.joined(separator: "\n") + "\n" }
        out.append("sources    \(SourceHealthSummary(s.sources))")
        let width = min(60, max(3, s.sources.map(\.url.count).max() ?? 3))
        out.append("  " + pad("URL", width) + "  STATUS  FAILS  LAST TRY  LAST OK   ITEMS/DAY  NEWEST")
        for h in s.sources {
            let url = h.url.count > width ? String(h.url.prefix(width - 1)) + "…" : h.url
            let status = h.lastStatus.map { $0.hasPrefix("error") ? "error" : $0 } ?? "-"
            out.append("  " + pad(url, width) + "  " + pad(status, 6) + "  " + pad(String(h.consecutiveFailures), 5) + "  "
                       + pad(ago(h.lastAttempt, now), 8) + "  " + pad(ago(h.lastSuccess, now), 8) + "  "
                       + pad(rate(h.itemsPerDay), 9) + "  " + (h.secondsSinceNewestItem(at: now).map(age) ?? "-"))
        }
        for h in s.sources where h.isFailing {
            out.append("  ! \(h.url): \(h.consecutiveFailures) failed polls since \(h.failingSince.map(Timestamp.rfc3339) ?? "?")"
                       + (h.lastStatus.map { ", last: \($0)" } ?? ""))
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }

    static func rate(_ r: Double) -> String { String(format: r >= 100 ? "%.0f" : "%.1f", r) }

    static func ago(_ date: Date?, _ now: Date) -> String { date.map { age(now.timeIntervalSince($0)) + " ago" } ?? "never" }

    /// 42s, 7m05s, 3h12m, 2d04h.
    static func age(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3_600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        if s < 86_400 { return String(format: "%dh%02dm", s / 3_600, s % 3_600 / 60) }
        return String(format: "%dd%02dh", s / 86_400, s % 86_400 / 3_600)
    }

    static func bytes(_ n: Int) -> String {
        if n < 1_000 { return "\(n) B" }
        if n < 1_000_000 { return String(format: "%.1f kB", Double(n) / 1e3) }
        if n < 1_000_000_000 { return String(format: "%.1f MB", Double(n) / 1e6) }
        return String(format: "%.2f GB", Double(n) / 1e9)
    }
}
