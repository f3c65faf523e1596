import Foundation
import IngestCore
import Logging

/// Judges whether the pipeline makes progress, for systemd's watchdog: healthy while no
/// document has been inside one stage, and no sink commit under way, for longer than
/// `runtime.stall_timeout`, unless that stage (or the sink) reports what it is waiting for. An
/// idle pipeline is healthy. The first time it is not, the reason
/// is logged once (critical), so the journal says why systemd restarted the daemon.
final class Watchdog: Sendable {
    struct Stall: Sendable, Equatable {
        /// nil for a sink commit, which is not one document's.
        var doc: String?
        var path: String?
        var stage: String
        var seconds: Double
    }

    private let runner: PipelineRunner
    private let bound: Double
    private let logger: Logger
    private let reported = Locked(false)

    init(runner: PipelineRunner, stallTimeout: Double, logger: Logger) {
        self.runner = runner
        self.bound = stallTimeout
        self.logger = logger
    }

    /// What is stuck, if anything.
    var stall: Stall? {
        let now = DispatchTime.now().uptimeNanoseconds
        let age: (UInt64) -> Double = { now > $0 ? Double(now - $0) / 1e9 : 0 }
        // A stage or sink that says what it waits for (the cluster's database away, a plugin
        // restarting) is not wedged: it holds its documents on purpose, and a restart would not
        // bring the database back.
        if let oldest = runner.oldestInStage, age(oldest.since) > bound,
           runner.stages.first(where: { $0.name == oldest.stage })?.health ?? .ready == .ready {
            return Stall(doc: oldest.doc, path: oldest.path, stage: oldest.stage, seconds: age(oldest.since))
        }
        if let started = runner.commitStartedAt, age(started) > bound, runner.sink.writeProblem == nil {
            return Stall(doc: nil, path: nil, stage: "sink", seconds: age(started))
        }
        return nil
    }

    /// True when `WATCHDOG=1` may be sent now; logs the change when health changes.
    func healthy() -> Bool {
        let stall = self.stall
        let change = reported.withLock { r -> Bool in
            defer { r = stall != nil }
            return r != (stall != nil)
        }
        guard change else { return stall == nil }
        if let stall {
            var meta: Logger.Metadata = [
                "stage": .string(stall.stage), "seconds": .stringConvertible((stall.seconds * 10).rounded() / 10),
                "since": .string(Timestamp.rfc3339(Date().addingTimeInterval(-stall.seconds))),
                "stall_timeout_s": .stringConvertible(bound),
            ]
            if let doc = stall.doc { meta["doc"] = .string(doc) }
            if let path = stall.path { meta["path"] = .string(path) }
            logger.critical(stall.doc == nil ? "watchdog pings stopped: the sink has been committing one batch for too long"
                                             : "watchdog pings stopped: a document has been in one stage for too long", metadata: meta)
        } else {
            logger.notice("watchdog pings resumed: the pipeline makes progress again")
        }
        return stall == nil
    }
}
