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
    let stages: [any Stage]
    /// `stages[i]` when it runs without waiting, so the worker calls it without a task hop.
    private let synchronous: [(any SynchronousStage)?]
    let sink: any RecordSink
    let source: any DocumentSource
    let logger: Logger
    private let pool: WorkerPool
    private let inFlight = DispatchGroup()
    private let counters = Locked(Counters())
    private let knownIDs = Locked<Set<String>?>(nil)
    /// Set when the shutdown timeout passed with documents in flight: what they produce after
    /// that is neither written nor acknowledged, so they are redone, whole, at the next start.
    private let abandoned = Locked(false)
    private let onFatal: @Sendable (any Error) -> Void
    let metrics: RunnerMetrics

    public init(pipelineName: String, runtime: PipelineConfig.Runtime, stages: [any Stage], sink: any RecordSink,
                source: any DocumentSource, logger: Logger, inputsNamedByUser: Bool = false, metrics: RunnerMetrics? = nil,
                onFatal: @escaping @Sendable (any Error) -> Void) {
        self.metrics = metrics ?? .none(stages: stages.map(\.name))
        self.pipelineName = pipelineName
        self.maxInFlight = runtime.maxInFlight
        self.maxDocumentBytes = runtime.maxDocumentBytes
        self.inputsNamedByUser = inputsNamedByUser
        self.stages = stages
        self.synchronous = stages.map { $0 as? any SynchronousStage }
        self.sink = sink
        self.source = source
        self.logger = logger
        self.pool = WorkerPool(concurrency: runtime.concurrency)
        self.onFatal = onFatal
    }

    public var snapshot: Counters { counters.withLock { $0 } }
    public var queued: Int { source.backlog + pool.waiting }

    public func start() throws {
        try source.start { [self] claim in
            inFlight.enter()
            counters.withLock { c in
                c.inFlight += 1
                c.received += 1
            }
            metrics.received(claim)
            pool.submit { self.process(claim) }
        }
        source.grant(maxInFlight)
    }

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
        if drained { for stage in stages { stage.close() } }
        do { try sink.close() } catch { logger.error("cannot flush the sink", metadata: ["reason": "\(error)"]) }
        return drained
    }

    private var isAbandoned: Bool { abandoned.withLock { $0 } }

    /// One document between claim and acknowledgement.
    private struct Job: Sendable {
        let claim: Claim
        let id: String
        let started: DispatchTime
    }

    private func process(_ claim: Claim) {
        let started = DispatchTime.now()
        let doc: Document
        do {
            let bytes = try DocumentReader.read(claim.path, maxBytes: maxDocumentBytes, namedByUser: inputsNamedByUser)
            let sha = SHA256Digest.hex(of: bytes)
            let id = Document.makeID(claimName: claim.claimName, contentSHA256: sha)
            if claim.recovered, try alreadyRecorded(id) {
                counters.withLock { $0.alreadyRecorded += 1 }
                logger.notice("record was already written before the last stop; acknowledging",
                              metadata: ["doc": .string(id), "path": .string(claim.originPath)])
                finish(claim, .recorded(id: id))
                return
            }
            var origin = Origin(kind: claim.web == nil ? .file : .url, path: claim.originPath, size: bytes.count, sha256: sha,
                                web: claim.web)
            origin.pathBytes = claim.originPathBytes
            doc = Document(id: id, origin: origin, raw: consume bytes)
        } catch {
            return reject(claim, docID: nil, error, stage: "read")
        }
        advance(Job(claim: claim, id: doc.id, started: started), doc, from: 0)
    }

    /// Runs the stages from `index` on. Synchronous stages run right here, on the worker; at an
    /// asynchronous one the document leaves the worker (which goes on to other documents) and
    /// comes back to the pool when the stage has answered.
    private func advance(_ job: Job, _ document: consuming Document, from index: Int) {
        var doc = document
        var i = index
        while i < stages.count {
            let stage = stages[i]
            guard let cpu = synchronous[i] else {
                Task { [self, i] in
                    var d = doc
                    let began = DispatchTime.now().uptimeNanoseconds
                    defer { metrics.timeStage(i, since: began) }
                    do {
                        let verdict = try await stage.process(&d)
                        let after = d
                        pool.submit { self.resume(job, after, verdict, at: i) }
                    } catch {
                        pool.submit { self.reject(job.claim, docID: job.id, error, stage: stage.name, processedBy: i) }
                    }
                }
                return
            }
            let verdict: StageVerdict
            let began = DispatchTime.now().uptimeNanoseconds
            do { verdict = try cpu.processSynchronously(&doc) } catch {
                metrics.timeStage(i, since: began)
                return reject(job.claim, docID: job.id, error, stage: stage.name, processedBy: i)
            }
            metrics.timeStage(i, since: began)
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
        doc.stagesRun.append(stages[index].name)
        guard case let .drop(reason, of) = verdict else { return true }
        dropped(job, stage: stages[index].name, reason: reason, of: of, processedBy: index)
        return false
    }

    /// A dropped document has no record either: the stages before the one that dropped it forget it.
    private func dropped(_ job: Job, stage: String, reason: String, of: String?, processedBy: Int) {
        for s in stages.prefix(processedBy) { s.forget(job.id) }
        if isAbandoned { return inFlight.leave() }
        sink.submit(nil) { [self] error in
            if let error { return fail(job.claim, error) }
            var meta: Logger.Metadata = ["doc": .string(job.id), "stage": .string(stage), "reason": .string(reason),
                                         "path": .string(job.claim.originPath)]
            if let of { meta["of"] = .string(of) }
            logger.info("document dropped", metadata: meta)
            finish(job.claim, .dropped(id: job.id, reason: reason))
        }
    }

    private func record(_ job: Job, _ doc: consuming Document) {
        let ingestedAt = Date()
        let words = doc.words ?? WordCount.count(doc.text)
        let dedupe = doc.dedupe?.status.rawValue
        /// `bytes`: the line's size with its newline.
        func written(_ bytes: Int) -> @Sendable ((any Error)?) -> Void { { [self] error in
            if let error { return fail(job.claim, error) }
            metrics.recordsWritten.increment()
            metrics.recordsBytes.increment(by: bytes)
            counters.withLock { $0.recordsBytes += bytes }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - job.started.uptimeNanoseconds) / 1e6
            var meta: Logger.Metadata = ["doc": .string(job.id), "path": .string(job.claim.originPath),
                                         "words": .stringConvertible(words), "ms": .stringConvertible(ms)]
            if let dedupe { meta["dedupe"] = .string(dedupe) }
            logger.info("record written", metadata: meta)
            finish(job.claim, .recorded(id: job.id))
        } }
        if doc.text.utf8.count >= RecordSchema.streamingThreshold {
            // A large text is not copied into a line: the sink escapes it into the file from the
            // String itself. Everything else the document holds (raw bytes, sections) goes now.
            let record = RecordSchema.streamed(for: doc, ingestedAt: ingestedAt, pipeline: pipelineName)
            _ = consume doc
            // The text before escaping: close enough for a byte rate, and no second pass over it.
            let bytes = record.prefix.count + record.text.utf8.count + record.suffix.count + 1
            if isAbandoned { return inFlight.leave() }
            sink.submit(streamed: record, completion: written(bytes))
            return
        }
        let line = RecordSchema.line(for: doc, ingestedAt: ingestedAt, pipeline: pipelineName)
        _ = consume doc
        // Past the shutdown timeout the sink is closing: the input is redone at the next start.
        if isAbandoned { return inFlight.leave() }
        sink.submit(line, completion: written(line.count + 1))
    }

    /// `processedBy`: how many stages (from the first) had passed the document on before the
    /// one that rejected it; each is told to forget it, since no record will carry it.
    private func reject(_ claim: Claim, docID: String?, _ error: any Error, stage: String, processedBy: Int = 0) {
        if let docID { for s in stages.prefix(processedBy) { s.forget(docID) } }
        let rejection = (error as? Rejection) ?? Rejection(.stageFailed, "\(error)", stage: stage)
        var meta: Logger.Metadata = ["path": .string(claim.originPath), "stage": .string(rejection.stage),
                                     "reason": .string(rejection.code.rawValue), "detail": .string(rejection.message)]
        if let docID { meta["doc"] = .string(docID) }
        if let url = claim.web?.url { meta["url"] = .string(url) }
        logger.warning("document rejected", metadata: meta)
        guard docID != nil, processedBy > 0 else { return finish(claim, .rejected(rejection)) }
        // What the stages forgot (a dedupe claim) is made durable with the next commit, before the
        // input goes to failed/: a crash must not bring the claim back once the input is there.
        if isAbandoned { return inFlight.leave() }
        sink.submit(nil) { [self] error in
            if let error { return fail(claim, error) }
            finish(claim, .rejected(rejection))
        }
    }

    private func alreadyRecorded(_ id: String) throws -> Bool {
        try knownIDs.withLock { ids in
            if ids == nil { ids = try sink.existingIDs() }
            return ids!.contains(id)
        }
    }

    private func finish(_ claim: Claim, _ outcome: Outcome) {
        if isAbandoned { return inFlight.leave() }  // the input stays in processing/; the process is exiting
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
        inFlight.leave()
    }

    /// The sink could not make a record durable (disk full, I/O error). The input stays in
    /// `processing/` for the next start; the daemon stops rather than acknowledge anything else.
    private func fail(_ claim: Claim, _ error: any Error) {
        if isAbandoned { return inFlight.leave() }  // the sink was closed at the shutdown timeout
        logger.critical("cannot write records; stopping", metadata: ["path": .string(claim.originPath), "reason": "\(error)"])
        counters.withLock { $0.inFlight -= 1 }
        inFlight.leave()
        onFatal(error)
    }
}
