import Foundation
import IngestCore

/// What URL sources remember across restarts, in `STATE/urls/state.json`: per URL the validators
/// of the last body that reached a record (sent back for a conditional GET) and that body's
/// SHA-256 (an unchanged body from a server without validators is not recorded again); per feed
/// the ids of the items already recorded, each with when the feed last listed it. Written whole,
/// to a temporary file that is synced and renamed over the old one, so a crash leaves the old
/// state or the new, never half of one.
struct URLSourceState: Codable, Equatable {
    struct Page: Codable, Equatable {
        var etag: String?
        var lastModified: String?
        var sha256: String?
    }

    /// How long seen ids are kept: an id is forgotten only once its feed has stopped listing it
    /// (an id still listed would come back as new at once: the old fixed cap of 10,000 ids
    /// re-recorded the oldest items of longer feeds at every poll).
    struct Retention: Equatable {
        /// Ids kept per feed beyond those it lists now; the least recently listed go first.
        var count: Int
        /// Seconds an id is kept after its feed last listed it.
        var age: Double
    }

    var version = 2
    var pages: [String: Page] = [:]
    /// Feed URL → item id → when the feed last listed it (whole seconds since 1970).
    var seen: [String: [String: Int]] = [:]

    /// A last-listed time is moved on at most this often: a feed of 10,000 items polled every
    /// minute would otherwise change (and rewrite) the state at every poll. The age limit is
    /// at least a day, so an hour's slack cannot make a listed id expire.
    static let listedResolution = 3_600

    init() {}

    func hasSeen(_ id: String, in feed: String) -> Bool { seen[feed]?[id] != nil }

    mutating func markSeen(_ id: String, in feed: String, at now: Date = Date()) {
        seen[feed, default: [:]][id] = Int(now.timeIntervalSince1970)
    }

    /// After a fetch of `feed` that listed `listed`: their last-listed times move on, and ids
    /// past the retention are forgotten (never one listed now). Returns whether anything changed.
    @discardableResult
    mutating func feedListed(_ listed: Set<String>, in feed: String, at now: Date, keeping retention: Retention) -> Bool {
        guard var ids = seen[feed] else { return false }
        let stamp = Int(now.timeIntervalSince1970)
        var changed = false
        for id in listed {
            if let last = ids[id], stamp - last >= Self.listedResolution {
                ids[id] = stamp
                changed = true
            }
        }
        let oldest = stamp - Int(retention.age)
        var unlisted = ids.filter { !listed.contains($0.key) }
        for (id, last) in unlisted where last < oldest {
            ids[id] = nil
            unlisted[id] = nil
            changed = true
        }
        if unlisted.count > retention.count {
            for (id, _) in unlisted.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }).prefix(unlisted.count - retention.count) {
                ids[id] = nil
            }
            changed = true
        }
        if changed { seen[feed] = ids }
        return changed
    }

    // MARK: the file

    private enum Keys: String, CodingKey { case version, pages, seen }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        pages = try c.decodeIfPresent([String: Page].self, forKey: .pages) ?? [:]
        if try c.decodeIfPresent(Int.self, forKey: .version) ?? 1 >= 2 {
            seen = try c.decodeIfPresent([String: [String: Int]].self, forKey: .seen) ?? [:]
        } else {
            // Version 1 kept ids without times: they count as listed now, and age from here.
            let now = Int(Date().timeIntervalSince1970)
            let old = try c.decodeIfPresent([String: [String]].self, forKey: .seen) ?? [:]
            seen = old.mapValues { Dictionary($0.map { ($0, now) }, uniquingKeysWith: { a, _ in a }) }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(version, forKey: .version)
        try c.encode(pages, forKey: .pages)
        try c.encode(seen, forKey: .seen)
    }

    static func load(_ url: URL) throws -> URLSourceState {
        guard FileManager.default.fileExists(atPath: url.path) else { return URLSourceState() }
        let data = try Data(contentsOf: url)
        return try JSONDecoder().decode(URLSourceState.self, from: data)
    }

    func save(_ url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        try FileIO.replaceAtomically(url, with: Array(data))
    }
}
