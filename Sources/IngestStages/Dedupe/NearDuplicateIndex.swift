import Foundation
import IngestCore

/// MinHash signatures of every indexed document, with locality-sensitive hashing to find the
/// few worth comparing: the 64 values are cut into 16 bands of 4; documents sharing any band are
/// candidates, and a candidate is a near duplicate when its estimated similarity clears the bar.
/// With 16×4, a pair at Jaccard 0.8 becomes a candidate with probability 0.9998, at 0.5 with
/// 0.64 and at 0.3 with 0.12: verification, not banding, decides.
///
/// Memory per document, about 300 bytes: 128 of signature, 64 of band chains, 32–64 of bucket
/// heads (a power-of-two table of chain heads indexed by band and band key, grown and rebuilt
/// from the signatures as the index grows; two keys of one band sharing a bucket only add a
/// candidate that verification throws out) and the id in one byte arena. Persisted as an append-only log
/// (`FramedLog`, kind `signatures`) of `[id length][id][time: UInt32][64 × UInt16]` entries in the
/// state folder, made durable in `sync()`; the headerless logs of earlier versions, the same
/// records back to back, are read and rewritten framed at open. Entries outside the retention
/// window stop matching at once (chains run newest first, so a walk stops at the first one) and
/// are left out when the log is rewritten at open.
///
/// `forget(id)` releases a document that got no record (rejected or dropped later in the
/// pipeline). Unlinking it from 16 band chains (singly linked, shared with the bucket table that
/// `rebuild` regrows) is more machinery than the case deserves, and finding its entry would need
/// an id → index map costing memory for every document, for the few that are ever forgotten.
/// Instead the id gets a tombstone — the entry count at the time — and an entry of that id below
/// it stops matching: it is consulted only for a candidate that clears the bar or carries the
/// querying id, so matching pays nothing while nothing matches a forgotten document. The bound
/// (not the id alone) keeps a document re-processed under the same id after a crash matching
/// again. The release is logged as a `[0][id length][id]` frame; the loader replays claims and
/// releases in order and leaves released entries out of memory and of a rewritten log, so
/// tombstones only cover what was forgotten since the start.
public final class NearDuplicateIndex: Sendable {
    public static let bands = 16
    static let rows = 4
    /// Chains longer than this (a band shared by very many documents, e.g. boilerplate) are
    /// cut short, so one query never walks the whole index.
    static let maxChain = 2_000

    public struct Match: Equatable, Sendable {
        public var id: String
        public var similarity: Double
    }

    private struct State {
        var signatures: [UInt16] = []
        /// Ids, back to back in one arena; `idEnds[i]` is where id `i` ends.
        var idBytes: [UInt8] = []
        var idEnds: [UInt32] = []
        /// Chain heads by band and band key (`bucket(_:band:mask:)`); `UInt32.max` is an empty bucket.
        var heads: [UInt32] = Array(repeating: .max, count: 1 << 12)
        var next: [UInt32] = []
        var times: [UInt32] = []
        /// Entries below this index are outside the retention window.
        var firstLive = 0
        /// Forgotten id → the entry count when it was forgotten: its entries below are released.
        var tombstones: [String: Int] = [:]
        var log = FramedLogWriter()

        var count: Int { idEnds.count }
        func id(_ i: Int) -> String {
            let start = i == 0 ? 0 : Int(idEnds[i - 1])
            return String(decoding: idBytes[start..<Int(idEnds[i])], as: UTF8.self)
        }
        func idEquals(_ i: Int, _ other: [UInt8]) -> Bool {
            let start = i == 0 ? 0 : Int(idEnds[i - 1])
            return idBytes[start..<Int(idEnds[i])].elementsEqual(other)
        }
        /// Whether entry `i` was released by `forget`.
        func released(_ i: Int) -> Bool {
            guard !tombstones.isEmpty, let bound = tombstones[id(i)] else { return false }
            return i < bound
        }
    }

    private let state: Locked<State>
    /// Estimated similarity at or above which a candidate is a near duplicate.
    let bar: Double
    let retention: Retention
    /// What opening the log found (nil without a state folder), for the stage to report.
    let opening: FramedLog.Opening?

