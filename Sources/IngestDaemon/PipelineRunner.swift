import Foundation
import IngestCore
import Logging

/// Connects a source, the stages and a sink: each claimed document is read, passed through the
/// stages on a worker, serialized, made durable by the sink and only then acknowledged to the
/// source. At most `max_in_flight` documents are between claim and acknowledgement.
public final class PipelineRunner: Sendable {
    public struct Counters: Sendable {
        public var recorded = 0
        public var dropped = 0
        public var rejected = 0
        public var inFlight = 0
        public var alreadyRecorded = 0
        /// Claims delivered by the source.
        public var received = 0
        /// Bytes of the records written (lines with their newlines).
        public var recordsBytes = 0
    }

    let pipelineName: String
    let maxInFlight: Int
    let maxDocumentBytes: Int
    /// `ingestd once`: the user named the inputs and may follow links to them.
    let inputsNamedByUser: Bool
    let source: any DocumentSource
    let logger: Logger
    private let pool: WorkerPool
    private let inFlight = DispatchGroup()
    private let counters = Locked(Counters())
    private let knownIDs = Locked<(since: Date, ids: Set<String>)?>(nil)
    /// Set when the shutdown timeout passed with documents in flight: what they produce after
    /// that is neither written nor acknowledged, so they are redone, whole, at the next start.
    private let abandoned = Locked(false)
    private let onFatal: @Sendable (any Error) -> Void
    /// The level of "record written" and "document dropped", and how many of them a second.
    let documentLevel: Logger.Level
    let documentLines: LogLineBudget
    /// The generation new documents start on, and whether a reload holds them back: a claim
    /// that arrives while paused is parked (it stays in `processing/`) until the reload ends.
    private struct Gate {
        var current: PipelineGeneration
        var paused = false
        var parked: [Claim] = []
    }
    private let gate: Locked<Gate>
    let clock: StageClock
    let metrics: RunnerMetrics

    public init(pipelineName: String, runtime: PipelineConfig.Runtime, stages: [any Stage], sink: any RecordSink,
                source: any DocumentSource, logger: Logger, log: PipelineConfig.Log = .init(), inputsNamedByUser: Bool = false,
                metrics: RunnerMetrics? = nil,
                onFatal: @escaping @Sendable (any Error) -> Void) {
        self.documentLevel = log.documents == "debug" ? .debug : .info
        self.documentLines = LogLineBudget(perSecond: log.documentsPerSecond)
        self.metrics = metrics ?? .none()
        self.pipelineName = pipelineName
        self.maxInFlight = runtime.maxInFlight
        self.maxDocumentBytes = runtime.maxDocumentBytes
        self.inputsNamedByUser = inputsNamedByUser
        self.gate = Locked(Gate(current: PipelineGeneration(stages: stages, sink: sink, metrics: self.metrics)))
        self.clock = StageClock(capacity: runtime.maxInFlight)
        self.source = source
        self.logger = logger
        self.pool = WorkerPool(concurrency: runtime.concurrency)
        self.onFatal = onFatal
    }

    public var snapshot: Counters { counters.withLock { $0 } }
    public var queued: Int { source.backlog + pool.waiting + gate.withLock { $0.parked.count } }
    /// The stages new documents go through.
    public var stages: [any Stage] { gate.withLock { $0.current.stages } }
    public var sink: any RecordSink { gate.withLock { $0.current.sink } }

    public func start() throws {
        try source.start { [self] claim in
            inFlight.enter()
            counters.withLock { c in
                c.inFlight += 1
                c.received += 1
            }
            metrics.received(claim)
            begin(claim)
        }
        source.grant(maxInFlight)
    }

    private func begin(_ claim: Claim) {
        // Binding the generation under the gate's lock is what lets `pause` trust that no
        // document starts on the old generation once it returns.
        let generation = gate.withLock { g -> PipelineGeneration? in
            if g.paused { g.parked.append(claim); return nil }
            g.current.inFlight.enter()
            return g.current
        }
        guard let generation else { return }
        pool.submit { self.process(claim, on: generation) }
    }

    // MARK: reload

    /// Holds back new documents and waits up to `timeout` seconds for those in flight to
    /// settle on the current generation. False when some are still in flight: the caller then
    /// resumes without a swap.
    func pause(timeout: Double) -> Bool {
        drain(hold(), timeout: timeout)
    }

