import Foundation
import Yams

/// Reads a pipeline file into a `PipelineConfig`, reporting every problem as `FILE:LINE:COL: message`.
public enum PipelineLoader {
    /// - Parameter baseDirectory: what relative paths resolve against; defaults to the file's folder.
    public static func load(file: URL, registry: ComponentRegistry, baseDirectory: URL? = nil) throws -> PipelineConfig {
        let displayName = file.path
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw ConfigError(issues: [ConfigIssue(file: displayName, line: 1, column: 1,
                                                   message: "cannot read the pipeline file: \(error.localizedDescription)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(issues: [ConfigIssue(file: displayName, line: 1, column: 1, message: "the pipeline file is not UTF-8 text")])
        }
        let base = baseDirectory ?? file.deletingLastPathComponent()
        return try parse(yaml: text, file: file, displayName: displayName, baseDirectory: base, registry: registry)
    }

    public static func parse(yaml text: String, file: URL, displayName: String, baseDirectory: URL,
                             registry: ComponentRegistry) throws -> PipelineConfig {
        let diags = ConfigDiagnostics(file: displayName, fileDirectory: file.deletingLastPathComponent())
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(issues: [issue(from: error, text: text, file: displayName)])
        } catch {
            throw ConfigError(issues: [ConfigIssue(file: displayName, line: 1, column: 1, message: "\(error)")])
        }
        guard let root else {
            throw ConfigError(issues: [ConfigIssue(file: displayName, line: 1, column: 1, message: "the pipeline file is empty")])
        }
        guard var top = ConfigValue(node: root, path: "", diagnostics: diags).map() else {
            throw ConfigError(issues: diags.issues)
        }
        let config = read(&top, file: file, base: baseDirectory, registry: registry)
        top.reportUnknownKeys()
        if !diags.issues.isEmpty || config == nil {
            throw ConfigError(issues: diags.issues.sorted { ($0.file != displayName ? 1 : 0, $0.file, $0.line, $0.column)
                                                              < ($1.file != displayName ? 1 : 0, $1.file, $1.line, $1.column) })
        }
        return config!
    }

    private static func read(_ top: inout ConfigMap, file: URL, base: URL, registry: ComponentRegistry) -> PipelineConfig? {
        func resolve(_ path: String) -> URL {
            path.hasPrefix("/") ? URL(fileURLWithPath: path).standardizedFileURL
                : base.appendingPathComponent(path).standardizedFileURL
        }
        let defaultName = file.deletingPathExtension().lastPathComponent
        let name = top.string("name", default: defaultName)

        var log = PipelineConfig.Log()
        if var m = top.map("log") {
            log.level = m.oneOf("level", ["trace", "debug", "info", "notice", "warning", "error", "critical"], default: log.level)
            log.summaryInterval = m.duration("summary_interval", default: log.summaryInterval, in: 0...86_400)
            log.documents = m.oneOf("documents", ["debug", "info"], default: log.documents)
            log.documentsPerSecond = m.int("documents_per_second", default: log.documentsPerSecond, in: 0...1_000_000)
            m.reportUnknownKeys()
        }

        let metrics = MetricsSettings.read(&top)
        let cluster = ClusterSettings.read(&top)

        var runtime = PipelineConfig.Runtime()
        var maxInFlightAt: (line: Int, column: Int)?
        var stallAt: (line: Int, column: Int)?
        if var m = top.map("runtime") {
            if m.has("max_in_flight") { maxInFlightAt = m.keyPosition("max_in_flight") }
            runtime.concurrency = m.int("concurrency", default: runtime.concurrency, in: 1...256)
            runtime.maxInFlight = m.int("max_in_flight", default: runtime.maxInFlight, in: 1...100_000)
            runtime.maxDocumentBytes = m.byteSize("max_document_bytes", default: runtime.maxDocumentBytes, in: 1...(1 << 31))
            runtime.shutdownTimeout = m.duration("shutdown_timeout", default: runtime.shutdownTimeout, in: 0...3600)
            runtime.stallTimeout = m.duration("stall_timeout", default: runtime.stallTimeout, in: 1...86_400)
            if m.has("stall_timeout") { stallAt = m.keyPosition("stall_timeout") }
            m.reportUnknownKeys()
            if runtime.maxInFlight < runtime.concurrency, m.has("max_in_flight") {
                m.error("max_in_flight (\(runtime.maxInFlight)) is below concurrency (\(runtime.concurrency)); workers would sit idle",
                        atKey: "max_in_flight")
            }
        }

        let state = resolve(top.string("state_dir", default: "state"))
        let stateAt: (line: Int, column: Int) = top.has("state_dir") ? top.keyPosition("state_dir") : (top.line, top.column)
        let context = ComponentOptionsContext(resolve: resolve, stateDirectory: state, runtime: runtime,
                                              cluster: cluster, line: top.line, column: top.column)

        // Each source kind reads the keys of `sources:` it owns; with no `sources:` at all the
        // default source runs with its defaults (the drop folder in the data folder).
        var sources: [PipelineConfig.ConfiguredSource] = []
        if top.has("sources") {
            if var map = top.map("sources") {
                for factory in registry.sources where factory.keys.contains(where: map.has) {
                    if let builder = factory.configure(&map, context) { sources.append(.init(name: factory.name, builder: builder)) }
                }
                map.reportUnknownKeys()
                if sources.isEmpty, !registry.sources.contains(where: { $0.keys.contains(where: map.has) }) {
                    map.error("no source configured; add \(registry.sources.map { $0.keys[0] + ":" }.joined(separator: " or "))")
                }
            }
        } else if let factory = registry.source(named: registry.defaultSource) {
            var empty = top.emptyChild("sources")
            if let builder = factory.configure(&empty, context) { sources.append(.init(name: factory.name, builder: builder)) }
        }

        var stages: [PipelineConfig.ConfiguredStage] = []
        var fieldsWritten: [(field: String, by: String)] = DocumentField.fromSource.map { ($0, "source") }
        if let list = top.value("stages")?.list() {
            if list.isEmpty { top.error("a pipeline needs at least one stage", atKey: "stages") }
            for item in list {
                guard var entry = item.map() else { continue }
                guard let use = entry.value("use") else {
                    entry.error("each stage needs 'use: NAME' (one of: \(registry.stages.names.joined(separator: ", ")))")
                    continue
                }
                guard let stageName = use.string() else { continue }
                guard let factory = registry.stages.factory(named: stageName) else {
                    let hint = Suggestion.closest(to: stageName, in: registry.stages.names).map { " (did you mean '\($0)'?)" } ?? ""
                    use.error("unknown stage '\(stageName)'\(hint); known stages: \(registry.stages.names.joined(separator: ", "))")
                    continue
                }
                var options = entry
                let builder = factory.configure(&options)
                options.reportUnknownKeys()
                let fields = builder.fields ?? factory.fields
                // Requirements are by field, so a plugin can stand in for a built-in stage.
                // A path that names no field was reported by the stage itself.
                for read in fields.reads where DocumentField.problem(with: read) == nil
                    && !fieldsWritten.contains(where: { DocumentField.covers($0.field, read) }) {
                    let writers = registry.stages.names.filter { n in
                        registry.stages.factory(named: n)!.fields.writes.contains { DocumentField.covers($0, read) }
                    }
                    let hint = writers.isEmpty ? "" : " (\(writers.map { "'\($0)'" }.joined(separator: " or ")) writes it)"
                    let message = "stage '\(stageName)' reads '\(read)', which nothing before it writes\(hint)"
                    // Fields chosen in the entry's own `reads:` are pointed at there.
                    if builder.fields != nil, entry.has("reads") { entry.error(message, atKey: "reads") } else { use.error(message) }
                }
                for write in fields.writes { fieldsWritten.append((write, stageName)) }
                var name = stageName
                if let own = builder.stageName {
                    // A plugin's name keys its record field and its log lines: it must say which stage.
                    if registry.stages.factory(named: own) != nil, own != stageName {
                        entry.error("the name '\(own)' is a stage kind; give the \(stageName) stage a name of its own", atKey: "name")
                    } else if let first = stages.first(where: { $0.name == own }) {
                        entry.error("the stage name '\(own)' is already used at line \(first.line)", atKey: "name")
                    }
                    name = own
                }
                stages.append(.init(name: name, line: entry.line, column: entry.column, builder: builder, fields: fields,
                                    entry: item.canonicalText))
            }
        } else if !top.has("stages") {
            top.error("missing 'stages:'; a pipeline lists its stages, e.g. - use: normalize")
        }

        let sinkText = top.has("sink") ? top.canonicalSections["sink"] ?? "" : ""
        let sink: PipelineConfig.ConfiguredSink
        if let listed = top.value("sink"), case .sequence = listed.node {
            // Several sinks: each record goes to every one (FanOutSink).
            var parts: [(name: String, builder: any SinkBuilder)] = []
            let items = listed.list() ?? []
            if items.isEmpty { listed.error("list at least one sink, e.g. - type: jsonl") }
            for item in items {
                guard var m = item.map() else { continue }
                let type = m.oneOf("type", registry.sinks.map(\.name), default: registry.defaultSink)
                guard let factory = registry.sink(named: type) else { continue }
                if type != registry.defaultSink, parts.contains(where: { $0.name == type }) {
                    m.error("sink type \(type) is listed twice; one is enough", atKey: "type")
                }
                parts.append((type, factory.configure(&m, context)))
                m.reportUnknownKeys()
            }
            guard !parts.isEmpty else { return nil }
            sink = PipelineConfig.ConfiguredSink(name: parts.map(\.name).joined(separator: "+"),
                                                 builder: parts.count == 1 ? parts[0].builder : FanOutSinkBuilder(parts: parts),
                                                 entry: sinkText)
        } else {
            var sinkMap = top.map("sink") ?? top.emptyChild("sink")
            let sinkType = sinkMap.oneOf("type", registry.sinks.map(\.name), default: registry.defaultSink)
            guard let sinkFactory = registry.sink(named: sinkType) else {
                top.error("no sink kind '\(sinkType)' is known")
                return nil
            }
            sink = PipelineConfig.ConfiguredSink(name: sinkType, builder: sinkFactory.configure(&sinkMap, context), entry: sinkText)
            sinkMap.reportUnknownKeys()
        }

        // The daemon would claim its own records, state or outputs as dropped documents. (A
        // drop folder's own folders equal to its inbox are reported by it as "the same folder".)
        var written = sources.flatMap(\.builder.writes) + sink.builder.writes
        written.append(WrittenPath(key: "state_dir", url: state, line: stateAt.line, column: stateAt.column,
                                   explicit: top.has("state_dir")))
        for source in sources {
            guard let claimed = source.builder.claimsFrom else { continue }
            for w in written {
                let (inside, same) = ResolvedPath.isWithin(w.url, claimed.url)
                guard inside, !(same && source.builder.writes.contains { $0.key == w.key }) else { continue }
                top.diagnostics.report("\(w.key) (\(w.url.path)) lies inside the drop folder \(claimed.url.path), which would "
                                       + "claim it as a dropped document; put it outside \(claimed.key)",
                                       line: w.explicit ? w.line : claimed.line, column: w.explicit ? w.column : claimed.column)
            }
        }
        if let at = maxInFlightAt, runtime.maxInFlight < sources.count {
            top.diagnostics.report("runtime.max_in_flight: \(runtime.maxInFlight) is below the number of sources (\(sources.count)); "
                                   + "each source needs at least one document in flight", line: at.line, column: at.column)
        }
        // A plugin may hold a document up to its own timeout: a watchdog bound below that would
        // restart a daemon that is only waiting as configured.
        for stage in stages {
            guard let wait = stage.builder.longestWait, wait >= runtime.stallTimeout else { continue }
            let what = "stage '\(stage.name)' may hold a document for \(Int(wait))s (its timeout), which is not below "
                + "runtime.stall_timeout (\(Int(runtime.stallTimeout))s); raise stall_timeout or lower the stage's timeout"
            let at = stallAt ?? (stage.line, stage.column)
            top.diagnostics.report(what, line: at.line, column: at.column)
        }
        var config = PipelineConfig(file: file, name: name, baseDirectory: base, log: log, runtime: runtime,
                                    sources: sources, stages: stages, sink: sink, stateDirectory: state, metrics: metrics)
        config.cluster = cluster
        config.sections = top.canonicalSections
        return config
    }

    static func issue(from error: YamlError, text: String, file: String) -> ConfigIssue {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            if character(in: text, line: mark.line, column: mark.column) == "\t" || lineHasLeadingTab(text, line: mark.line) {
                message += "; tabs cannot indent YAML, use spaces"
            }
            return ConfigIssue(file: file, line: mark.line, column: mark.column, message: message)
        case let .reader(problem, offset, _, _):
            return ConfigIssue(file: file, line: 1, column: (offset ?? 0) + 1, message: "unreadable YAML: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams points at the mapping; point at the second occurrence of the key instead.
            let position = duplicates.first.flatMap { secondOccurrence(of: $0, in: text, from: context.mark.line) }
            return ConfigIssue(file: file, line: position?.line ?? context.mark.line, column: position?.column ?? context.mark.column,
                               message: "duplicate key: \(duplicates.joined(separator: ", ")) (each key may appear once)")
        default:
            return ConfigIssue(file: file, line: 1, column: 1, message: "invalid YAML: \(error)")
        }
    }

    /// The line and column of the second line that starts with `key:` at or after `from`.
    private static func secondOccurrence(of key: String, in text: String, from: Int) -> (line: Int, column: Int)? {
        var seen = 0
        for (i, line) in lines(text).enumerated() where i + 1 >= from {
            let indent = line.prefix(while: { $0 == " " || $0 == "-" })
            let rest = line.dropFirst(indent.count)
            if rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") {
                seen += 1
                if seen == 2 { return (i + 1, indent.count + 1) }
            }
        }
        return nil
    }

    private static func lines(_ text: String) -> [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false) }

    private static func character(in text: String, line: Int, column: Int) -> Character? {
        let ls = lines(text)
        guard line >= 1, line <= ls.count else { return nil }
        let l = ls[line - 1]
        guard column >= 1, column <= l.count else { return nil }
        return l[l.index(l.startIndex, offsetBy: column - 1)]
    }

    private static func lineHasLeadingTab(_ text: String, line: Int) -> Bool {
        let ls = lines(text)
        guard line >= 1, line <= ls.count else { return false }
        return ls[line - 1].prefix(while: { $0 == " " || $0 == "\t" }).contains("\t")
    }
}
