import Foundation

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

    static func stamp(_ ms: Int64) -> String {
        var t = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2))-\(pad(Int(parts.tm_min), 2))-\(pad(Int(parts.tm_sec), 2)).\(pad(Int(ms % 1000), 3))Z"
    }

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
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int64(timegm(&parts)) * 1000 + Int64(milli)
    }
}
