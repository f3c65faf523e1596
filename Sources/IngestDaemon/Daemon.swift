import Foundation
import IngestCore
import IngestInputs
import IngestSinks
import Logging
import ServiceLifecycle

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

    public static func load(_ file: URL, dataDir: URL?, registry: ComponentRegistry) -> Result<PipelineConfig, ConfigError> {
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

    /// - Parameter extraServices: services run beside the pipeline (an HTTP metrics server),
    ///   started after it and stopped after it has drained.
    public static func run(pipeline file: URL, dataDir: URL?, logLevel: String?, registry: ComponentRegistry,
                           extraServices: [any Service] = []) -> Int32 {
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
        // Before the long part of the start-up: a SIGTERM during it is a clean stop, not a kill.
        let latch = StopLatch()
        let signalSources = ProcessSignals.handle(logger: logger, queue: DispatchQueue(label: "ingestd.signals")) { name in
            latch.fire(.signal(name))
        }
        let runner: PipelineRunner
        let reloader: PipelineReloader
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
            // The stages of the running generation, which a reload replaces.
            let committing = Locked(stages)
            let sink = try config.sink.builder.build(SinkContext(logger: logger, beforeCommit: {
                for s in committing.withLock({ $0 }) { try s.sync() }
            }))
            let sources = try config.sources.map { try $0.builder.build(SourceContext(logger: logger, metrics: metrics.factory)) }
            let source: any DocumentSource = sources.count == 1 ? sources[0] : MergedSource(sources)
            runner = PipelineRunner(pipelineName: config.name, runtime: config.runtime, stages: stages, sink: sink,
                                    source: source, logger: logger, log: config.log, metrics: RunnerMetrics(factory: metrics.factory),
                                    onFatal: { _ in latch.fire(.fatal) })
            reloader = PipelineReloader(file: file, dataDir: dataDir, registry: registry, logger: logger, runner: runner, config: config,
                                        stages: stages, sink: sink, sources: sources, committing: committing)
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
        let hangups = ReloadService.listen(queue: DispatchQueue(label: "ingestd.reload-signal"))

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

        let watchdog = WatchdogSettings.fromEnvironment()
        let services = services(
            pipeline: PipelineService(runner: runner, reloader: reloader, latch: latch, shutdownTimeout: config.runtime.shutdownTimeout,
                                      logger: logger, summary: startSummaries(runner, every: config.log.summaryInterval, logger: logger),
                                      onStopping: { metrics.markStopping() }),
            reloader: ReloadService(reloader: reloader, requests: hangups.requests),
            systemd: SystemdService(runner: runner, watchdog: Watchdog(runner: runner, stallTimeout: config.runtime.stallTimeout, logger: logger),
                                    settings: watchdog, sourceStatus: { reloader.sourceStatus }),
            extra: [MetricsService(metrics: metrics, status: status)] + extraServices)
        // The group's own lines (services starting, signals) are debug chatter beside ours.
        var groupLogger = logger
        groupLogger.logLevel = .notice
        var groupConfig = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: groupLogger)
        groupConfig.logging.keys.serviceKey = "service"
        let group = ServiceGroup(configuration: groupConfig)
        let finished = DispatchSemaphore(value: 0)
        Task {
            do { try await group.run() } catch {
                if latch.reason != .fatal { logger.error("the service group failed", metadata: ["reason": .string("\(error)")]) }
            }
            finished.signal()
        }
        finished.wait()
        withExtendedLifetime(signalSources) {}
        withExtendedLifetime(hangups.source) {}
        withExtendedLifetime(locks) {}
        return latch.reason == .fatal ? 1 : 0
    }

    /// The daemon's services in start order. The group stops them in reverse: the reloader
    /// first (no reload once stopping), then the pipeline (drained), then the extra services
    /// (metrics, still answering during the drain), and systemd's notifier last (its watchdog
    /// pings go on while the pipeline drains). Append new services here.
    static func services(pipeline: PipelineService, reloader: ReloadService, systemd: SystemdService,
                         extra: [any Service]) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        [.init(service: systemd)]
            + extra.map { .init(service: $0) }
            + [.init(service: pipeline, successTerminationBehavior: .gracefullyShutdownGroup,
                     failureTerminationBehavior: .gracefullyShutdownGroup),
               .init(service: reloader)]
    }

    /// Builds every stage and runs its start hook (spawn, handshake), in order; the first that
    /// fails stops the start-up, naming its entry in the pipeline file. Stages already started
    /// are closed again.
    static func buildStages(_ config: PipelineConfig, stateDirectory: URL?, logger: Logger) throws -> [any Stage] {
        let context = StageContext(stateDirectory: stateDirectory, pipelineName: config.name, logger: logger, cluster: config.cluster)
        var built: [any Stage] = []
        for entry in config.stages {
            do {
                built.append(try startStage(entry, file: config.file, context: context))
            } catch {
                for stage in built { stage.close() }
                throw error
            }
        }
        return built
    }

    /// Builds one stage and runs its start hook; a stage that fails to start is closed again.
    static func startStage(_ entry: PipelineConfig.ConfiguredStage, file: URL, context: StageContext) throws -> any Stage {
        var built: (any Stage)?
        do {
            let stage = try entry.builder.build(context)
            built = stage
            try waitFor { try await stage.start() }
            return stage
        } catch {
            built?.close()
            throw StartupError(message: "\(file.path):\(entry.line):\(entry.column): stage '\(entry.name)' cannot start: \(error)")
        }
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
            let leftOut = runner.documentLines.takeSuppressed()
            if leftOut > 0 { meta["document_lines_left_out"] = .stringConvertible(leftOut) }
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
                                    source: source, logger: logger, log: config.log, inputsNamedByUser: true, onFatal: { error in
                                        logger.critical("cannot write records", metadata: ["reason": "\(error)"])
                                        exit(1)
                                    })
            try runner.start()
        } catch {
            logger.critical("cannot start", metadata: ["reason": "\(error)"])
            return 1
        }
        let progress = OnceProgress.start(total: inputs.count) { let c = runner.snapshot; return c.recorded + c.dropped + c.rejected }
        source.waitUntilFinished()
        progress?.finish()
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
