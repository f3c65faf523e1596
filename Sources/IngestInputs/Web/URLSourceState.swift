import Foundation
import IngestCore

/// What URL sources remember across restarts, in `STATE/urls/state.json`: per URL the validators
/// of the last body that reached a record (sent back for a conditional GET) and that body's
/// SHA-256 (an unchanged body from a server without validators is not recorded again); per feed
/// the ids of the items already recorded. Written whole, to a temporary file that is synced and
/// renamed over the old one, so a crash leaves the old state or the new, never half of one.
struct URLSourceState: Codable, Equatable {
    struct Page: Codable, Equatable {
        var etag: String?
        var lastModified: String?
        var sha256: String?
    }

    var version = 1
    var pages: [String: Page] = [:]
    /// Feed URL → item ids, oldest first.
    var seen: [String: [String]] = [:]

    /// Past this many ids a feed's oldest are forgotten (feeds list their newest items only).
    static let seenPerFeed = 10_000

    mutating func markSeen(_ id: String, in feed: String) {
        var ids = seen[feed, default: []]
        guard !ids.contains(id) else { return }
        ids.append(id)
        if ids.count > Self.seenPerFeed { ids.removeFirst(ids.count - Self.seenPerFeed) }
        seen[feed] = ids
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
