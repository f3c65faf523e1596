import Yams

/// The options every plugin stage (`exec`, `wasm`) takes, read and checked alike:
/// `name`, `reads`, `writes` and `options`.
public struct PluginStageOptions: Sendable {
    /// The stage's own name: unique in the pipeline, the key of its `extensions.NAME` field, and
    /// what logs and `pipeline.stages` call it.
    public var name: String
    /// The fields the plugin receives; nil means the whole document but its raw bytes.
    public var reads: [String]?
    /// The fields it may set; anything else it returns is a protocol fault.
    public var writes: [String]
    /// Handed to the plugin at start, as JSON.
    public var options: JSONValue

    public var fields: StageFields { StageFields(reads: reads ?? [], writes: writes) }

    /// Reads the common keys of a `use: KIND` entry. Problems are reported on the map.
    public static func read(_ m: inout ConfigMap, kind: String) -> PluginStageOptions {
        var name = kind
        if let v = m.value("name"), let n = v.string() {
            if n.utf8.count > 64 || !n.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" }) {
                v.error("a plugin stage's name is letters, digits, '-' and '_' (at most 64), as it names the record field extensions.NAME")
            } else {
                name = n
            }
        } else if !m.has("name") {
            let article = "aeiou".contains(kind.prefix(1)) ? "an" : "a"
            m.error("\(article) \(kind) stage needs 'name:' (unique in the pipeline; its results go to extensions.NAME)")
        }
        var reads: [String]?
        if let v = m.value("reads"), let list = v.stringList() {
            for path in list { if let problem = DocumentField.problem(with: path) { v.error(problem) } }
            reads = list
        }
        var writes = ["extensions." + name]
        if let v = m.value("writes"), let list = v.stringList() {
            if list.isEmpty { v.error("writes: lists at least one field (e.g. extensions.\(name))") }
            for path in list { if let problem = DocumentField.writeProblem(with: path) { v.error(problem) } }
            writes = list
        }
        var options = JSONValue.object([])
        if let v = m.value("options") {
            if case .mapping = v.node { options = json(v.node) } else { v.error("options: is a mapping, handed to the plugin as a JSON object") }
        }
        return PluginStageOptions(name: name, reads: reads, writes: writes, options: options)
    }

    /// A YAML node as JSON: plain scalars that read as numbers, booleans or null become those;
    /// everything else (quoted scalars among them) stays a string.
    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .mapping(let m): return .object(m.map { ($0.key.string ?? "", json($0.value)) })
        case .sequence(let s): return .array(s.map(json))
        case .alias: return .null
        case .scalar(let s):
            guard s.style == .plain else { return .string(s.string) }
            switch s.string {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default:
                if let i = Int(s.string) { return .int(i) }
                if let d = Double(s.string), d.isFinite { return .double(d) }
                return .string(s.string)
            }
        }
    }
}
