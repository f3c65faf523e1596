import Foundation
import IngestCore
import IngestInputs
import IngestSinks
import Logging

public enum IngestdVersion {
    public static let current = "0.1.0"
}

/// The daemon shell: loads a pipeline, wires source → runner → sink, handles signals, logs.
/// Each entry point returns the process exit status.
public enum Daemon {
    private static let bootstrapped = Locked(false)

    /// swift-log can be bootstrapped once per process; later calls keep the first handler.
    static func makeLogger(level: Logger.Level) -> Logger {
        bootstrapped.withLock { done in
            if !done {
                LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: .trace) }
                done = true
            }
        }
        var logger = Logger(label: "ingestd")
        logger.logLevel = level
        return logger
    }

    static func load(_ file: URL, dataDir: URL?, registry: ComponentRegistry) -> Result<PipelineConfig, ConfigError> {
        do {
            return .success(try PipelineLoader.load(file: file, registry: registry, baseDirectory: dataDir))
        } catch let e as ConfigError {
            return .failure(e)
        } catch {
            return .failure(ConfigError(issues: [ConfigIssue(file: file.path, line: 1, column: 1, message: "\(error)")]))
        }
    }

    static func level(_ cli: String?, _ config: String?) -> Logger.Level {
        cli.flatMap(Logger.Level.init(rawValue:)) ?? config.flatMap(Logger.Level.init(rawValue:)) ?? .info
    }

    // MARK: validate

    public static func validate(file: URL, registry: ComponentRegistry) -> Int32 {
        switch load(file, dataDir: nil, registry: registry) {
        case .success(let config):
            print(config.summary)
            return 0
        case .failure(let error):
            for issue in error.issues { FileHandle.standardError.write(Data((issue.description + "\n").utf8)) }
            return 1
        }
    }

    // MARK: run

    public static func run(pipeline file: URL, dataDir: URL?, logLevel: String?, registry: ComponentRegistry) -> Int32 {
        let loaded = load(file, dataDir: dataDir, registry: registry)
        var logger = makeLogger(level: level(logLevel, try? loaded.get().log.level))
        let config: PipelineConfig
        switch loaded {
        case .success(let c): config = c
        case .failure(let error):
            for issue in error.issues {
                logger.error("\(issue)", metadata: ["file": .string(issue.file), "line": .stringConvertible(issue.line),
                                                    "column": .stringConvertible(issue.column)])
            }
            logger.critical("refusing to start: the pipeline file has problems", metadata: ["pipeline": .string(file.path)])
            return 2
        }
        logger[metadataKey: "pipeline"] = .string(config.name)
        guard !config.sources.isEmpty else {
            logger.critical("the pipeline has no source; add sources.drop_folder or sources.urls")
            return 2
        }
        let stopRequested = DispatchSemaphore(value: 0)
        let why = Locked("")
        let signalSources = ProcessSignals.handle(logger: logger, queue: DispatchQueue(label: "ingestd.signals")) { name in
            why.withLock { $0 = name }
            stopRequested.signal()
        }
        let runner: PipelineRunner
        let fatal = FatalSignal()
        let locks: [InstanceLock]
        do {
            // Before anything is read or written: a second daemon must not touch the first's files.
            locks = try InstanceLock.forDataFolders(state: config.stateDirectory,
                                                    folders: config.sources.flatMap(\.builder.exclusiveFolders))
        } catch {
            logger.critical("cannot start: \(error)", metadata: ["reason": "\(error)"])
            return 1
        }
        var startedStages: [any Stage] = []
        let metrics = DaemonMetrics(settings: config.metrics)
        let status: StatusReporter
        let metricsAddress: String?
        do {
            let stages = try buildStages(config, stateDirectory: config.stateDirectory, logger: logger)
            startedStages = stages
            let sink = try config.sink.builder.build(SinkContext(logger: logger, beforeCommit: { for s in stages { try s.sync() } }))
            let sources = try config.sources.map { try $0.builder.build(SourceContext(logger: logger, metrics: metrics.factory)) }
            let source: any DocumentSource = sources.count == 1 ? sources[0] : MergedSource(sources)
            runner = PipelineRunner(pipelineName: config.name, runtime: config.runtime, stages: stages, sink: sink,
                                    source: source, logger: logger,
                                    metrics: RunnerMetrics(factory: metrics.factory, stages: stages.map(\.name)),
                                    onFatal: { _ in fatal.fire() })
            status = StatusReporter(runner: runner, pipeline: config.name, maxInFlight: config.runtime.maxInFlight,
                                    stateDirectory: config.stateDirectory, logger: logger)
            metricsAddress = try metrics.serve(runner: runner, status: status, logger: logger)
            if let metricsAddress { status.metricsListening(at: metricsAddress) }
            try runner.start()
            metrics.markStarted()
        } catch {
            logger.critical("cannot start", metadata: ["reason": "\(error)"])
            metrics.stop()
            // Plugin processes already started are stopped, not left to the exit.
            for stage in startedStages { stage.close() }
            return 1
        }
        status.start()

        var started: Logger.Metadata = [
            "version": .string(IngestdVersion.current),
            "pipeline_file": .string(config.file.path),
            "stages": .array(config.stages.map { .string($0.name) }),
            "state": .string(config.stateDirectory.path),
            "concurrency": .stringConvertible(config.runtime.concurrency),
            "max_in_flight": .stringConvertible(config.runtime.maxInFlight),
        ]
        if let metricsAddress { started["metrics"] = .string(metricsAddress) }
        for source in config.sources { started.merge(source.builder.startupMetadata) { a, _ in a } }
        started.merge(config.sink.builder.startupMetadata) { a, _ in a }
        logger.notice("ingestd started", metadata: started)
        SystemdNotifier.notify("READY=1\nSTATUS=" + config.sources.map(\.builder.status).joined(separator: "; "))

        let summary = startSummaries(runner, every: config.log.summaryInterval, logger: logger)
        fatal.onFire { stopRequested.signal() }
        stopRequested.wait()

        let failed = fatal.fired
        SystemdNotifier.notify("STOPPING=1")
        logger.notice("stopping", metadata: ["signal": .string(failed ? "fatal error" : why.withLock { $0 }),
                                             "in_flight": .stringConvertible(runner.snapshot.inFlight)])
        summary?.cancel()
        metrics.markStopping()
        let drained = runner.shutdown(timeout: config.runtime.shutdownTimeout)
        status.stop()
        metrics.stop()
        let c = runner.snapshot
        if !drained {
            logger.warning("shutdown timeout reached; documents still in flight stay in processing/ and are redone at the next start",
                           metadata: ["in_flight": .stringConvertible(c.inFlight)])
        }
        logger.notice("stopped", metadata: ["recorded": .stringConvertible(c.recorded), "rejected": .stringConvertible(c.rejected),
                                            "dropped": .stringConvertible(c.dropped)])
        withExtendedLifetime(signalSources) {}
        withExtendedLifetime(locks) {}
        return failed ? 1 : 0
    }

    /// Builds every stage and runs its start hook (spawn, handshake), in order; the first that
    /// fails stops the start-up, naming its entry in the pipeline file. Stages already started
    /// are closed again.
    static func buildStages(_ config: PipelineConfig, stateDirectory: URL?, logger: Logger) throws -> [any Stage] {
        let context = StageContext(stateDirectory: stateDirectory, pipelineName: config.name, logger: logger)
        var built: [any Stage] = []
        for entry in config.stages {
            do {
                let stage = try entry.builder.build(context)
                built.append(stage)
                try waitFor { try await stage.start() }
            } catch {
                for stage in built { stage.close() }
                throw StartupError(message: "\(config.file.path):\(entry.line):\(entry.column): stage '\(entry.name)' cannot start: \(error)")
            }
        }
        return built
    }

    /// Runs `work` to completion from synchronous start-up code (which owns the main thread and
    /// has nothing else to do meanwhile).
    private static func waitFor(_ work: @escaping @Sendable () async throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let outcome = Locked<(any Error)?>(nil)
        Task {
            do { try await work() } catch { outcome.withLock { $0 = error } }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }

    static func startSummaries(_ runner: PipelineRunner, every interval: Double, logger: Logger) -> (any DispatchSourceTimer)? {
        guard interval > 0 else { return nil }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ingestd.summary"))
        let last = Locked((time: DispatchTime.now(), done: 0))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler {
            let c = runner.snapshot
            let done = c.recorded + c.dropped + c.rejected
            let now = DispatchTime.now()
            let rate = last.withLock { l -> Double in
                let seconds = Double(now.uptimeNanoseconds - l.time.uptimeNanoseconds) / 1e9
                defer { l = (now, done) }
                return seconds > 0 ? Double(done - l.done) / seconds : 0
            }
            var meta: Logger.Metadata = [
                "docs_per_s": .stringConvertible(rate), "in_flight": .stringConvertible(c.inFlight),
                "queued": .stringConvertible(runner.queued), "recorded": .stringConvertible(c.recorded),
                "rejected": .stringConvertible(c.rejected), "dropped": .stringConvertible(c.dropped),
            ]
            // Only stages that are not ready, so a healthy pipeline's summary stays short.
            var unwell: Logger.Metadata = [:]
            for stage in runner.stages {
                switch stage.health {
                case .ready: continue
                case .degraded(let why), .down(let why): unwell[stage.name] = .string("\(stage.health.label): \(why)")
                }
            }
            if !unwell.isEmpty { meta["stages"] = .dictionary(unwell) }
            logger.log(level: unwell.isEmpty ? .info : .warning, "summary", metadata: meta)
        }
        timer.resume()
        return timer
    }

    // MARK: once

    /// - Parameter output: a path, or "-" for stdout.
    public static func once(pipeline file: URL, inputs: [URL], output: String, stateDirectory: URL?, logLevel: String?,
                            registry: ComponentRegistry) -> Int32 {
        let loaded = load(file, dataDir: nil, registry: registry)
        let logger = makeLogger(level: level(logLevel, try? loaded.get().log.level))
        guard case .success(let config) = loaded else {
            if case .failure(let error) = loaded {
                for issue in error.issues { FileHandle.standardError.write(Data((issue.description + "\n").utf8)) }
            }
            return 2
        }
        let source = ListSource(files: inputs)
        let runner: PipelineRunner
        let lock: [InstanceLock]?
        do {
            lock = try stateDirectory.map { try InstanceLock.forDataFolders(state: $0, folders: []) }
        } catch {
            logger.critical("cannot start: \(error)", metadata: ["reason": "\(error)"])
            return 1
        }
        // `ingestd once … | head` closes stdout early: the write fails (exit 1), no signal death.
        ProcessSignals.ignoreQuietly()
        do {
            let stages = try buildStages(config, stateDirectory: stateDirectory, logger: logger)
            let sync: @Sendable () throws -> Void = { for s in stages { try s.sync() } }
            let sink: JSONLinesSink = output == "-"
                ? JSONLinesSink(fileDescriptor: 1, beforeCommit: sync)
                : try JSONLinesSink(path: URL(fileURLWithPath: output), beforeCommit: sync)
            runner = PipelineRunner(pipelineName: config.name, runtime: config.runtime, stages: stages, sink: sink,
                                    source: source, logger: logger, inputsNamedByUser: true, onFatal: { error in
                                        logger.critical("cannot write records", metadata: ["reason": "\(error)"])
                                        exit(1)
                                    })
            try runner.start()
        } catch {
            logger.critical("cannot start", metadata: ["reason": "\(error)"])
            return 1
        }
        source.waitUntilFinished()
        _ = runner.shutdown(timeout: config.runtime.shutdownTimeout)
        withExtendedLifetime(lock) {}
        let c = runner.snapshot
        return c.rejected > 0 ? 1 : 0
    }
}

struct StartupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Set once when the sink fails; wakes the main thread.
final class FatalSignal: Sendable {
    private let state = Locked<(fired: Bool, handler: (@Sendable () -> Void)?)>((false, nil))
    func fire() {
        let h = state.withLock { s -> (@Sendable () -> Void)? in
            guard !s.fired else { return nil }
            s.fired = true
            return s.handler
        }
        h?()
    }
    func onFire(_ handler: @escaping @Sendable () -> Void) {
        let already = state.withLock { s -> Bool in
            s.handler = handler
            return s.fired
        }
        if already { handler() }
    }
    var fired: Bool { state.withLock { $0.fired } }
}