    /// From now on claims are parked; returns the generation documents in flight run on.
    func hold() -> PipelineGeneration {
        gate.withLock { g in
            g.paused = true
            return g.current
        }
    }

    func drain(_ generation: PipelineGeneration, timeout: Double) -> Bool {
        generation.inFlight.wait(timeout: .now() + timeout) == .success
    }

    /// Ends a pause, on `stages` and `sink` when given (the reload succeeded), else on the
    /// generation that was running; parked claims then start.
    func resume(stages: [any Stage]? = nil, sink: (any RecordSink)? = nil) {
        let parked = gate.withLock { g -> [Claim] in
            if let stages, let sink { g.current = PipelineGeneration(stages: stages, sink: sink, metrics: self.metrics) }
            g.paused = false
            defer { g.parked.removeAll() }
            return g.parked
        }
        for claim in parked { begin(claim) }
    }

    /// Stops the daemon as a sink failure does (a reload that could restore neither pipeline).
    func failed(_ error: any Error) { onFatal(error) }

    /// The document longest in one stage, and when the sink's commit under way began: what
    /// the watchdog judges.
    var oldestInStage: StageClock.Oldest? { clock.oldest }
    var commitStartedAt: UInt64? { sink.commitStartedAt }

    /// Stops claiming, waits up to `timeout` seconds for documents in flight, lets the source
    /// finish the acknowledgements it was given (inputs moved to `done/`), then closes the
    /// stages and flushes the sink. Returns false when documents were still in flight: they
    /// stay in `processing/` and are picked up again at the next start.
    public func shutdown(timeout: Double) -> Bool {
        source.stop()
        let drained = inFlight.wait(timeout: .now() + timeout) == .success
        if !drained { abandoned.withLock { $0 = true } }
        source.close()
        // A worker may still be inside a stage; `Stage.close` promises no call after it, so the
        // stages are left to the process exit (their state is synced before every commit).
        let generation = gate.withLock { $0.current }
        if drained { for stage in generation.stages { stage.close() } }
        do { try generation.sink.close() } catch { logger.error("cannot flush the sink", metadata: ["reason": "\(error)"]) }
        return drained
    }

    private var isAbandoned: Bool { abandoned.withLock { $0 } }

    /// One document between claim and acknowledgement.
    private struct Job: Sendable {
        let claim: Claim
        let id: String
        let started: DispatchTime
        let generation: PipelineGeneration
        let slot: Int
        var stages: [any Stage] { generation.stages }
    }

    private func process(_ claim: Claim, on generation: PipelineGeneration) {
        let started = DispatchTime.now()
        let slot = clock.enter(doc: claim.claimName, path: claim.originPath, stage: "read")
        var job = Job(claim: claim, id: "", started: started, generation: generation, slot: slot)
        let doc: Document
        do {
            let bytes = try DocumentReader.read(claim.path, maxBytes: maxDocumentBytes, namedByUser: inputsNamedByUser)
            let sha = SHA256Digest.hex(of: bytes)
            let id = Document.makeID(claimName: claim.claimName, contentSHA256: sha)
            if claim.recovered, try alreadyRecorded(id, claim) {
                counters.withLock { $0.alreadyRecorded += 1 }
                logger.notice("record was already written before the last stop; acknowledging",
                              metadata: ["doc": .string(id), "path": .string(claim.originPath)])
                finish(job, .recorded(id: id))
                return
            }
            var origin = Origin(kind: claim.web == nil ? .file : .url, path: claim.originPath, size: bytes.count, sha256: sha,
                                web: claim.web)
            origin.pathBytes = claim.originPathBytes
            doc = Document(id: id, origin: origin, raw: consume bytes)
        } catch {
            return reject(job, docID: nil, error, stage: "read")
        }
        job = Job(claim: claim, id: doc.id, started: started, generation: generation, slot: slot)
        advance(job, doc, from: 0)
    }

