import Foundation
import IngestCore

/// One line per record for `ingestd tail --records`: when it was ingested (local time), the
/// outlet, the title (cut to fit the terminal), the topics and the dedupe status.
public struct RecordRenderer {
    public var style: TerminalStyle
    public var timeZone: TimeZone
    /// The terminal's width; nil (not a terminal) leaves titles whole.
    public var width: Int?

    static let siteWidth = 24

    public init(style: TerminalStyle, timeZone: TimeZone = .current, width: Int?) {
        self.style = style
        self.timeZone = timeZone
        self.width = width
    }

    /// nil for a line that is not a record (a torn line cannot be: the follower hands complete
    /// lines only, but the file may hold anything).
    public func render(_ line: String) -> String? {
        guard let record = try? JSONParser.parse(line), record.isObject, record.member("id") != nil else { return nil }
        let time = record.member("ingested_at")?.stringValue.flatMap(RFC3339.seconds).map { Clock.hms($0, in: timeZone) } ?? "--:--:--"
        let site = DisplayWidth.cut(record.member("site")?.stringValue ?? host(record) ?? "-", to: Self.siteWidth)
        let topics = record.member("labels")?.member("topics")?.arrayValue?.compactMap { $0.member("name")?.stringValue } ?? []
        let topicText = topics.isEmpty ? "-" : topics.joined(separator: ",")
        let status = record.member("dedupe")?.member("status")?.stringValue ?? "-"
        var title = record.member("title")?.stringValue ?? "(no title)"
        if let width {
            // Columns: time, site, title, topics, status, two spaces between each.
            let fixed = 8 + DisplayWidth.of(site) + DisplayWidth.of(topicText) + DisplayWidth.of(status) + 4 * 2
            title = DisplayWidth.cut(title, to: max(10, width - fixed))
        }
        let statusText: String
        switch status {
        case "unique": statusText = style.paint(status, "32")
        case "duplicate", "near_duplicate": statusText = style.paint(status, "33")
        default: statusText = status
        }
        return [style.dim(time), style.paint(site, "36"), style.paint(title, "1"), topicText, statusText].joined(separator: "  ")
    }

    /// For a fetched page with no outlet name, the host it came from.
    private func host(_ record: JSONValue) -> String? {
        guard let url = record.member("origin")?.member("url")?.stringValue else { return nil }
        return URLComponents(string: url)?.host
    }
}

/// Columns a string takes in a terminal: East Asian wide characters take two, combining marks none.
enum DisplayWidth {
    static func of(_ s: String) -> Int { s.unicodeScalars.reduce(0) { $0 + width($1) } }

    static func width(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x300 { return 1 }
        if u.properties.generalCategory == .nonspacingMark || u.properties.generalCategory == .enclosingMark || v == 0x200B { return 0 }
        let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                                           0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                                           0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }

    /// `s` in at most `columns` columns, ending in "…" when cut.
    static func cut(_ s: String, to columns: Int) -> String {
        guard of(s) > columns else { return s }
        var out = ""
        var used = 0
        for c in s {
            let w = c.unicodeScalars.reduce(0) { $0 + width($1) }
            if used + w > columns - 1 { break }
            out.append(c)
            used += w
        }
        return out + "…"
    }
}
