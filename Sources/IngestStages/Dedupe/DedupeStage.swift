import IngestCore
import IngestPostgres
import Logging

/// `dedupe`: marks (or drops) documents seen before — the same text, the same canonical URL,
/// or nearly the same text (re-scrapes, syndicated copies with another headline or byline,
/// trimmed or corrected versions).
///
/// Checks run cheapest first: the SHA-256 of the text with case and white space folded; the
/// page's canonical URL; then MinHash near-duplicate search. Each check-and-insert is one step
/// under its index's lock, so equal documents on different worker queues cannot both come
/// out unique; a document re-processed after a crash finds its own id and stays unique.
struct DedupeStage: SynchronousStage, IndexedStage {
    enum Policy: String { case annotate, drop }
    let name = "dedupe"
    let policy: Policy
    let exact: ExactIndex
    let urls: ExactIndex
    let near: NearDuplicateIndex?
    let shingle: Int
    /// With `cluster.postgres`: the index every node shares, in place of the three local ones.
    var shared: SharedDedupeIndex? = nil

    func processSynchronously(_ doc: inout Document) throws -> StageVerdict {
        // Hashed as it is folded: a folded copy of a large text would come on top of it.
        let hash = SHA256Digest.hex { feed in Self.fold(doc.text) { feed(UnsafeRawBufferPointer($0)) } }
        // A fetched page that names no canonical URL is known by the URL it was fetched from: a
        // page fetched and recorded again is then caught even if its text changed.
        let url = (doc.origin.canonicalURL ?? doc.origin.web?.url).flatMap(URLCanonicalizer.canonical)
        if let shared {
            let signature = shared.near ? MinHashSignature(text: doc.text, shingle: shingle) : nil
            let v = try shared.judge(id: doc.id, hash: hash, url: url, signature: signature)
            if v.status == .unique { doc.dedupe = v; return .keep }
            return verdict(&doc, v)
        }
        let owner = exact.claim(hash: hash, id: doc.id)
        if owner != doc.id { return verdict(&doc, DedupeVerdict(status: .duplicate, of: owner, similarity: 1.0)) }

        if let url {
            let urlOwner = urls.claim(hash: url, id: doc.id)
            if urlOwner != doc.id { return verdict(&doc, DedupeVerdict(status: .duplicate, of: urlOwner, similarity: nil)) }
        }

        if let near, let signature = MinHashSignature(text: doc.text, shingle: shingle),
           let match = near.matchAndInsert(signature, id: doc.id) {
            return verdict(&doc, DedupeVerdict(status: .nearDuplicate, of: match.id, similarity: match.similarity))
        }
        doc.dedupe = DedupeVerdict(status: .unique)
        return .keep
    }

    private func verdict(_ doc: inout Document, _ v: DedupeVerdict) -> StageVerdict {
        doc.dedupe = v
        return policy == .drop ? .drop(reason: v.status.rawValue, of: v.of) : .keep
    }

    /// A document this stage passed on got no record (a later stage rejected or dropped it):
    /// its claims are released, so its retry, or another document with the same text or URL,
    /// becomes the owner instead of a duplicate of a record that does not exist. Only the
    /// claims `documentID` owns go; the releases are logged and made durable in `sync()`.
    func forget(_ documentID: String) {
        if let shared { return shared.forget(documentID) }
        exact.forget(documentID)
        urls.forget(documentID)
        near?.forget(documentID)
    }

    /// Down while the cluster's database is away (documents wait in this stage meanwhile).
    var health: StageHealth {
        if let problem = shared?.client.problem { return .down(problem) }
        return .ready
    }

    var indexEntries: [(index: String, entries: Int)] {
        if let shared { return shared.entries }
        return [("exact", exact.count), ("url", urls.count)] + (near.map { [("near", $0.count)] } ?? [])
    }

    func sync() throws {
        try shared?.flush()
        try exact.sync()
        try urls.sync()
        try near?.sync()
    }

    func close() {
        shared?.client.close()
        exact.close()
        urls.close()
        near?.close()
    }

    /// The text with case folded and every run of white space made one space, as UTF-8.
    static func fold(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        fold(text) { out.append(contentsOf: $0) }
        return out
    }

