import Foundation
import Yams

/// Reads a pipeline file into a `PipelineConfig`, reporting every problem as `FILE:LINE:COL: message`.
public enum PipelineLoader {
    /// - Parameter baseDirectory: what relative paths resolve against; defaults to the file's folder.
    public static func load(file: URL, registry: StageRegistry, baseDirectory: URL? = nil) throws -> PipelineConfig {
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
                             registry: StageRegistry) throws -> PipelineConfig {
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

    private static func read(_ top: inout ConfigMap, file: URL, base: URL, registry: StageRegistry) -> PipelineConfig? {
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
            m.reportUnknownKeys()
        }

        var runtime = PipelineConfig.Runtime()
        var maxInFlightAt: (line: Int, column: Int)?
        if var m = top.map("runtime") {
            if m.has("max_in_flight") { maxInFlightAt = m.keyPosition("max_in_flight") }
            runtime.concurrency = m.int("concurrency", default: runtime.concurrency, in: 1...256)
            runtime.maxInFlight = m.int("max_in_flight", default: runtime.maxInFlight, in: 1...100_000)
            runtime.maxDocumentBytes = m.byteSize("max_document_bytes", default: runtime.maxDocumentBytes, in: 1...(1 << 31))
            runtime.shutdownTimeout = m.duration("shutdown_timeout", default: runtime.shutdownTimeout, in: 0...3600)
            m.reportUnknownKeys()
            if runtime.maxInFlight < runtime.concurrency, m.has("max_in_flight") {
                m.error("max_in_flight (\(runtime.maxInFlight)) is below concurrency (\(runtime.concurrency)); workers would sit idle",
                        atKey: "max_in_flight")
            }
        }

        var dropFolder: PipelineConfig.DropFolder? = PipelineConfig.DropFolder(
            inbox: resolve("inbox"), processing: resolve("processing"), done: resolve("done"), failed: resolve("failed"))
        // Where each path the daemon writes was set, to point at it when it lies in the inbox.
        var written: [(key: String, url: URL, at: (line: Int, column: Int))] = []
        var inboxAt = (line: top.line, column: top.column)
        var urlsFailedAt: (line: Int, column: Int)?
        var urls: PipelineConfig.URLSources?
        if top.has("sources") {
            dropFolder = nil
            if var sources = top.map("sources") {
                if var m = sources.map("drop_folder") {
                    var d = PipelineConfig.DropFolder(
                        inbox: resolve(m.string("path", default: "inbox")),
                        processing: resolve(m.string("processing", default: "processing")),
                        done: resolve(m.string("done", default: "done")),
                        failed: resolve(m.string("failed", default: "failed")))
                    d.afterSuccess = .init(rawValue: m.oneOf("on_success", ["move", "delete"], default: "move")) ?? .move
                    d.settleTime = m.duration("settle_time", default: d.settleTime, in: 0...3600)
                    m.reportUnknownKeys()
                    inboxAt = m.has("path") ? m.keyPosition("path") : (m.line, m.column)
                    for key in ["processing", "done", "failed"] {
                        written.append(("sources.drop_folder.\(key)", key == "processing" ? d.processing : key == "done" ? d.done : d.failed,
                                        m.has(key) ? m.keyPosition(key) : inboxAt))
                    }
                    let folders = [("path", d.inbox), ("processing", d.processing), ("done", d.done), ("failed", d.failed)]
                    for (i, a) in folders.enumerated() {
                        for b in folders[(i + 1)...] where a.1.path == b.1.path {
                            m.error("'\(a.0)' and '\(b.0)' are the same folder (\(a.1.path)); each needs its own")
                        }
                    }
                    dropFolder = d
                }
                if sources.has("urls") || sources.has("fetch") {
                    urls = readURLSources(&sources, resolve: resolve, failedAt: &urlsFailedAt)
                }
                if sources.has("feeds") {
                    _ = sources.value("feeds")
                    sources.error("feeds are listed under urls: with kind: feed", atKey: "feeds")
                }
                sources.reportUnknownKeys()
                if dropFolder == nil, urls == nil, !sources.has("feeds") {
                    sources.error("no source configured; add drop_folder: or urls:")
                }
            }
        }

        var stages: [PipelineConfig.ConfiguredStage] = []
        var fieldsWritten: [(field: String, by: String)] = DocumentField.fromSource.map { ($0, "source") }
        if let list = top.value("stages")?.list() {
            if list.isEmpty { top.error("a pipeline needs at least one stage", atKey: "stages") }
            for item in list {
                guard var entry = item.map() else { continue }
                guard let use = entry.value("use") else {
                    entry.error("each stage needs 'use: NAME' (one of: \(registry.names.joined(separator: ", ")))")
                    continue
                }
                guard let stageName = use.string() else { continue }
                guard let factory = registry.factory(named: stageName) else {
                    let hint = Suggestion.closest(to: stageName, in: registry.names).map { " (did you mean '\($0)'?)" } ?? ""
                    use.error("unknown stage '\(stageName)'\(hint); known stages: \(registry.names.joined(separator: ", "))")
                    continue
                }
                var options = entry
                let builder = factory.configure(&options)
                options.reportUnknownKeys()
                let fields = builder.fields ?? factory.fields
                // Requirements are by field, so a plugin can stand in for a built-in stage.
                for read in fields.reads where !fieldsWritten.contains(where: { DocumentField.covers($0.field, read) }) {
                    let writers = registry.names.filter { n in
                        registry.factory(named: n)!.fields.writes.contains { DocumentField.covers($0, read) }
                    }
                    let hint = writers.isEmpty ? "" : " (\(writers.map { "'\($0)'" }.joined(separator: " or ")) writes it)"
                    let message = "stage '\(stageName)' reads '\(read)', which nothing before it writes\(hint)"
                    // Fields chosen in the entry's own `reads:` are pointed at there.
                    if builder.fields != nil, entry.has("reads") { entry.error(message, atKey: "reads") } else { use.error(message) }
                }
                for write in fields.writes { fieldsWritten.append((write, stageName)) }
                stages.append(.init(name: stageName, line: entry.line, column: entry.column, builder: builder, fields: fields))
            }
        } else if !top.has("stages") {
            top.error("missing 'stages:'; a pipeline lists its stages, e.g. - use: normalize")
        }

        var sink = PipelineConfig.Sink(path: resolve("records/records.jsonl"))
        var sinkAt = inboxAt
        if var m = top.map("sink") {
            sink.type = m.oneOf("type", ["jsonl"], default: "jsonl")
            sink.path = resolve(m.string("path", default: "records/records.jsonl"))
            m.reportUnknownKeys()
            if m.has("path") { sinkAt = m.keyPosition("path") }
        }
        let state = resolve(top.string("state_dir", default: "state"))
        written.append(("sink.path", sink.path, sinkAt))
        written.append(("state_dir", state, top.has("state_dir") ? top.keyPosition("state_dir") : inboxAt))
        if let urls { written.append(("sources.fetch.failed", urls.failed, urlsFailedAt ?? inboxAt)) }
        if let inbox = dropFolder?.inbox {
            // The daemon would claim its own records or state as dropped documents.
            // (A drop-folder path equal to the inbox is reported above as "the same folder".)
            for w in written {
                let (inside, same) = ResolvedPath.isWithin(w.url, inbox)
                guard inside, !(same && w.key.hasPrefix("sources.drop_folder.")) else { continue }
                top.diagnostics.report("\(w.key) (\(w.url.path)) lies inside the drop folder \(inbox.path), which would "
                                       + "claim it as a dropped document; put it outside sources.drop_folder.path",
                                       line: w.at.line, column: w.at.column)
            }
        }
        let sourceCount = (dropFolder == nil ? 0 : 1) + (urls == nil ? 0 : 1)
        if let at = maxInFlightAt, runtime.maxInFlight < sourceCount {
            top.diagnostics.report("runtime.max_in_flight: \(runtime.maxInFlight) is below the number of sources (\(sourceCount)); "
                                   + "each source needs at least one document in flight", line: at.line, column: at.column)
        }

        if urls != nil {
            urls!.stateFolder = state.appendingPathComponent("urls")
            urls!.fetch.maxBodyBytes = runtime.maxDocumentBytes
        }
        return PipelineConfig(file: file, name: name, baseDirectory: base, log: log, runtime: runtime,
                              dropFolder: dropFolder, urls: urls, stages: stages, sink: sink, stateDirectory: state)
    }

