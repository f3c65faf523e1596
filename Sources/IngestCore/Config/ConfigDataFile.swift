import Foundation
import Yams

/// A YAML data file named by a pipeline file (a gazetteer, a taxonomy), read with the same
/// located diagnostics: its problems are reported as `ITS-FILE:LINE:COL: message`, with the
/// pipeline file's problems, and refuse the start-up just the same.
public enum ConfigDataFile {
    /// The file `value` names, resolved against the naming file's folder, as a `ConfigValue`;
    /// nil (with a problem reported) when it cannot be read or parsed. Problems found later
    /// while reading the returned value are collected by `diagnostics`, which the caller hands
    /// back with `finish`.
    public static func open(_ value: ConfigValue, what: String) -> (value: ConfigValue, diagnostics: ConfigDiagnostics)? {
        guard let url = url(value) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            value.error("cannot read the \(what) file \(url.path)")
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            value.error("the \(what) file \(url.path) is not UTF-8 text")
            return nil
        }
        let diagnostics = ConfigDiagnostics(file: url.path, fileDirectory: url.deletingLastPathComponent())
        do {
            guard let root = try Yams.compose(yaml: text) else {
                value.error("the \(what) file \(url.path) is empty")
                return nil
            }
            return (ConfigValue(node: root, path: what, diagnostics: diagnostics), diagnostics)
        } catch let error as YamlError {
            let issue = PipelineLoader.issue(from: error, text: text, file: url.path)
            diagnostics.report(issue.message, line: issue.line, column: issue.column)
            value.diagnostics.absorb(diagnostics)
            return nil
        } catch {
            value.error("the \(what) file \(url.path): \(error)")
            return nil
        }
    }

    /// Where the data file `value` names is: an absolute path as it is, a relative one against
    /// the folder of the file that names it (not `--data-dir`). Nil, reported, when not a string.
    public static func url(_ value: ConfigValue) -> URL? {
        guard let path = value.string() else { return nil }
        if path.hasPrefix("/") { return URL(fileURLWithPath: path) }
        return (value.diagnostics.fileDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .appendingPathComponent(path)
    }

    /// Hands the data file's problems to the pipeline file's diagnostics.
    public static func finish(_ diagnostics: ConfigDiagnostics, into value: ConfigValue) {
        value.diagnostics.absorb(diagnostics)
    }
}
