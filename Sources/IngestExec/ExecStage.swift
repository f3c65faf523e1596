import Foundation
import IngestCore
import Logging

/// `use: exec`: a long-lived process in any language that speaks plugin/1 (JSON Lines over its
/// stdin and stdout, docs/plugins.md). The stage is asynchronous: a document waiting for its
/// answer holds no worker thread.
public struct ExecStage: Stage {
    public let name: String
    let plugin: ExecPlugin
    let reads: [String]?
    let writes: [String]

    public func start() async throws { try await plugin.start() }

    public func process(_ doc: inout Document) async throws -> StageVerdict {
        let answer = try await plugin.process(id: doc.id, document: DocumentWire.encode(doc, reads: reads), allowedWrites: writes)
        return try answer.apply(to: &doc, stage: name)
    }

    public var health: StageHealth {
        let h = plugin.health
        switch h.state {
        case .ready, .starting: return .ready
        case .degraded: return .degraded("\(h.live) of \(h.instances) processes live\(h.lastFault.map { "; last fault: \($0)" } ?? "")")
        case .down: return .down(h.lastFault ?? "the plugin keeps failing")
        case .stopped: return .down("stopped")
        }
    }

    /// Blocks until the processes are gone (stdin closed, then SIGTERM, then SIGKILL): the
    /// daemon is exiting and must not leave plugins behind.
    public func close() {
        let done = DispatchSemaphore(value: 0)
        Task { [plugin] in
            await plugin.stop()
            done.signal()
        }
        done.wait()
    }

    public static let factory = StageFactory(
        name: "exec",
        summary: "a long-lived process in any language, plugin/1 over stdin/stdout (name:, command:, reads:, writes:)"
    ) { m in
        let common = PluginStageOptions.read(&m, kind: "exec")
        var command: [String] = []
        if let v = m.value("command") {
            if let list = v.stringList() {
                if list.isEmpty { v.error("command: is the plugin's argv, e.g. [python3, plugins/house_tags.py]") }
                command = list.map { resolveArgument($0, against: v.fileDirectory) }
                if let program = command.first, let problem = problemWithProgram(program) { v.error(problem) }
            }
        } else {
            m.error("an exec stage needs 'command:', the plugin's argv (no shell), e.g. [python3, plugins/house_tags.py]")
        }
        var environment: [String: String] = [:]
        if var env = m.map("env") {
            for (key, value) in env.allEntries() {
                guard let text = value.scalarText(expecting: "a string") else { continue }
                if key.isEmpty || key.contains("=") || key.contains("\0") || text.contains("\0") {
                    value.error("not a valid environment variable")
                    continue
                }
                environment[key] = text
            }
        }
        let settings = ExecPluginSettings(
            name: common.name, command: command,
            instances: m.int("instances", default: 1, in: 1...64),
            maxPending: m.int("max_pending", default: 16, in: 1...4096),
            timeout: .milliseconds(Int64(m.duration("timeout", default: 5, in: 0.001...3600) * 1000)),
            startTimeout: .milliseconds(Int64(m.duration("start_timeout", default: 10, in: 0.001...3600) * 1000)),
            options: common.options, environment: environment,
            maxLineBytes: m.byteSize("max_line_bytes", default: 16 << 20, in: 1024...(1 << 30)))
        return Builder(settings: settings, common: common)
    }

    /// A relative path in argv (`plugins/house_tags.py`) is taken against the pipeline file's
    /// folder, as every other path a pipeline names; a bare word (`python3`) is looked up in
    /// PATH and an option (`--strict`) is left alone.
    static func resolveArgument(_ argument: String, against folder: URL?) -> String {
        guard let folder, argument.contains("/"), !argument.hasPrefix("/"), !argument.hasPrefix("-"), !argument.contains("=") else {
            return argument
        }
        return folder.appendingPathComponent(argument).standardizedFileURL.path
    }

    /// Checked when the pipeline is read, so `ingestd validate` catches a wrong path.
    static func problemWithProgram(_ program: String) -> String? {
        if program.contains("/") {
            return access(program, X_OK) == 0 ? nil : "cannot run \(program): \(String(cString: strerror(errno)))"
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let found = path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
        return found ? nil : "\(program) is not found in PATH (\(path))"
    }

    struct Builder: StageBuilder {
        let settings: ExecPluginSettings
        let common: PluginStageOptions
        var fields: StageFields? { common.fields }
        var stageName: String? { common.name }
        /// An answer may come after a restart of the plugin (a crash while it held the document).
        var longestWait: Double? {
            let seconds: (Duration) -> Double = { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
            return seconds(settings.timeout) + seconds(settings.startTimeout)
        }
        func build(_ context: StageContext) throws -> any Stage {
            ExecStage(name: common.name, plugin: ExecPlugin(settings: settings, logger: context.logger),
                      reads: common.reads, writes: common.writes)
        }
    }
}
