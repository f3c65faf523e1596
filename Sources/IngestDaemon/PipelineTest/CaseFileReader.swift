import Foundation
import IngestCore

/// Reads a pipeline test file (docs/testing-pipelines.md), reporting every problem as
/// `FILE:LINE:COL: message` like the pipeline loader, all at once.
public enum CaseFileReader {
    /// Record fields a case may name directly, and where they are in the record.
    static let fieldKeys: [(key: String, path: String)] = [
        ("title", "title"), ("site", "site"), ("published", "published"), ("byline", "byline"),
        ("language", "lang"), ("genre", "labels.genre"), ("category", "labels.category.label"),
        ("dedupe", "dedupe.status"), ("words", "words"),
    ]

    public static func read(_ file: URL) throws(ConfigError) -> [TestCase] {
        let display = file.path
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ConfigError(issues: [ConfigIssue(file: display, line: 1, column: 1, message: "cannot read the case file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(issues: [ConfigIssue(file: display, line: 1, column: 1, message: "the case file is not UTF-8 text")])
        }
        var (top, diags): (ConfigMap, ConfigDiagnostics)
        do { (top, diags) = try YAMLDocument.root(yaml: text, file: file, displayName: display) } catch let e as ConfigError {
            throw e
        } catch {
            throw ConfigError(issues: [ConfigIssue(file: display, line: 1, column: 1, message: "\(error)")])
        }
        let folder = file.deletingLastPathComponent()
        var cases: [TestCase] = []
        if let items = top.value("cases")?.list() {
            if items.isEmpty { top.error("cases: the list is empty; a case file needs at least one case", atKey: "cases") }
            for item in items {
                if let c = readCase(item, folder: folder) { cases.append(c) }
            }
        } else if !top.has("cases") {
            top.error("no 'cases:' list")
        }
        top.reportUnknownKeys()
        var names: [String: Int] = [:]
        for c in cases {
            if let first = names[c.name] {
                diags.report("cases: the name '\(c.name)' is used twice (first at line \(first)); names tell the cases apart in the report",
                             line: c.line, column: 1)
            }
            names[c.name] = names[c.name] ?? c.line
        }
        if !diags.issues.isEmpty { throw ConfigError(issues: diags.issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) }) }
        return cases
    }

    private static func readCase(_ value: ConfigValue, folder: URL) -> TestCase? {
        guard var m = value.map() else { return nil }
        let name = m.string("name")
        if name == nil, !m.has("name") { m.error("a case needs a name:") }
        var inputs: [TestInput] = []
        let single = m.value("input")
        let several = m.value("inputs")
        if let single, several != nil {
            single.error("give either input: or inputs:, not both")
        } else if let single {
            if let i = readInput(single, index: 0, folder: folder) { inputs.append(i) }
        } else if let list = several?.list() {
            if list.isEmpty { several?.error("the list is empty") }
            for (n, item) in list.enumerated() {
                if let i = readInput(item, index: n, folder: folder) { inputs.append(i) }
            }
        } else if several == nil {
            m.error("a case needs input: (one document) or inputs: (several, processed in order)")
        }
        // Read even when the inputs have problems, so the expectations' own are reported too.
        let expected = m.value("expect").map(readExpectations) ?? []
        if let last = inputs.indices.last { inputs[last].expectations += expected }
        m.reportUnknownKeys()
        guard let name, !inputs.isEmpty else { return nil }
        if inputs.allSatisfy({ $0.expectations.isEmpty }) {
            m.error("case '\(name)' expects nothing; add expect: (to the case, for its last document, or to an input)")
            return nil
        }
        return TestCase(name: name, line: value.line, inputs: inputs)
    }