    /// Runs the stages from `index` on. Synchronous stages run right here, on the worker; at an
    /// asynchronous one the document leaves the worker (which goes on to other documents) and
    /// comes back to the pool when the stage has answered.
    private func advance(_ job: Job, _ document: consuming Document, from index: Int) {
        var doc = document
        var i = index
        let stages = job.stages
        while i < stages.count {
            let stage = stages[i]
            clock.move(job.slot, to: stage.name, doc: i == 0 ? job.id : nil)
            guard let cpu = job.generation.synchronous[i] else {
                Task { [self, i] in
                    var d = doc
                    let began = DispatchTime.now().uptimeNanoseconds
                    defer { job.generation.timeStage(i, since: began) }
                    do {
                        let verdict = try await stage.process(&d)
                        let after = d
                        pool.submit { self.resume(job, after, verdict, at: i) }
                    } catch {
                        pool.submit { self.reject(job, docID: job.id, error, stage: stage.name, processedBy: i) }
                    }
                }
                return
            }
            let verdict: StageVerdict
            let began = DispatchTime.now().uptimeNanoseconds
            do { verdict = try cpu.processSynchronously(&doc) } catch {
                job.generation.timeStage(i, since: began)
                return reject(job, docID: job.id, error, stage: stage.name, processedBy: i)
            }
            job.generation.timeStage(i, since: began)
            guard passed(job, &doc, verdict, at: i) else { return }
            i += 1
        }
        record(job, doc)
    }

    private func resume(_ job: Job, _ document: consuming Document, _ verdict: StageVerdict, at index: Int) {
        var doc = document
        if passed(job, &doc, verdict, at: index) { advance(job, doc, from: index + 1) }
    }

    /// Notes that stage `index` ran; false when it dropped the document, which is then settled.
    private func passed(_ job: Job, _ doc: inout Document, _ verdict: StageVerdict, at index: Int) -> Bool {
        let stage = job.stages[index]
        doc.stagesRun.append(stage.name)
        guard case let .drop(reason, of) = verdict else { return true }
        dropped(job, stage: stage.name, reason: reason, of: of, processedBy: index)
        return false
    }

    /// A dropped document has no record either: the stages before the one that dropped it forget it.
    private func dropped(_ job: Job, stage: String, reason: String, of: String?, processedBy: Int) {
        for s in job.stages.prefix(processedBy) { s.forget(job.id) }
        if isAbandoned { return leave(job) }
        clock.move(job.slot, to: "sink")
        job.generation.sink.submit(nil) { [self] error in
            if let error { return fail(job, error) }
            var meta: Logger.Metadata = ["doc": .string(job.id), "stage": .string(stage), "reason": .string(reason),
                                         "path": .string(job.claim.originPath)]
            if let of { meta["of"] = .string(of) }
            logDocument("document dropped", meta)
            finish(job, .dropped(id: job.id, reason: reason))
        }
    }

