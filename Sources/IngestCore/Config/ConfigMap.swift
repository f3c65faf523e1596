import Yams

/// A mapping from the pipeline file. Every key read through it is marked as known; whatever
/// is left over when the reader is done is reported as an unknown key, with a suggestion.
public struct ConfigMap {
    public let path: String
    public let diagnostics: ConfigDiagnostics
    let mark: Mark?
    private let entries: [(key: String, keyNode: Node, value: Node)]
    private var consumed: Set<String> = []

    init(mapping: Node.Mapping, path: String, mark: Mark?, diagnostics: ConfigDiagnostics) {
        self.path = path
        self.mark = mark
        self.diagnostics = diagnostics
        var seen: Set<String> = []
        var entries: [(String, Node, Node)] = []
        for (k, v) in mapping {
            let key = k.string ?? ""
            if !seen.insert(key).inserted {
                diagnostics.report("\(path.isEmpty ? "" : path + ": ")duplicate key '\(key)'",
                                   line: k.mark?.line ?? 1, column: k.mark?.column ?? 1)
                continue
            }
            entries.append((key, k, v))
        }
        self.entries = entries
    }

    init(empty path: String, mark: Mark?, diagnostics: ConfigDiagnostics) {
        self.path = path
        self.mark = mark
        self.diagnostics = diagnostics
        self.entries = []
    }

    /// An empty mapping standing for `key` left out, at this map's position: a component reads
    /// its defaults from it as if the user had written `key: {}`.
    public func emptyChild(_ key: String) -> ConfigMap {
        ConfigMap(empty: childPath(key), mark: mark, diagnostics: diagnostics)
    }

    public var line: Int { mark?.line ?? 1 }
    public var column: Int { mark?.column ?? 1 }
    public var keys: [String] { entries.map(\.key) }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The value under `key`, marking the key as known. A present-but-null value counts as absent.
    public mutating func value(_ key: String) -> ConfigValue? {
        consumed.insert(key)
        guard let e = entries.first(where: { $0.key == key }) else { return nil }
        let v = ConfigValue(node: e.value, path: childPath(key), diagnostics: diagnostics)
        return v.isNull ? nil : v
    }


    /// Each key's value re-serialized (see `ConfigValue.canonicalText`), without marking any as read.
    public var canonicalSections: [String: String] {
        Dictionary(entries.map { ($0.key, (try? Yams.serialize(node: $0.value)) ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    /// The node of a key, to point a message at the key itself.
    public func keyPosition(_ key: String) -> (line: Int, column: Int) {
        let m = entries.first(where: { $0.key == key })?.keyNode.mark
        return (m?.line ?? line, m?.column ?? column)
    }

    public func error(_ message: String) {
        diagnostics.report(path.isEmpty ? message : "\(path): \(message)", line: line, column: column)
    }

    public func error(_ message: String, atKey key: String) {
        let p = keyPosition(key)
        diagnostics.report("\(childPath(key)): \(message)", line: p.line, column: p.column)
    }

    public mutating func string(_ key: String) -> String? { value(key)?.string() }
    public mutating func string(_ key: String, default d: String) -> String { value(key)?.string() ?? d }
    public mutating func int(_ key: String, default d: Int, in range: ClosedRange<Int>? = nil) -> Int {
        value(key)?.int(in: range) ?? d
    }
    public mutating func double(_ key: String, default d: Double, in range: ClosedRange<Double>? = nil) -> Double {
        value(key)?.double(in: range) ?? d
    }
    public mutating func bool(_ key: String, default d: Bool) -> Bool { value(key)?.bool() ?? d }
    public mutating func duration(_ key: String, default d: Double, in range: ClosedRange<Double>? = nil) -> Double {
        value(key)?.duration(in: range) ?? d
    }
    public mutating func byteSize(_ key: String, default d: Int, in range: ClosedRange<Int>? = nil) -> Int {
        value(key)?.byteSize(in: range) ?? d
    }
    public mutating func oneOf(_ key: String, _ choices: [String], default d: String) -> String {
        value(key)?.oneOf(choices) ?? d
    }
    public mutating func map(_ key: String) -> ConfigMap? { value(key)?.map() }

    /// Reports every key that no reader asked for.
    public func reportUnknownKeys() {
        let known = Array(consumed).sorted()
        for e in entries where !consumed.contains(e.key) {
            let hint = Suggestion.closest(to: e.key, in: known).map { "did you mean '\($0)'?" }
                ?? (known.isEmpty ? "this section takes no options" : "expected one of: \(known.joined(separator: ", "))")
            let p = (e.keyNode.mark?.line ?? line, e.keyNode.mark?.column ?? column)
            diagnostics.report("\(path.isEmpty ? "" : path + ": ")unknown key '\(e.key)'; \(hint)", line: p.0, column: p.1)
        }
    }

    /// The entries in file order, for maps whose keys are user data (topic names).
    public mutating func allEntries() -> [(key: String, value: ConfigValue)] {
        entries.map { e in
            consumed.insert(e.key)
            return (e.key, ConfigValue(node: e.value, path: childPath(e.key), diagnostics: diagnostics))
        }
    }
}