    private static func readInput(_ value: ConfigValue, index: Int, folder: URL) -> TestInput? {
        // `input: some text` is the short form of `input: {text: some text}`.
        if case .scalar = value.node, let text = value.string() {
            return TestInput(name: "input-\(index + 1).txt", content: .inline(text), expectations: [])
        }
        guard var m = value.map() else { return nil }
        let given = ["text", "html", "file"].filter { m.has($0) }
        if given.count != 1 {
            m.error(given.isEmpty ? "an input needs text:, html: or file:" : "give one of text:, html: or file:, not \(given.joined(separator: " and "))")
        }
        var content: TestInput.Content?
        var defaultName = "input-\(index + 1).txt"
        if let text = m.value("text")?.scalarText(expecting: "the document's text") {
            content = .inline(text)
        }
        if let html = m.value("html")?.scalarText(expecting: "the page's HTML") {
            content = .inline(html)
            defaultName = "input-\(index + 1).html"
        }
        if let fileValue = m.value("file"), let path = fileValue.string() {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path).standardizedFileURL
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) || isFolder.boolValue {
                fileValue.error("no such file: \(url.path) (a path is relative to the case file)")
            }
            content = .file(url)
            defaultName = url.lastPathComponent
        }
        let name = m.string("name") ?? defaultName
        var expectations: [Expectation] = []
        if let expect = m.value("expect") { expectations = readExpectations(expect) }
        m.reportUnknownKeys()
        guard let content, given.count == 1 else { return nil }
        if name.contains("/") { m.error("name: a file name, without '/'", atKey: "name") }
        return TestInput(name: name, content: content, expectations: expectations)
    }

    static func readExpectations(_ value: ConfigValue) -> [Expectation] {
        guard var m = value.map() else { return [] }
        var out: [Expectation] = []
        if let v = m.value("recorded"), let b = v.bool() {
            if b { out.append(.recorded) } else { v.error("say what happens instead: dropped: true or rejected: CODE") }
        }
        if let b = m.value("dropped")?.bool() { out.append(b ? .dropped(reason: nil) : .notDropped) }
        if let reason = m.string("dropped_as") { out.append(.dropped(reason: reason)) }
        if let v = m.value("rejected") {
            if let text = v.scalarText(expecting: "a reason code such as no_content, or true") {
                switch text {
                case "true", "yes": out.append(.rejected(code: nil))
                case "false", "no": v.error("to expect a record, write recorded: true")
                default: out.append(.rejected(code: text))
                }
            }
        }
        for (key, path) in fieldKeys {
            if let v = m.value(key) { out.append(.equals(path: path, value: v.json)) }
        }
        for (key, path) in [("topics", "labels.topics"), ("entities", "labels.entities")] {
            guard let v = m.value(key) else { continue }
            if case .sequence = v.node {
                out += (v.list() ?? []).map { .contains(path: path, value: $0.json) }
            } else if var sets = v.map() {
                out += (sets.value("includes")?.list() ?? []).map { .contains(path: path, value: $0.json) }
                out += (sets.value("excludes")?.list() ?? []).map { .excludes(path: path, value: $0.json) }
                sets.reportUnknownKeys()
            }
        }
        if let fields = m.value("fields")?.list() {
            for item in fields {
                guard var f = item.map() else { continue }
                let path = f.string("field")
                if path == nil, !f.has("field") { f.error("name the record field: field: PATH (e.g. labels.genre)") }
                let checks = [("equals", f.value("equals")), ("contains", f.value("contains")), ("excludes", f.value("excludes"))]
                    .filter { $0.1 != nil || f.has($0.0) }
                f.reportUnknownKeys()
                guard let path else { continue }
                if checks.isEmpty { f.error("say what to check: equals:, contains: or excludes:") }
                for (kind, v) in checks {
                    let json = v?.json ?? .null
                    switch kind {
                    case "equals": out.append(.equals(path: path, value: json))
                    case "contains": out.append(.contains(path: path, value: json))
                    default: out.append(.excludes(path: path, value: json))
                    }
                }
            }
        }
        m.reportUnknownKeys()
        if out.isEmpty, m.keys.isEmpty { m.error("expect: is empty; say what the document should give") }
        return out
    }
}
