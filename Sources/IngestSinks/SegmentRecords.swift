import Foundation
import IngestCore

/// What the manifest says of a segment's records: how many, the first and last `ingested_at`.
struct SegmentRecords: Equatable {
    var count = 0
    var first: String?
    var last: String?
    var ids: Set<String>?

    /// Reads `path` as stored (decompressing it). With `collectIDs` the record ids are kept too.
    static func scan(_ path: URL, _ compression: SegmentCompression, collectIDs: Bool = false) throws -> SegmentRecords {
        var result = SegmentRecords(ids: collectIDs ? [] : nil)
        var lines = LineHeads()
        try compression.decompress(path) { chunk in
            lines.feed(chunk) { head in
                result.count += 1
                if collectIDs, let id = RecordSchema.id(ofLine: head[...]) { result.ids!.insert(id) }
                let at = LineHeads.ingestedAt(head)
                if result.first == nil { result.first = at }
                result.last = at
            }
        }
        return result
    }
}