    /// `fold(_:)` handed over in pieces of up to 64 KiB, in order.
    static func fold(_ text: String, into emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        let capacity = 1 << 16
        // A scalar's lower-case mapping is at most a few scalars of at most 4 bytes each.
        let flushAt = capacity - 64
        var out: [UInt8] = []
        out.reserveCapacity(min(capacity, text.utf8.count + 64))
        // Something was written (to `out` or already handed over): white space after it counts.
        var started = false
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                if v == 0x20 || (v >= 0x09 && v <= 0x0D) { pendingSpace = started; continue }
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(v >= 0x41 && v <= 0x5A ? UInt8(v + 0x20) : UInt8(v))
            } else if scalar.properties.isWhitespace {
                pendingSpace = started
                continue
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
            }
            started = true
            if out.count >= flushAt {
                out.withUnsafeBufferPointer { emit($0) }
                out.removeAll(keepingCapacity: true)
            }
        }
        if !out.isEmpty { out.withUnsafeBufferPointer { emit($0) } }
    }


    static let factory = StageFactory(
        name: "dedupe",
        summary: "mark or drop exact (text, canonical URL) and near duplicates (MinHash); persistent index in state_dir",
        fields: StageFields(reads: ["text"], writes: ["dedupe"])
    ) { options in
        let policy = Policy(rawValue: options.oneOf("policy", ["annotate", "drop"], default: "annotate")) ?? .annotate
        let near = options.bool("near", default: true)
        let threshold = options.double("threshold", default: 0.8, in: 0.5...1.0)
        let shingle = options.int("shingle", default: 5, in: 1...10)
        let maxEntries = options.value("max_entries")?.int(in: 1...Int(Int32.max))
        let maxAge = options.value("max_age")?.duration(in: 1...(100 * 365 * 86_400))
        return Builder(policy: policy, near: near, threshold: threshold, shingle: shingle,
                       retention: Retention(maxEntries: maxEntries, maxAge: maxAge))
    }

    struct Builder: StageBuilder {
        let policy: Policy
        let near: Bool
        let threshold: Double
        let shingle: Int
        let retention: Retention
        func build(_ context: StageContext) throws -> any Stage {
            if let cluster = context.cluster {
                let client = try PostgresClient.prepared(for: cluster, component: "stage", "dedupe", logger: context.logger)
                var stage = DedupeStage(policy: policy, exact: try ExactIndex(directory: nil), urls: try ExactIndex(directory: nil),
                                        near: nil, shingle: shingle)
                stage.shared = SharedDedupeIndex(client: client, bar: NearDuplicateIndex.bar(threshold: threshold), near: near,
                                                 retention: retention)
                return stage
            }
            let stage = DedupeStage(
                policy: policy,
                exact: try ExactIndex(directory: context.stateDirectory, retention: retention),
                urls: try ExactIndex(directory: context.stateDirectory, fileName: "dedupe-url.log", retention: retention),
                near: near ? try NearDuplicateIndex(directory: context.stateDirectory, bar: NearDuplicateIndex.bar(threshold: threshold),
                                                    retention: retention) : nil,
                shingle: shingle)
            stage.report(to: context.logger)
            return stage
        }
    }

    /// Says what opening the logs repaired or converted: damage is never taken in silently.
    func report(to logger: Logger) {
        for opening in [exact.opening, urls.opening, near?.opening].compactMap({ $0 }) {
            if let repair = opening.repair {
                logger.warning("dedupe log damaged: kept the entries before the damage, moved the rest aside", metadata: [
                    "file": .string(opening.file.path), "offset": .stringConvertible(repair.offset),
                    "entries_kept": .stringConvertible(repair.entriesKept), "bytes_moved": .stringConvertible(repair.bytesMoved),
                    "moved_to": .string(repair.movedTo.path),
                ])
            }
            if opening.legacy {
                logger.notice("dedupe log rewritten from the old headerless format into the checksummed one", metadata: [
                    "file": .string(opening.file.path), "entries": .stringConvertible(opening.entries),
                ])
            } else if opening.version < FramedLog.version {
                logger.notice("dedupe log rewritten in format version \(FramedLog.version); an older ingestd refuses it", metadata: [
                    "file": .string(opening.file.path), "entries": .stringConvertible(opening.entries),
                    "from_version": .stringConvertible(opening.version),
                ])
            }
        }
    }
}
