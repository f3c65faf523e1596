import Foundation

/// The structured record written for each accepted document: `schema: "ingestd.record/1"`.
/// Field order is fixed (see JSONValue); docs/records.md documents each field.
public enum RecordSchema {
    public static let version = "ingestd.record/1"

    public static func json(for doc: Document, ingestedAt: Date, pipeline: String) -> JSONValue {
        func field(_ path: String) -> JSONValue { DocumentField.value(path, in: doc) }
        return .object([
            ("id", .string(doc.id)),
            ("schema", .string(version)),
            ("ingested_at", .string(Timestamp.rfc3339(ingestedAt))),
            ("origin", field("origin")),
            ("title", field("title")),
            ("byline", field("byline")),
            ("published", field("published")),
            ("site", field("site")),
            ("lang", field("lang")),
            ("editors_note", field("editors_note")),
            ("author_info", field("author_info")),
            ("captions", field("captions")),
            ("text", field("text")),
            ("words", field("words")),
            ("dedupe", field("dedupe")),
            ("labels", field("labels")),
            // Added in 1 without a version change (additive): what plugin stages set, by stage name.
            ("extensions", field("extensions")),
            ("pipeline", .object([
                ("name", .string(pipeline)),
                ("stages", field("stages")),
            ])),
        ])
    }

    /// The record as one line of UTF-8, without its newline, in a buffer sized once: grown as it
    /// is written, a large text's buffer would be copied at every doubling.
    public static func line(for doc: Document, ingestedAt: Date, pipeline: String) -> [UInt8] {
        var line: [UInt8] = []
        // Escapes lengthen ordinary text by a few percent; the part of the reserve never written
        // to is never touched, so it costs no memory.
        let text = doc.text.utf8.count
        line.reserveCapacity(4096 + text + text / 8)
        json(for: doc, ingestedAt: ingestedAt, pipeline: pipeline).write(into: &line)
        return line
    }

    /// From this many bytes of text on, the runner hands the sink a `StreamedRecord` instead of
    /// a line: built whole, a large text's line would be a second copy of it.
    public static let streamingThreshold = 8 << 20

    /// The record as `line(for:)` writes it, but with the text left as the String it is: the
    /// fields before it and after it are serialized now (they are small), the text only when
    /// the sink writes it. `streamed(...).joined() == line(...)`, byte for byte.
    public static func streamed(for doc: Document, ingestedAt: Date, pipeline: String) -> StreamedRecord {
        guard case .object(let fields) = json(for: doc, ingestedAt: ingestedAt, pipeline: pipeline),
              let t = fields.firstIndex(where: { $0.0 == "text" }), case .string(let text) = fields[t].1
        else { preconditionFailure("a record is an object with a text string") }
        // The same bytes as JSONValue.object's write, split around the text's value.
        var prefix: [UInt8] = [UInt8(ascii: "{")]
        JSONValue.writeMembers(fields[..<t], into: &prefix)
        if t > 0 { prefix.append(UInt8(ascii: ",")) }
        JSONValue.writeString("text", into: &prefix)
        prefix.append(UInt8(ascii: ":"))
        var suffix: [UInt8] = []
        JSONValue.writeMembers(fields[(t + 1)...], leadingComma: true, into: &suffix)
        suffix.append(UInt8(ascii: "}"))
        return StreamedRecord(prefix: prefix, text: text, suffix: suffix)
    }

    /// The id of a serialized record line, read without parsing the whole line: every record
    /// starts with `{"id":"`, which recovery relies on to scan large files quickly.
    public static func id(ofLine line: ArraySlice<UInt8>) -> String? {
        let prefix = Array(#"{"id":""#.utf8)
        guard line.count > prefix.count + 1, line.starts(with: prefix) else { return nil }
        let start = line.startIndex + prefix.count
        guard let end = line[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return String(decoding: line[start..<end], as: UTF8.self)
    }
}

/// A record line in three parts: the serialized fields before the text's value (`{"id":"…",
/// …,"text":`), the text itself, escaped only as it is written, and the fields after it
/// (`,"words":…}`). It starts with `{"id":"` as every line does, so recovery reads its id.
public struct StreamedRecord: Sendable {
    public let prefix: [UInt8]
    public let text: String
    public let suffix: [UInt8]

    public init(prefix: [UInt8], text: String, suffix: [UInt8]) {
        self.prefix = prefix
        self.text = text
        self.suffix = suffix
    }

    /// The line, without its newline, in pieces of about `chunkSize` bytes (the text's escaped
    /// bytes come from one reused buffer). Can be called again: nothing is consumed.
    public func write(chunkSize: Int = 64 * 1024, to write: ([UInt8]) throws -> Void) rethrows {
        try write(prefix)
        try JSONValue.writeString(text, chunkSize: chunkSize, to: write)
        try write(suffix)
    }

    /// The whole line in one buffer: what a sink that does not stream writes.
    public func joined() -> [UInt8] {
        var line: [UInt8] = []
        let text = text.utf8.count
        line.reserveCapacity(prefix.count + text + text / 8 + suffix.count + 2)
        line.append(contentsOf: prefix)
        JSONValue.writeString(self.text, into: &line)
        line.append(contentsOf: suffix)
        return line
    }
}

public enum WordCount {
    /// Words are maximal runs of letters or digits (apostrophes and hyphens inside join them).
    /// Han, kana and Thai have no spaces, so each such character counts as one word.
    public static func count(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                // ASCII, by far the common case, without a Unicode property lookup.
                let isWordByte = (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39)
                if isWordByte {
                    if !inWord { count += 1; inWord = true }
                } else if !(inWord && (v == 0x27 || v == 0x2D)) {
                    inWord = false
                }
            } else if v >= 0xC0 && v <= 0xFF && v != 0xD7 && v != 0xF7 {
                // Latin-1 letters (all of U+00C0–U+00FF but × and ÷), without a property lookup.
                if !inWord { count += 1; inWord = true }
            } else if v >= 0x2000 && v <= 0x206F {
                // General punctuation (dashes, curly quotes, ellipsis): never a letter or a digit.
                if !(inWord && v == 0x2019) { inWord = false }
            } else if (0x3040...0x30FF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0x0E00...0x0E7F).contains(v) {
                count += 1
                inWord = false
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if !inWord { count += 1; inWord = true }
            } else if !(inWord && scalar == "\u{2019}") {
                inWord = false
            }
        }
        return count
    }
}

public enum Timestamp {
    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-24T05:31:02.123Z`.
    public static func rfc3339(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let ms = Int64(seconds) * 1000 + Int64((date.timeIntervalSince1970 - seconds) * 1000) % 1000
        return utc(milliseconds: ms)
    }

    /// `2026-11-24T05:31:02.123Z` from milliseconds since 1970; `timeSeparator` "-" gives a form
    /// that is safe in file names and still sorts by time.
    public static func utc(milliseconds ms: Int64, timeSeparator: String = ":") -> String {
        var t = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let c = timeSeparator
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2))\(c)\(pad(parts.tm_min, 2))\(c)\(pad(parts.tm_sec, 2)).\(pad(Int32(ms % 1000), 3))Z"
    }

    /// Seconds since 1970 of a UTC calendar time (fields as written: month 1–12).
    public static func seconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int64(timegm(&parts))
    }
}
