import IngestCore

/// The one line `systemctl status ingestd` shows (sd_notify `STATUS=`): counts, the queue and
/// the sources, e.g. "recorded 12,345 · rejected 3 · queue 0 · watching /srv/inbox · feeds 4/4 ok".
enum StatusLine {
    /// - Parameter health: each URL's health; "feeds N/M ok" is added when there are URLs.
    static func make(_ counters: PipelineRunner.Counters, queued: Int, sources: [String], health: [SourceHealth] = []) -> String {
        let feeds = health.isEmpty ? [] : [SourceHealthSummary(health).description]
        return (["recorded \(grouped(counters.recorded))", "rejected \(grouped(counters.rejected))", "queue \(grouped(queued))"]
                + sources + feeds).joined(separator: " · ")
    }

    /// 12345 → "12,345", as people read counts.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }
}
