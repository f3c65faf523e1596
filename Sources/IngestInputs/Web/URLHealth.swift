import Foundation
import IngestCore

/// The health of one configured URL or feed as its polls end: the figures `SourceHealth`
/// reports, and when a run of failures deserves a warning (once) or a recovery a notice.
/// Confined to the URL source's queue, like the rest of its schedule.
struct URLHealth {
    /// What a poll's end means for the logs.
    enum Transition: Equatable {
        case none
        /// The poll that made `warnAfter` failures in a row: log `feed failing`, once.
        case startedFailing
        /// The first success after a warning: log `feed recovered`.
        case recovered(failures: Int, since: Date)
    }

    private(set) var health: SourceHealth
    private let startedAt: Date
    /// When each new item (or new page version) was taken, for the last 24 hours.
    private var taken: [Date] = []
    private var warned = false
    static let window: TimeInterval = 86_400

    init(url: String, host: String, kind: String, startedAt: Date) {
        health = SourceHealth(url: url, host: host, kind: kind)
        self.startedAt = startedAt
    }

    mutating func attempted(at now: Date) {
        health.lastAttempt = now
    }

    /// An answer came (any status): what the last status shows, whether or not the poll is over.
    mutating func answered(status: Int) {
        health.lastStatus = String(status)
    }

    /// The poll ended well (200 with a usable body, or 304).
    mutating func succeeded(at now: Date) -> Transition {
        let failures = health.consecutiveFailures, since = health.failingSince
        health.lastSuccess = now
        health.consecutiveFailures = 0
        health.failingSince = nil
        defer { warned = false }
        if warned, let since { return .recovered(failures: failures, since: since) }
        return .none
    }

    /// The poll ended in failure (after its retries). `reason` becomes the last status when no
    /// HTTP status says it already ("HTTP 503" keeps "503").
    mutating func failed(_ reason: String, status: Int?, at now: Date, warnAfter: Int) -> Transition {
        health.lastStatus = status.map(String.init) ?? "error: \(reason)"
        health.consecutiveFailures += 1
        if health.failingSince == nil { health.failingSince = now }
        guard !warned, health.consecutiveFailures >= warnAfter else { return .none }
        warned = true
        return .startedFailing
    }

    /// `count` new items (or a new page version) taken now; `newest` is the latest date they state.
    mutating func took(_ count: Int, newest: Date?, at now: Date) {
        guard count > 0 else { return }
        taken.append(contentsOf: repeatElement(now, count: count))
        if let newest { health.newestItem = max(health.newestItem ?? newest, newest) }
        else if health.kind == "page" { health.newestItem = now }
    }

    /// The listed items' newest date, whether or not they are new: how stale the feed is.
    mutating func listed(newest: Date?) {
        if let newest { health.newestItem = max(health.newestItem ?? newest, newest) }
    }

    /// The figures as of `now`, items per day over the trailing window (scaled up while the
    /// source has run for less than a day, and at least an hour, so a first poll does not read as a torrent).
    mutating func snapshot(at now: Date) -> SourceHealth {
        let cut = now.addingTimeInterval(-Self.window)
        if let keep = taken.firstIndex(where: { $0 > cut }) { taken.removeFirst(keep) } else { taken.removeAll() }
        let span = min(Self.window, max(3_600, now.timeIntervalSince(startedAt)))
        var h = health
        h.itemsPerDay = Double(taken.count) * Self.window / span
        return h
    }
}
