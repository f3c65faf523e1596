import Foundation

/// How one configured URL or feed has fared: what `/metrics`, the status file and
/// `ingestd status` show for it. Times are wall-clock dates; nil means "never".
public struct SourceHealth: Sendable, Codable, Equatable {
    public var url: String
    /// scheme://host:port, as politeness and robots.txt group URLs.
    public var host: String
    /// `page` or `feed`.
    public var kind: String
    public var lastAttempt: Date?
    public var lastSuccess: Date?
    /// The HTTP status of the last answer ("200", "304", "503"), or "error: REASON" when no
    /// answer came (refused, timed out, not a feed).
    public var lastStatus: String?
    /// Polls in a row that ended in failure (after their retries); 0 after a success.
    public var consecutiveFailures: Int
    /// When the current run of failures began.
    public var failingSince: Date?
    /// New items (feeds) or new page versions taken over the last 24 hours, scaled to a day
    /// when the source has run for less.
    public var itemsPerDay: Double
    /// The date of the newest item the feed listed (its pubDate/updated), or of the page's last
    /// new version when it states none.
    public var newestItem: Date?

    public init(url: String, host: String, kind: String, lastAttempt: Date? = nil, lastSuccess: Date? = nil,
                lastStatus: String? = nil, consecutiveFailures: Int = 0, failingSince: Date? = nil, itemsPerDay: Double = 0,
                newestItem: Date? = nil) {
        self.url = url
        self.host = host
        self.kind = kind
        self.lastAttempt = lastAttempt
        self.lastSuccess = lastSuccess
        self.lastStatus = lastStatus
        self.consecutiveFailures = consecutiveFailures
        self.failingSince = failingSince
        self.itemsPerDay = itemsPerDay
        self.newestItem = newestItem
    }

    public var isFailing: Bool { consecutiveFailures > 0 }

    /// Seconds since the newest item, at `now`.
    public func secondsSinceNewestItem(at now: Date) -> Double? { newestItem.map { max(0, now.timeIntervalSince($0)) } }

    enum CodingKeys: String, CodingKey {
        case url, host, kind
        case lastAttempt = "last_attempt", lastSuccess = "last_success", lastStatus = "last_status"
        case consecutiveFailures = "consecutive_failures", failingSince = "failing_since"
        case itemsPerDay = "items_per_day", newestItem = "newest_item"
    }
}

/// "feeds 4/4 ok", "feeds 3/4 ok, 1 failing (https://…)": one phrase for systemd's STATUS line
/// and the status screen's header.
public struct SourceHealthSummary: Sendable, Equatable, CustomStringConvertible {
    public var total: Int
    public var failing: [String]

    public init(_ sources: [SourceHealth]) {
        total = sources.count
        failing = sources.filter(\.isFailing).map(\.url)
    }

    public var ok: Int { total - failing.count }

    public var description: String {
        guard total > 0 else { return "no URLs" }
        var text = "feeds \(ok)/\(total) ok"
        if let first = failing.first {
            text += ", \(failing.count) failing (\(first)\(failing.count > 1 ? ", …" : ""))"
        }
        return text
    }
}