    private func record(_ job: Job, _ doc: consuming Document) {
        let ingestedAt = Date()
        let words = doc.words ?? WordCount.count(doc.text)
        let dedupe = doc.dedupe?.status.rawValue
        /// `bytes`: the line's size with its newline.
        func written(_ bytes: Int) -> @Sendable ((any Error)?) -> Void { { [self] error in
            if let error { return fail(job, error) }
            metrics.recordsWritten.increment()
            metrics.recordsBytes.increment(by: bytes)
            counters.withLock { $0.recordsBytes += bytes }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - job.started.uptimeNanoseconds) / 1e6
            var meta: Logger.Metadata = ["doc": .string(job.id), "path": .string(job.claim.originPath),
                                         "words": .stringConvertible(words), "ms": .stringConvertible(ms)]
            if let dedupe { meta["dedupe"] = .string(dedupe) }
            logDocument("record written", meta)
            finish(job, .recorded(id: job.id))
        } }
        let sink = job.generation.sink
        clock.move(job.slot, to: "sink")
        if doc.text.utf8.count >= RecordSchema.streamingThreshold {
            // A large text is not copied into a line: the sink escapes it into the file from the
            // String itself. Everything else the document holds (raw bytes, sections) goes now.
            let record = RecordSchema.streamed(for: doc, ingestedAt: ingestedAt, pipeline: pipelineName)
            _ = consume doc
            // The text before escaping: close enough for a byte rate, and no second pass over it.
            let bytes = record.prefix.count + record.text.utf8.count + record.suffix.count + 1
            if isAbandoned { return leave(job) }
            sink.submit(streamed: record, completion: written(bytes))
            return
        }
        let line = RecordSchema.line(for: doc, ingestedAt: ingestedAt, pipeline: pipelineName)
        _ = consume doc
        // Past the shutdown timeout the sink is closing: the input is redone at the next start.
        if isAbandoned { return leave(job) }
        sink.submit(line, completion: written(line.count + 1))
    }

    /// `processedBy`: how many stages (from the first) had passed the document on before the
    /// one that rejected it; each is told to forget it, since no record will carry it.
    private func reject(_ job: Job, docID: String?, _ error: any Error, stage: String, processedBy: Int = 0) {
        let claim = job.claim
        if let docID { for s in job.stages.prefix(processedBy) { s.forget(docID) } }
        let rejection = (error as? Rejection) ?? Rejection(.stageFailed, "\(error)", stage: stage)
        var meta: Logger.Metadata = ["path": .string(claim.originPath), "stage": .string(rejection.stage),
                                     "reason": .string(rejection.code.rawValue), "detail": .string(rejection.message)]
        if let docID { meta["doc"] = .string(docID) }
        if let url = claim.web?.url { meta["url"] = .string(url) }
        logger.warning("document rejected", metadata: meta)
        guard docID != nil, processedBy > 0 else { return finish(job, .rejected(rejection)) }
        // What the stages forgot (a dedupe claim) is made durable with the next commit, before the
        // input goes to failed/: a crash must not bring the claim back once the input is there.
        if isAbandoned { return leave(job) }
        clock.move(job.slot, to: "sink")
        job.generation.sink.submit(nil) { [self] error in
            if let error { return fail(job, error) }
            finish(job, .rejected(rejection))
        }
    }

    /// A line that says a document went well, within the budget; the first line after some were
    /// left out says how many (`left_out`).
    private func logDocument(_ message: Logger.Message, _ metadata: @autoclosure () -> Logger.Metadata) {
        guard logger.logLevel <= documentLevel else { return }
        let (pass, leftOut) = documentLines.admit()
        guard pass else { return }
        var meta = metadata()
        if leftOut > 0 { meta["left_out"] = .stringConvertible(leftOut) }
        logger.log(level: documentLevel, message, metadata: meta)
    }

    /// The sink's ids are read once, from records written since the claim's stamp, and again
    /// only for a recovered claim older than that (claims are recovered oldest first).
    private func alreadyRecorded(_ id: String, _ claim: Claim) throws -> Bool {
        try knownIDs.withLock { known in
            let since = ClaimTime.earliestRecord(of: claim) ?? Date(timeIntervalSince1970: 0)
            if known == nil || since < known!.since {
                known = (since, try sink.existingIDs(writtenSince: since))
            }
            return known!.ids.contains(id)
        }
    }

    /// The document is settled (or abandoned at the shutdown timeout): its slot, its
    /// generation and the runner stop counting it.
    private func leave(_ job: Job) {
        clock.leave(job.slot)
        job.generation.inFlight.leave()
        inFlight.leave()
    }

    private func finish(_ job: Job, _ outcome: Outcome) {
        let claim = job.claim
        if isAbandoned { return leave(job) }  // the input stays in processing/; the process is exiting
        counters.withLock { c in
            c.inFlight -= 1
            switch outcome {
            case .recorded: c.recorded += 1
            case .dropped: c.dropped += 1
            case .rejected: c.rejected += 1
            }
        }
        switch outcome {
        case .recorded: break  // counted when written: a record found already written at recovery is not written again
        case .dropped(_, let reason): metrics.dropped(reason: reason)
        case .rejected(let rejection): metrics.rejected(reason: rejection.code.rawValue)
        }
        source.acknowledge(claim, outcome: outcome)
        leave(job)
    }

    /// The sink could not make a record durable (disk full, I/O error). The input stays in
    /// `processing/` for the next start; the daemon stops rather than acknowledge anything else.
    private func fail(_ job: Job, _ error: any Error) {
        if isAbandoned { return leave(job) }  // the sink was closed at the shutdown timeout
        logger.critical("cannot write records; stopping", metadata: ["path": .string(job.claim.originPath), "reason": "\(error)"])
        counters.withLock { $0.inFlight -= 1 }
        leave(job)
        onFatal(error)
    }
}
