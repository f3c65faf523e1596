import Foundation
import IngestCore

/// The name of a closed records segment: the live file's stem, a dash, the UTC time the
/// segment was closed with milliseconds and no colons (`records-2026-12-04T00-00-00.000Z`),
/// the live file's extension, then `.gz` / `.zst` once compressed. The time part has a fixed
/// width, so the names sort in time order as plain strings (`ls`, a glob, a reader).
struct SegmentName: Hashable, Comparable, Sendable {
    /// Milliseconds since 1970, UTC: when the segment was closed (for a rotation by time, the
    /// boundary it was closed at).
    let closedAt: Int64
    let compression: SegmentCompression

    /// How the live file's name splits: `records.jsonl` → `records` and `.jsonl`.
    struct Pattern: Sendable {
        let stem: String
        let ext: String

        init(live: String) {
            if let dot = live.lastIndex(of: "."), dot != live.startIndex {
                stem = String(live[..<dot])
                ext = String(live[dot...])
            } else {
                stem = live
                ext = ""
            }
        }

        func file(_ name: SegmentName) -> String {
            "\(stem)-\(SegmentName.stamp(name.closedAt))\(ext)\(name.compression.suffix)"
        }

        /// The segment a file name stands for, or nil when it is not one of ours (the live
        /// file, the manifest, a file logrotate renamed, a temporary file).
        func parse(_ file: String) -> SegmentName? {
            guard file.hasPrefix(stem + "-") else { return nil }
            let rest = file.dropFirst(stem.count + 1)
            guard rest.utf8.count >= SegmentName.stampWidth else { return nil }
            let stampEnd = rest.utf8.index(rest.startIndex, offsetBy: SegmentName.stampWidth)
            guard let ms = SegmentName.parseStamp(String(rest[..<stampEnd])) else { return nil }
            let tail = rest[stampEnd...]
            for c in SegmentCompression.allCases where tail == ext + c.suffix {
                return SegmentName(closedAt: ms, compression: c)
            }
            return nil
        }
    }

    static func < (a: SegmentName, b: SegmentName) -> Bool {
        a.closedAt != b.closedAt ? a.closedAt < b.closedAt : a.compression.suffix < b.compression.suffix
    }

    /// `2026-12-04T00-00-00.000Z`.
    static let stampWidth = 24

    static func stamp(_ ms: Int64) -> String { Timestamp.utc(milliseconds: ms, timeSeparator: "-") }

    static func parseStamp(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        guard b.count == stampWidth, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x2D, b[16] == 0x2D,
              b[19] == 0x2E, b[23] == 0x5A else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), let milli = number(20, 3),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        return Timestamp.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second) * 1000
            + Int64(milli)
    }
}
