import Foundation
import Yams

/// A YAML file other than a pipeline (the case files of `ingestd test`), read through the same
/// located accessors, so its problems are reported as `FILE:LINE:COL: message` exactly as the
/// pipeline loader reports its own.
public enum YAMLDocument {
    /// The top-level mapping of `text`, and the diagnostics its readers report into. Throws a
    /// `ConfigError` when the text is not YAML or its top level is not a mapping.
    public static func root(yaml text: String, file: URL, displayName: String) throws -> (ConfigMap, ConfigDiagnostics) {
        let diags = ConfigDiagnostics(file: displayName, fileDirectory: file.deletingLastPathComponent())
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(issues: [PipelineLoader.issue(from: error, text: text, file: displayName)])
        } catch {
            throw ConfigError(issues: [ConfigIssue(file: displayName, line: 1, column: 1, message: "\(error)")])
        }
        guard let node else {
            throw ConfigError(issues: [ConfigIssue(file: displayName, line: 1, column: 1, message: "the file is empty")])
        }
        guard let top = ConfigValue(node: node, path: "", diagnostics: diags).map() else { throw ConfigError(issues: diags.issues) }
        return (top, diags)
    }
}

extension ConfigValue {
    /// The value as JSON, for comparing with a record: plain scalars that read as null, booleans
    /// or numbers become those; quoted scalars stay strings, as YAML means them.
    public var json: JSONValue {
        switch node {
        case .scalar(let s):
            guard s.style == .plain else { return .string(s.string) }
            if isNull { return .null }
            switch s.string {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let i = Int(s.string) { return .int(i) }
            if let d = Double(s.string), d.isFinite { return .double(d) }
            return .string(s.string)
        case .sequence:
            return .array((list() ?? []).map(\.json))
        case .mapping:
            guard var m = map() else { return .null }
            return .object(m.allEntries().map { ($0.key, $0.value.json) })
        case .alias:
            return .null
        }
    }
}
