import Foundation
import IngestCore
import Logging

/// Takes `StatusSnapshot`s of a running pipeline and writes them to `STATE/status.json`
/// (atomically, every `interval` seconds and once more at stop), so `ingestd status` can read
/// them without the daemon serving HTTP.
public final class StatusReporter: Sendable {
    public static let fileName = "status.json"
    public static let interval: Double = 2

    private let runner: PipelineRunner
    private let file: URL?
    private let pipeline: String
    private let maxInFlight: Int
    private let startedAt = Date()
    private let metricsAddress = Locked<String?>(nil)
    private let logger: Logger
    /// The previous snapshot's time and settled counts, for the rates.
    private let last = Locked<(time: DispatchTime, settled: Int, recorded: Int)?>(nil)
    private let timer = Locked<(any DispatchSourceTimer)?>(nil)
    /// When the timer last ran: a daemon whose Dispatch queues are wedged stops ticking.
    private let lastTick = Locked(DispatchTime.now())

    /// - Parameter stateDirectory: nil writes no file (snapshots are still served at `/status`).
    public init(runner: PipelineRunner, pipeline: String, maxInFlight: Int, stateDirectory: URL?, logger: Logger) {
        self.runner = runner
        self.pipeline = pipeline
        self.maxInFlight = maxInFlight
        self.file = stateDirectory?.appendingPathComponent(Self.fileName)
        self.logger = logger
    }

    func metricsListening(at address: String) { metricsAddress.withLock { $0 = address } }

    /// The pipeline now. Rates are over the time since the previous call (0 at the first).
    public func snapshot(running: Bool = true) -> StatusSnapshot {
        let c = runner.snapshot
        let now = DispatchTime.now()
        let settled = c.recorded + c.dropped + c.rejected
        let rates = last.withLock { l -> StatusSnapshot.Rates in
            defer { l = (now, settled, c.recorded) }
            guard let l, now.uptimeNanoseconds > l.time.uptimeNanoseconds else { return .init(docsPerSecond: 0, recordsPerSecond: 0) }
            let seconds = Double(now.uptimeNanoseconds - l.time.uptimeNanoseconds) / 1e9
            return .init(docsPerSecond: Double(settled - l.settled) / seconds, recordsPerSecond: Double(c.recorded - l.recorded) / seconds)
        }
        let stages = runner.stages.map { stage -> StatusSnapshot.StageStatus in
            switch stage.health {
            case .ready: return .init(name: stage.name, health: "ready", detail: nil)
            case .degraded(let why), .down(let why): return .init(name: stage.name, health: stage.health.label, detail: why)
            }
        }
        return StatusSnapshot(pipeline: pipeline, pid: getpid(), version: IngestdVersion.current, startedAt: startedAt, writtenAt: Date(),
                              running: running,
                              counts: .init(received: c.received, recorded: c.recorded, dropped: c.dropped, rejected: c.rejected,
                                            recordsBytes: c.recordsBytes),
                              rates: rates, queued: runner.queued, inFlight: c.inFlight, maxInFlight: maxInFlight, stages: stages,
                              sources: runner.source.health, metrics: metricsAddress.withLock { $0 })
    }

    /// Writes a snapshot now and every `interval` seconds after.
    public func start() {
        write(snapshot())
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ingestd.status"))
        t.schedule(deadline: .now() + Self.interval, repeating: Self.interval)
        t.setEventHandler { [self] in
            lastTick.withLock { $0 = .now() }
            write(snapshot())
        }
        t.resume()
        timer.withLock { $0 = t }
    }

    /// Seconds since the periodic write last ran (what `/health` checks).
    var secondsSinceTick: Double {
        Double(DispatchTime.now().uptimeNanoseconds - lastTick.withLock { $0.uptimeNanoseconds }) / 1e9
    }

    /// The last snapshot, marked not running.
    public func stop() {
        timer.withLock { t in
            t?.cancel()
            t = nil
        }
        write(snapshot(running: false))
    }

    private func write(_ snapshot: StatusSnapshot) {
        guard let file else { return }
        do {
            // Not fsynced: a status lost to a power cut is rewritten within seconds of the next start.
            try FileIO.replaceAtomically(file, with: try snapshot.json(), durable: false)
        } catch {
            logger.error("cannot write the status file", metadata: ["path": .string(file.path), "reason": .string("\(error)")])
        }
    }
}