    /// `sources.urls` (the list) and `sources.fetch` (how they are fetched).
    private static func readURLSources(_ sources: inout ConfigMap, resolve: (String) -> URL,
                                       failedAt: inout (line: Int, column: Int)?) -> PipelineConfig.URLSources? {
        var result = PipelineConfig.URLSources(entries: [], stateFolder: resolve("state/urls"), failed: resolve("failed"))
        if var f = sources.map("fetch") {
            var fetch = FetchSettings()
            fetch.userAgent = f.string("user_agent", default: fetch.userAgent)
            if !fetch.userAgent.lowercased().contains("ingestd") {
                f.error("the User-Agent must name ingestd (and should give a contact), e.g. 'ingestd/0.1 (+mailto:desk@example.org)'",
                        atKey: "user_agent")
            }
            fetch.connectTimeout = f.duration("connect_timeout", default: fetch.connectTimeout, in: 0.1...600)
            fetch.totalTimeout = f.duration("timeout", default: fetch.totalTimeout, in: 0.1...3600)
            fetch.lowSpeedBytesPerSecond = f.byteSize("low_speed_limit", default: fetch.lowSpeedBytesPerSecond, in: 1...(1 << 30))
            fetch.lowSpeedTime = f.duration("low_speed_time", default: fetch.lowSpeedTime, in: 1...3600)
            fetch.maxRedirects = f.int("max_redirects", default: fetch.maxRedirects, in: 0...5)
            fetch.perHostConnections = f.int("per_host", default: fetch.perHostConnections, in: 1...64)
            fetch.allowPrivateNetworks = f.bool("allow_private_networks", default: false)
            if let ca = f.string("ca_path") {
                let url = resolve(ca)
                if !FileManager.default.fileExists(atPath: url.path) {
                    f.error("no such file or folder: \(url.path)", atKey: "ca_path")
                }
                fetch.caPath = url.path
            }
            result.fetch = fetch
            result.minDelay = f.duration("min_delay", default: result.minDelay, in: 0...3600)
            result.robots = f.bool("robots", default: result.robots)
            result.retries = f.int("retries", default: result.retries, in: 0...20)
            result.maxBackoff = f.duration("max_backoff", default: result.maxBackoff, in: 1...86_400)
            result.maxItemsPerPoll = f.int("max_items_per_poll", default: result.maxItemsPerPoll, in: 1...100_000)
            result.seenItems = f.int("seen_items", default: result.seenItems, in: 1...10_000_000)
            result.seenFor = f.duration("seen_for", default: result.seenFor, in: 86_400...(3_650 * 86_400))
            result.failed = resolve(f.string("failed", default: "failed"))
            if f.has("failed") { failedAt = f.keyPosition("failed") }
            f.reportUnknownKeys()
        }
        guard let list = sources.value("urls")?.list() else {
            if !sources.has("urls") { sources.error("fetch: is set but there is no urls: list to fetch", atKey: "fetch") }
            return nil
        }
        if list.isEmpty { sources.error("the urls: list is empty", atKey: "urls") }
        var seen: [String: Int] = [:]
        for item in list {
            guard var m = item.map() else { continue }
            guard let url = m.string("url") else {
                if !m.has("url") { m.error("each entry needs url: (an http or https URL)") }
                continue
            }
            let scheme = url.prefix(while: { $0 != ":" }).lowercased()
            guard (scheme == "http" || scheme == "https") && URL(string: url)?.host != nil else {
                m.error("url must be an http:// or https:// URL with a host, found '\(url)'", atKey: "url")
                continue
            }
            let kind = PipelineConfig.URLSources.Entry.Kind(rawValue: m.oneOf("kind", ["page", "feed"], default: "page")) ?? .page
            let every = m.duration("every", default: 900, in: 10...(30 * 86_400))
            var headers: [String: String] = [:]
            if var h = m.map("headers") {
                for (name, value) in h.allEntries() {
                    guard let v = value.string() else { continue }
                    if name.isEmpty || name.contains(where: { $0 == ":" || $0.isWhitespace || $0.isNewline }) || v.contains(where: \.isNewline) {
                        value.error("not a valid header")
                        continue
                    }
                    headers[name] = v
                }
            }
            m.reportUnknownKeys()
            if let first = seen[url] {
                m.error("\(url) is listed twice (first at line \(first))", atKey: "url")
                continue
            }
            seen[url] = m.line
            result.entries.append(.init(url: url, kind: kind, every: every, headers: headers, line: m.line))
        }
        return result
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
