import Foundation
import IngestCore
import IngestSinks

/// What `ingestd search` looks for: words of a web-search-like query in the title or text, and
/// optionally a time window and an outlet.
public struct RecordQuery: Sendable, Equatable {
    public var text: String
    /// Only records ingested within this many seconds before now.
    public var since: Double?
    public var site: String?
    /// The newest `limit` matches are printed, oldest first (as `tail --records` prints).
    public var limit: Int

    public init(text: String, since: Double? = nil, site: String? = nil, limit: Int = 50) {
        self.text = text
        self.since = since
        self.site = site
        self.limit = limit
    }

    /// The query's terms as the local scan uses them: words and "quoted phrases" that must all
    /// appear, `-word` that must not, case folded. (The database reads the same text with
    /// `websearch_to_tsquery`, which adds stemming and `or`.)
    public struct Terms: Equatable {
        public var required: [String] = []
        public var excluded: [String] = []
    }

    public var terms: Terms {
        var t = Terms()
        var rest = Substring(text.lowercased())
        while let start = rest.firstIndex(where: { !$0.isWhitespace }) {
            rest = rest[start...]
            var negated = false
            if rest.first == "-" { negated = true; rest = rest.dropFirst() }
            var term: Substring
            if rest.first == "\"" {
                let body = rest.dropFirst()
                let end = body.firstIndex(of: "\"") ?? body.endIndex
                term = body[..<end]
                rest = end < body.endIndex ? body[body.index(after: end)...] : body[end...]
            } else {
                let end = rest.firstIndex(where: \.isWhitespace) ?? rest.endIndex
                term = rest[..<end]
                rest = rest[end...]
            }
            let word = term.trimmingCharacters(in: .whitespaces)
            if word.isEmpty || (!negated && word == "or") { continue }
            if negated { t.excluded.append(word) } else { t.required.append(word) }
        }
        return t
    }
}

/// `ingestd search` without a database: the local records files (the live one and its rotated
/// segments, decompressed), read line by line.
public enum LocalRecordSearch {
    /// Matching lines, at most `query.limit` of the newest, oldest first.
    public static func run(_ query: RecordQuery, recordsFile: URL, now: Date = Date()) throws -> [String] {
        let terms = query.terms
        let cutoff = query.since.map { now.timeIntervalSince1970 - $0 }
        var matches: [(at: Double, line: String)] = []
        for file in files(recordsFile) {
            let bytes = try SegmentCompression.records(of: file)
            for raw in bytes.split(separator: UInt8(ascii: "\n")) {
                let line = String(decoding: raw, as: UTF8.self)
                guard let record = try? JSONParser.parse(line), record.member("id") != nil else { continue }
                let at = record.member("ingested_at")?.stringValue.flatMap(RFC3339.seconds) ?? 0
                if let cutoff, at < cutoff { continue }
                if let site = query.site, record.member("site")?.stringValue?.lowercased() != site.lowercased() { continue }
                let haystack = ((record.member("title")?.stringValue ?? "") + "\n" + (record.member("text")?.stringValue ?? "")).lowercased()
                guard terms.required.allSatisfy(haystack.contains), !terms.excluded.contains(where: haystack.contains) else { continue }
                matches.append((at, line))
            }
        }
        matches.sort { $0.at < $1.at }
        return matches.suffix(query.limit).map(\.line)
    }

    /// The live file and the segments rotated out of it (`records-….jsonl[.gz|.zst]` beside it).
    static func files(_ live: URL) -> [URL] {
        let folder = live.deletingLastPathComponent()
        let stem = live.deletingPathExtension().lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let segments = names.filter { $0 != live.lastPathComponent && $0.hasPrefix(stem + "-")
            && ($0.hasSuffix(".jsonl") || $0.hasSuffix(".jsonl.gz") || $0.hasSuffix(".jsonl.zst")) }.sorted()
        return segments.map { folder.appendingPathComponent($0) } + (FileManager.default.fileExists(atPath: live.path) ? [live] : [])
    }

}