    public init(directory: URL?, bar: Double, retention: Retention = .forever) throws {
        self.bar = bar
        self.retention = retention
        var s = State()
        if let directory {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent("dedupe-near.log")
            let width = MinHashSignature.permutations * 2
            var records: [(id: String, time: UInt32, values: [UInt16])] = []
            /// Id → how many records preceded its last release: those of its records are dead.
            var releasedBelow: [String: Int] = [:]
            let (fd, opened) = try FramedLog.open(file, kind: .signatures) { raw in
                if raw.first == Self.releaseMark {
                    guard raw.count >= 2, raw.count == 2 + Int(raw[1]) else { return false }
                    releasedBelow[String(decoding: raw[2...], as: UTF8.self)] = records.count
                    return true
                }
                let idLength = raw.isEmpty ? 0 : Int(raw[0])
                guard raw.count == 1 + idLength + 4 + width else { return false }
                let id = String(decoding: raw[1..<(1 + idLength)], as: UTF8.self)
                var base = 1 + idLength
                let time = UInt32(raw[base]) | UInt32(raw[base + 1]) << 8 | UInt32(raw[base + 2]) << 16 | UInt32(raw[base + 3]) << 24
                base += 4
                var values = [UInt16](repeating: 0, count: MinHashSignature.permutations)
                for i in 0..<values.count {
                    values[i] = UInt16(raw[base + 2 * i]) | UInt16(raw[base + 2 * i + 1]) << 8
                }
                records.append((id, time, values))
                return true
            }
            let now = retention.clock()
            var live = FramedLog.header(.signatures)
            for (n, r) in records.enumerated() where retention.keeps(time: r.time, newer: records.count - 1 - n, now: now)
                && n >= releasedBelow[r.id, default: 0] {
                Self.insert(MinHashSignature(values: r.values), id: r.id, time: r.time, into: &s)
                FramedLog.appendFrame(to: &live) { Self.encode(id: r.id, time: r.time, values: r.values, into: &$0) }
            }
            s.log = try FramedLogWriter(opened: fd, opened, live: live, liveEntries: s.count)
            opening = opened
        } else {
            opening = nil
        }
        state = Locked(s)
    }

    /// The estimated-similarity bar for a near duplicate at Jaccard `threshold`: the threshold
    /// minus 1.65 standard errors of a MinHash estimate there, so a pair exactly at the threshold
    /// is found 95% of the time, and pairs above it almost always.
    public static func bar(threshold: Double) -> Double {
        let se = (threshold * (1 - threshold) / Double(MinHashSignature.permutations)).squareRoot()
        return threshold - 1.65 * se
    }

    public var count: Int { state.withLock { $0.count } }

    /// The earliest indexed document this signature nearly duplicates, or nil; in both cases
    /// the document is indexed, in the same step, so two near-identical documents processed
    /// at once cannot both come out unique. A document already indexed under `id` (a restart
    /// re-processing its claim) matches nothing and is not indexed twice.
    public func matchAndInsert(_ signature: MinHashSignature, id: String) -> Match? {
        let now = retention.clock()
        return state.withLock { s in
            evict(&s, now: now)
            let found = Self.find(signature, id: id, in: s, bar: bar)
            if case .own = found { return nil }
            let time = UInt32(clamping: Int(now))
            Self.insert(signature, id: id, time: time, into: &s)
            evict(&s, now: now)
            s.log.append { Self.encode(id: id, time: time, values: signature.values, into: &$0) }
            if case .match(let index, let similarity) = found {
                return Match(id: s.id(index), similarity: (similarity * 1000).rounded() / 1000)
            }
            return nil
        }
    }

    /// The earliest near duplicate of `signature` already indexed, without indexing it.
    public func match(_ signature: MinHashSignature) -> Match? {
        let now = retention.clock()
        return state.withLock { s in
            evict(&s, now: now)
            if case .match(let index, let similarity) = Self.find(signature, id: nil, in: s, bar: bar) {
                return Match(id: s.id(index), similarity: (similarity * 1000).rounded() / 1000)
            }
            return nil
        }
    }

    private enum Found { case none, own, match(Int, Double) }

    private static func find(_ signature: MinHashSignature, id: String?, in s: State, bar: Double) -> Found {
        var best: (index: Int, similarity: Double)?
        var seen = Set<UInt32>()
        let idBytes = id.map { Array($0.utf8.prefix(255)) }
        let mask = UInt64(s.heads.count - 1)
        for band in 0..<bands {
            var c = s.heads[bucket(signature, band: band, mask: mask)]
            var walked = 0
            // Chains run from the newest entry to the oldest: stop at the retention window.
            while c != UInt32.max, Int(c) >= s.firstLive, walked < maxChain {
                walked += 1
                if seen.insert(c).inserted {
                    if let idBytes, s.idEquals(Int(c), idBytes), !s.released(Int(c)) { return .own }
                    let sim = similarity(signature, s.signatures, Int(c))
                    if sim >= bar, best == nil || Int(c) < best!.index, !s.released(Int(c)) { best = (Int(c), sim) }
                }
                c = s.next[Int(c) * bands + band]
            }
        }
        return best.map { .match($0.index, $0.similarity) } ?? .none
    }

