import IngestCore

/// The one line `systemctl status ingestd` shows (sd_notify `STATUS=`): counts, the queue and
/// the sources, e.g. "recorded 12,345 · rejected 3 · queue 0 · watching /srv/inbox". Built in
/// this one place so that per-source health can be added to it.
enum StatusLine {
    static func make(_ counters: PipelineRunner.Counters, queued: Int, sources: [String]) -> String {
        (["recorded \(grouped(counters.recorded))", "rejected \(grouped(counters.rejected))", "queue \(grouped(queued))"] + sources)
            .joined(separator: " · ")
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
