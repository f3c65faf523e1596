import Foundation
import IngestCore

/// Labelled examples for `ingestd train` and `ingestd evaluate`: a CSV file with `category` (or
/// `label`) and `text` columns, or JSON Lines whose objects carry the label in `labelField`
/// (a dotted path such as `labels.genre` reads ingestd's own records) and the text in `text`
/// (with `title`, when there is one, in front).
public struct LabelledData {
    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var line: Int
        public var reason: String
        public var description: String { "\(path):\(line): \(reason)" }
    }

    public var texts: [String] = []
    public var labels: [String] = []

    public static func read(_ url: URL, labelField: String = "label") throws -> LabelledData {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Failure(path: url.path, line: 0, reason: "cannot read the file")
        }
        let text = String(decoding: data, as: UTF8.self)
        if url.pathExtension.lowercased() == "csv" || !text.hasPrefix("{") { return try csv(text, path: url.path) }
        return try jsonLines(text, path: url.path, labelField: labelField)
    }

    static func csv(_ text: String, path: String) throws -> LabelledData {
        let rows = CSVRows.parse(text)
        guard let header = rows.first?.fields.map({ Self.trimmingSpaces($0.lowercased()) }) else {
            throw Failure(path: path, line: 1, reason: "the file is empty")
        }
        guard let li = header.firstIndex(of: "category") ?? header.firstIndex(of: "label"), let ti = header.firstIndex(of: "text") else {
            throw Failure(path: path, line: 1, reason: "the header needs a 'category' (or 'label') and a 'text' column")
        }
        var out = LabelledData()
        for row in rows.dropFirst() where !(row.fields.count == 1 && row.fields[0].isEmpty) {
            guard row.fields.count == header.count else {
                throw Failure(path: path, line: row.line, reason: "\(row.fields.count) fields where the header has \(header.count)")
            }
            let label = Self.trimmingSpaces(row.fields[li])
            guard !label.isEmpty else { throw Failure(path: path, line: row.line, reason: "an empty label") }
            out.labels.append(label)
            out.texts.append(row.fields[ti])
        }
        return out
    }

    /// The text without leading and trailing spaces and tabs (`CharacterSet.whitespaces`: tab and
    /// Unicode's space separators). Foundation's `trimmingCharacters` goes through NSString and
    /// cost as much as parsing the CSV on 96,000 rows; most labels have nothing to trim.
    static func isSpace(_ c: Unicode.Scalar) -> Bool { c == "\t" || c.properties.generalCategory == .spaceSeparator }

    static func trimmingSpaces(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last, isSpace(first) || isSpace(last) else { return text }
        guard let from = scalars.firstIndex(where: { !isSpace($0) }), let to = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[from...to])
    }

    static func jsonLines(_ text: String, path: String, labelField: String) throws -> LabelledData {
        var out = LabelledData()
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.unicodeScalars.allSatisfy(Self.isSpace) {
            let value: JSONValue
            do { value = try JSONParser.parse(String(line)) } catch {
                throw Failure(path: path, line: n + 1, reason: "\(error)")
            }
            var label: JSONValue? = value
            for part in labelField.split(separator: ".") { label = label?.member(String(part)) }
            guard let name = label?.stringValue, !name.isEmpty else {
                throw Failure(path: path, line: n + 1, reason: "no string '\(labelField)'")
            }
            guard let body = value.member("text")?.stringValue else { throw Failure(path: path, line: n + 1, reason: "no string 'text'") }
            out.labels.append(name)
            out.texts.append([value.member("title")?.stringValue, body].compactMap { $0 }.joined(separator: "\n\n"))
        }
        return out
    }
}

/// RFC 4180 rows: commas, double-quoted fields with "" for a quote, line breaks inside quotes.
enum CSVRows {
    struct Row { var fields: [String]; var line: Int }

    static func parse(_ text: String) -> [Row] {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// Over the bytes in place: a field is copied a run at a time, up to the next quote (quoted)
    /// or the next comma, line break or quote (unquoted).
    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false, line = 1, rowLine = 1
        let n = b.count
        var i = 0
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        while i < n {
            let c = b[i]
            if quoted {
                var j = i
                while j < n, b[j] != 0x22 {
                    if b[j] == 0x0A { line += 1 }
                    j += 1
                }
                field.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
                guard j < n else { break }
                if j + 1 < n, b[j + 1] == 0x22 {
                    field.append(0x22)
                    i = j + 2
                } else {
                    quoted = false
                    i = j + 1
                }
                continue
            }
            if c == 0x22 && field.isEmpty {
                quoted = true
            } else if c == 0x2C {
                endField()
            } else if c == 0x0A || c == 0x0D {
                if c == 0x0D, i + 1 < n, b[i + 1] == 0x0A { i += 1 }
                endField()
                rows.append(Row(fields: fields, line: rowLine))
                fields = []
                line += 1
                rowLine = line
            } else {
                // An unquoted run, up to the next comma, line break or quote, in one copy (byte
                // by byte, the unquoted texts of a large set cost more than the rest of reading).
                var j = i + 1
                while j < n, b[j] != 0x2C, b[j] != 0x0A, b[j] != 0x0D, b[j] != 0x22 { j += 1 }
                field.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
                i = j
                continue
            }
            i += 1
        }
        if !field.isEmpty || !fields.isEmpty { endField(); rows.append(Row(fields: fields, line: rowLine)) }
        return rows
    }
}
