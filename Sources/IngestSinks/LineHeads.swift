import IngestCore

/// Splits a stream of record bytes into lines and keeps only the start of each: a record's
/// `id` and `ingested_at` are in its first hundred bytes, and a 250 MB record must not be held
/// whole to read them. A last line without its newline is not a line (a torn tail).
struct LineHeads {
    static let headBytes = 256

    private var head: [UInt8] = []

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ onLine: ([UInt8]) throws -> Void) rethrows {
        var start = 0
        let bytes = chunk.bindMemory(to: UInt8.self)
        while start < bytes.count {
            if let nl = bytes[start...].firstIndex(of: 0x0A) {
                take(bytes, start, nl)
                try onLine(head)
                head.removeAll(keepingCapacity: true)
                start = nl + 1
            } else {
                take(bytes, start, bytes.count)
                start = bytes.count
            }
        }
    }

    private mutating func take(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) {
        let room = Self.headBytes - head.count
        if room > 0 { head.append(contentsOf: bytes[from..<min(to, from + room)]) }
    }

    /// The record's `ingested_at`, read from the start of its line.
    static func ingestedAt(_ head: [UInt8]) -> String? {
        let key = Array(#""ingested_at":""#.utf8)
        guard head.count > key.count else { return nil }
        for i in 0...(head.count - key.count) where head[i] == key[0] && Array(head[i..<(i + key.count)]) == key {
            let start = i + key.count
            guard let end = head[start...].firstIndex(of: 0x22) else { return nil }
            return String(decoding: head[start..<end], as: UTF8.self)
        }
        return nil
    }

    /// Milliseconds since 1970 of an `ingested_at` value (`2026-11-24T05:31:02.123Z`).
    static func millis(ofTimestamp s: String) -> Int64? {
        var b = Array(s.utf8)
        guard b.count == SegmentName.stampWidth, b[13] == 0x3A, b[16] == 0x3A else { return nil }
        b[13] = 0x2D
        b[16] = 0x2D
        return SegmentName.parseStamp(String(decoding: b, as: UTF8.self))
    }
}
