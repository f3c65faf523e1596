import Foundation
import IngestCore
import Logging

/// Applies a changed pipeline file to the running daemon (SIGHUP, `systemctl reload`).
///
/// The new file is read and validated first; a file with problems, or with changes that need a
/// restart, changes nothing. Otherwise claiming pauses, the documents in flight finish on the
/// old stages, the stages whose entries changed are closed (a stage that keeps state, dedupe,
/// has synced it) and their new versions built and started, unchanged stages and an unchanged
/// sink are kept as they run, and sources change in place (the URL list). If a new stage cannot
/// start, what was closed is built again from the old file and the old pipeline goes on.
///
/// Reloads and the stop run one at a time on one queue; after the stop began, a reload is
/// refused.
final class PipelineReloader: @unchecked Sendable {
    private let file: URL
    private let dataDir: URL?
    private let registry: ComponentRegistry
    private let logger: Logger
    private let runner: PipelineRunner
    /// What the sink syncs before each commit: the stages of the running generation.
    private let committing: Locked<[any Stage]>
    private let queue = DispatchQueue(label: "ingestd.pipeline")

    // Confined to `queue`.
    private(set) var config: PipelineConfig
    private var stages: [any Stage]
    private var sink: any RecordSink
    private let sources: [any DocumentSource]
    private var stopped = false

    init(file: URL, dataDir: URL?, registry: ComponentRegistry, logger: Logger, runner: PipelineRunner, config: PipelineConfig,
         stages: [any Stage], sink: any RecordSink, sources: [any DocumentSource], committing: Locked<[any Stage]>) {
        self.file = file
        self.dataDir = dataDir
        self.registry = registry
        self.logger = logger
        self.runner = runner
        self.config = config
        self.stages = stages
        self.sink = sink
        self.sources = sources
        self.committing = committing
        self.statusParts = Locked(config.sources.map(\.builder.status))
    }

    /// The sources' STATUS parts, as the running configuration describes them; kept apart from
    /// `queue` so that the status line never waits for a reload.
    private let statusParts: Locked<[String]>
    var sourceStatus: [String] { statusParts.withLock { $0 } }

    /// Runs `work` after any reload under way, and makes every later reload a no-op.
    func stopping<T>(_ work: () -> T) -> T {
        queue.sync {
            stopped = true
            return work()
        }
    }

    /// One reload, start to end; returns when it is done or refused.
    func reload(signal: String) {
        queue.sync {
            guard !stopped else { return }
            logger.notice("reloading the pipeline", metadata: ["signal": .string(signal), "pipeline_file": .string(file.path)])
            let next: PipelineConfig
            switch Daemon.load(file, dataDir: dataDir, registry: registry) {
            case .failure(let error):
                for issue in error.issues {
                    logger.error("\(issue)", metadata: ["file": .string(issue.file), "line": .stringConvertible(issue.line),
                                                        "column": .stringConvertible(issue.column)])
                }
                refuse("the pipeline file has problems", ["problems": .stringConvertible(error.issues.count)])
                return
            case .success(let c): next = c
            }
            let reasons = restartOnlyChanges(to: next)
            guard reasons.isEmpty else {
                for reason in reasons { logger.error("\(reason)", metadata: ["pipeline_file": .string(file.path)]) }
                refuse("the changes need a restart", [:])
                return
            }
            apply(next)
        }
    }

    private func refuse(_ why: String, _ meta: Logger.Metadata) {
        var meta = meta
        meta["reason"] = .string(why)
        meta["pipeline_file"] = .string(file.path)
        logger.error("reload refused; the running pipeline is kept", metadata: meta)
    }

    /// What a reload cannot change, each as a message for the log.
    private func restartOnlyChanges(to next: PipelineConfig) -> [String] {
        var reasons: [String] = []
        for key in ["name", "log", "runtime", "state_dir", "cluster"] where config.sections[key] != next.sections[key] {
            reasons.append("\(key) cannot change while ingestd runs; restart it to apply")
        }
        if next.sources.map(\.name) != config.sources.map(\.name) {
            reasons.append("sources cannot be added or removed while ingestd runs (\(config.sources.map(\.name).joined(separator: ", "))"
                           + " → \(next.sources.map(\.name).joined(separator: ", "))); restart it to apply")
        } else {
            for (i, source) in next.sources.enumerated() {
                if case .refused(let why) = source.builder.reload(sources[i], builtFrom: config.sources[i].builder, check: true) {
                    reasons.append(why)
                }
            }
        }
        return reasons
    }