    /// A release frame's first byte: a claim's is its id's length, 1 to 255.
    private static let releaseMark: UInt8 = 0

    private static func encodeRelease(id: String, into out: inout [UInt8]) {
        let idBytes = Array(id.utf8.prefix(255))
        out.append(releaseMark)
        out.append(UInt8(idBytes.count))
        out.append(contentsOf: idBytes)
    }

    /// Releases every entry `id` has: they stop matching (and stop being `id`'s own), so a later
    /// near-identical document becomes the owner. Cheap: a tombstone and a frame in the log
    /// buffer, written and fsynced in `sync()`. The frame is written even when `id` has no entry
    /// here (finding out would cost a scan); the loader ignores it then.
    public func forget(_ id: String) {
        guard !id.isEmpty else { return }
        let stored = String(decoding: Array(id.utf8.prefix(255)), as: UTF8.self)
        state.withLock { s in
            s.tombstones[stored] = s.count
            s.log.append { Self.encodeRelease(id: stored, into: &$0) }
        }
    }

    private static func encode(id: String, time: UInt32, values: [UInt16], into out: inout [UInt8]) {
        let idBytes = Array(id.utf8.prefix(255))
        out.append(UInt8(idBytes.count))
        out.append(contentsOf: idBytes)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: time >> UInt32(shift))) }
        for v in values {
            out.append(UInt8(truncatingIfNeeded: v))
            out.append(UInt8(truncatingIfNeeded: v >> 8))
        }
    }

    /// Moves the start of the live window past entries the retention no longer keeps.
    private func evict(_ s: inout State, now: Double) {
        while s.firstLive < s.count, !retention.keeps(time: s.times[s.firstLive], newer: s.count - 1 - s.firstLive, now: now) {
            s.firstLive += 1
        }
    }

    private static func insert(_ signature: MinHashSignature, id: String, time: UInt32, into s: inout State) {
        let index = UInt32(s.count)
        s.times.append(time)
        s.idBytes.append(contentsOf: id.utf8.prefix(255))
        s.idEnds.append(UInt32(s.idBytes.count))
        s.signatures.append(contentsOf: signature.values)
        // About one bucket per band key: grow by doubling and rebuild the chains from the
        // signatures (amortized O(1) per insert).
        if (s.count * bands) > s.heads.count {
            rebuild(&s, buckets: s.heads.count * 2)
            return
        }
        link(Int(index), signature.values[...], into: &s)
    }

    private static func link(_ index: Int, _ values: ArraySlice<UInt16>, into s: inout State) {
        let mask = UInt64(s.heads.count - 1)
        let signature = MinHashSignature(values: Array(values))
        for band in 0..<bands {
            let slot = bucket(signature, band: band, mask: mask)
            s.next.append(s.heads[slot])
            s.heads[slot] = UInt32(index)
        }
    }

    private static func rebuild(_ s: inout State, buckets: Int) {
        s.heads = Array(repeating: .max, count: buckets)
        s.next.removeAll(keepingCapacity: true)
        s.next.reserveCapacity(s.count * bands)
        let width = MinHashSignature.permutations
        for i in 0..<s.count {
            link(i, s.signatures[(i * width)..<((i + 1) * width)], into: &s)
        }
    }

    /// The bucket of a band's key. Every bucket belongs to one band (its low bits are the
    /// band): a bucket's chain is threaded through each entry's `next` slot of the band it was
    /// linked by, so an entry of another band in it would lead the walk down that entry's chain
    /// of the querying band instead, past the rest of the bucket.
    static func bucket(_ signature: MinHashSignature, band: Int, mask: UInt64) -> Int {
        Int((key(signature, band: band) &* UInt64(bands) | UInt64(band)) & mask)
    }

    /// The band's key: chosen among the local buckets by `bucket`, and stored as the shared
    /// index's `ingestd_dedupe_bands.key`.
    public static func key(_ signature: MinHashSignature, band: Int) -> UInt64 {
        var packed: UInt64 = UInt64(band) << 58
        for r in 0..<rows {
            packed = MinHashSignature.splitmix(packed ^ UInt64(signature.values[band * rows + r]))
        }
        return packed
    }

    private static func similarity(_ a: MinHashSignature, _ flat: [UInt16], _ index: Int) -> Double {
        let width = MinHashSignature.permutations
        return a.similarity(to: flat[(index * width)..<((index + 1) * width)])
    }

    public func sync() throws {
        try state.withLock { try $0.log.sync("near-duplicate index") }
    }

    public func close() {
        state.withLock { $0.log.close("near-duplicate index") }
    }
}
