import IngestCore

/// Paths into a record's JSON as the case file names them: `labels.genre`, `labels.topics[0].name`.
enum RecordPath {
    static func value(_ path: String, in record: JSONValue) -> JSONValue? {
        var here: JSONValue? = record
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            var name = Substring(part)
            var indexes: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                guard let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else { return nil }
                indexes.insert(i, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { here = here?.member(String(name)) }
            for i in indexes {
                guard let items = here?.arrayValue, items.indices.contains(i) else { return nil }
                here = items[i]
            }
        }
        return here
    }

    /// Equal as JSON, with 2 and 2.0 the same number.
    static func same(_ a: JSONValue?, _ b: JSONValue) -> Bool {
        guard let a else { return false }
        switch (a, b) {
        case let (.int(x), .double(y)), let (.double(y), .int(x)): return Double(x) == y
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        default: return a == b
        }
    }

    static func holds(_ container: JSONValue?, _ item: JSONValue) -> Bool {
        switch container {
        case .string(let s)?:
            guard case .string(let part) = item else { return false }
            return s.contains(part)
        case .array(let items)?:
            return items.contains { same($0, item) || ($0.member("name").map { same($0, item) } ?? false) }
        default:
            return false
        }
    }

    /// A list of labels as their names (`["diplomacy","security"]`), anything else as JSON, cut.
    static func brief(_ value: JSONValue) -> String {
        if case .array(let items) = value, items.allSatisfy({ $0.member("name") != nil }) {
            return JSONValue.array(items.compactMap { $0.member("name") }).serialized()
        }
        let text = value.serialized()
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