    private func apply(_ next: PipelineConfig) {
        SystemdNotifier.notify("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds)")
        defer { SystemdNotifier.notify("READY=1") }
        // Each new entry takes the running stage of an identical old entry, once.
        var unclaimed = Array(config.stages.indices)
        let plan: [Int?] = next.stages.map { entry in
            guard let at = unclaimed.firstIndex(where: { config.stages[$0].entry == entry.entry && config.stages[$0].name == entry.name })
            else { return nil }
            return unclaimed.remove(at: at)
        }
        let replaced = unclaimed
        let sinkChanged = config.sink.entry != next.sink.entry || config.sink.name != next.sink.name

        guard runner.pause(timeout: config.runtime.shutdownTimeout) else {
            logger.error("reload abandoned: documents were still in flight after shutdown_timeout; the running pipeline is kept",
                         metadata: ["in_flight": .stringConvertible(runner.snapshot.inFlight),
                                    "timeout_s": .stringConvertible(config.runtime.shutdownTimeout)])
            runner.resume()
            return
        }
        // Nothing is in flight: what is replaced is closed before its successor opens the same state.
        for i in replaced { stages[i].close() }
        if sinkChanged { closeSink() }

        let context = StageContext(stateDirectory: next.stateDirectory, pipelineName: next.name, logger: logger, cluster: next.cluster)
        var built: [any Stage] = []
        var newStages: [any Stage] = []
        do {
            for (entry, old) in zip(next.stages, plan) {
                if let old {
                    newStages.append(stages[old])
                } else {
                    let stage = try Daemon.startStage(entry, file: next.file, context: context)
                    built.append(stage)
                    newStages.append(stage)
                }
            }
            let newSink = sinkChanged ? try buildSink(next) : sink
            committing.withLock { $0 = newStages }
            runner.resume(stages: newStages, sink: newSink)
            let sourceChanges = next.sources.indices.map {
                next.sources[$0].builder.reload(sources[$0], builtFrom: config.sources[$0].builder, check: false)
            }
            let kept = plan.compactMap { $0 }
            logger.notice("pipeline reloaded", metadata: [
                "stages": .array(next.stages.map { .string($0.name) }),
                "stages_kept": .array(kept.map { .string(config.stages[$0].name) }),
                "stages_started": .array(zip(next.stages, plan).filter { $0.1 == nil }.map { .string($0.0.name) }),
                "stages_closed": .array(replaced.map { .string(config.stages[$0].name) }),
                "sink": .string(sinkChanged ? "rebuilt" : "kept"),
                "feeds_added": .array(sourceChanges.flatMap { c -> [String] in if case .updated(let a, _) = c { return a }; return [] }
                    .map { .string($0) }),
                "feeds_removed": .array(sourceChanges.flatMap { c -> [String] in if case .updated(_, let r) = c { return r }; return [] }
                    .map { .string($0) }),
            ])
            stages = newStages
            sink = newSink
            config = next
            statusParts.withLock { $0 = next.sources.map(\.builder.status) }
        } catch {
            logger.error("reload failed; going on with the old pipeline", metadata: ["reason": .string("\(error)")])
            for stage in built { stage.close() }
            fallBack(replaced: replaced, sinkClosed: sinkChanged)
        }
        SystemdNotifier.notify("STATUS=" + StatusLine.make(runner.snapshot, queued: runner.queued, sources: config.sources.map(\.builder.status),
                                                           health: runner.source.health))
    }

    /// The old pipeline again: what the reload closed is built from the old file once more.
    private func fallBack(replaced: [Int], sinkClosed: Bool) {
        let context = StageContext(stateDirectory: config.stateDirectory, pipelineName: config.name, logger: logger, cluster: config.cluster)
        do {
            for i in replaced { stages[i] = try Daemon.startStage(config.stages[i], file: config.file, context: context) }
            if sinkClosed { sink = try buildSink(config) }
        } catch {
            // Neither pipeline can run: stop as a sink failure does, leaving the claims for the restart.
            // Claims stay parked (in processing/) for the restart.
            logger.critical("cannot restore the old pipeline after a failed reload; stopping", metadata: ["reason": .string("\(error)")])
            runner.failed(error)
            return
        }
        committing.withLock { $0 = stages }
        runner.resume(stages: stages, sink: sink)
    }

    private func closeSink() {
        do { try sink.close() } catch {
            logger.error("cannot flush the sink", metadata: ["reason": .string("\(error)")])
        }
    }

    private func buildSink(_ config: PipelineConfig) throws -> any RecordSink {
        try config.sink.builder.build(SinkContext(logger: logger, beforeCommit: { [committing] in
            for s in committing.withLock({ $0 }) { try s.sync() }
        }))
    }
}
