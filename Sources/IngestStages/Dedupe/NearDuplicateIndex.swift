import Foundation
import IngestCore

/// MinHash signatures of every indexed document, with locality-sensitive hashing to find the
/// few worth comparing: the 64 values are cut into 16 bands of 4; documents sharing any band are
/// candidates, and a candidate is a near duplicate when its estimated similarity clears the bar.
/// With 16×4, a pair at Jaccard 0.8 becomes a candidate with probability 0.9998, at 0.5 with
/// 0.64 and at 0.3 with 0.12: verification, not banding, decides.
///
/// Memory per document, about 300 bytes: 128 of signature, 64 of band chains, 32–64 of bucket
/// heads (a power-of-two table of chain heads indexed by band key, grown and rebuilt from the
/// signatures as the index grows; two keys sharing a bucket only add a candidate that
/// verification throws out) and the id in one byte arena. Persisted as an append-only log of
/// `[id length][id][64 × UInt16]` records in the state folder, made durable in `sync()`.
public final class NearDuplicateIndex: Sendable {
    static let bands = 16
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
        /// Chain heads by band key (`key & mask`); `UInt32.max` is an empty bucket.
        var heads: [UInt32] = Array(repeating: .max, count: 1 << 12)
        var next: [UInt32] = []
        var pending: [UInt8] = []
        var fd: Int32 = -1

        var count: Int { idEnds.count }
        func id(_ i: Int) -> String {
            let start = i == 0 ? 0 : Int(idEnds[i - 1])
            return String(decoding: idBytes[start..<Int(idEnds[i])], as: UTF8.self)
        }
        func idEquals(_ i: Int, _ other: [UInt8]) -> Bool {
            let start = i == 0 ? 0 : Int(idEnds[i - 1])
            return idBytes[start..<Int(idEnds[i])].elementsEqual(other)
        }
    }

    private let state: Locked<State>
    /// Estimated similarity at or above which a candidate is a near duplicate.
    let bar: Double

    public init(directory: URL?, bar: Double) throws {
        self.bar = bar
        var s = State()
        if let directory {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent("dedupe-near.log")
            let fd = open(file.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw POSIXFailure("open \(file.path)", errno) }
            s.fd = fd
            let data = try Data(contentsOf: file)
            var offset = 0
            let width = MinHashSignature.permutations * 2
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                while offset < raw.count {
                    let idLength = Int(raw[offset])
                    guard offset + 1 + idLength + width <= raw.count else { break }
                    let id = String(decoding: raw[(offset + 1)..<(offset + 1 + idLength)], as: UTF8.self)
                    var values = [UInt16](repeating: 0, count: MinHashSignature.permutations)
                    let base = offset + 1 + idLength
                    for i in 0..<values.count {
                        values[i] = UInt16(raw[base + 2 * i]) | UInt16(raw[base + 2 * i + 1]) << 8
                    }
                    Self.insert(MinHashSignature(values: values), id: id, into: &s)
                    offset = base + width
                }
            }
            if offset < data.count {
                // A record cut short by a crash: never acknowledged, so nothing is lost.
                guard ftruncate(fd, off_t(offset)) == 0 else { throw POSIXFailure("truncate \(file.path)", errno) }
            }
        }
        state = Locked(s)
    }

    public var count: Int { state.withLock { $0.count } }

    /// The earliest indexed document this signature nearly duplicates, or nil; in both cases
    /// the document is indexed, in the same step, so two near-identical documents processed
    /// at once cannot both come out unique. A document already indexed under `id` (a restart
    /// re-processing its claim) matches nothing and is not indexed twice.
    public func matchAndInsert(_ signature: MinHashSignature, id: String) -> Match? {
        state.withLock { s in
            let found = Self.find(signature, id: id, in: s, bar: bar)
            if case .own = found { return nil }
            Self.insert(signature, id: id, into: &s)
            if s.fd >= 0 {
                let idBytes = Array(id.utf8.prefix(255))
                s.pending.append(UInt8(idBytes.count))
                s.pending.append(contentsOf: idBytes)
                for v in signature.values {
                    s.pending.append(UInt8(truncatingIfNeeded: v))
                    s.pending.append(UInt8(truncatingIfNeeded: v >> 8))
                }
            }
            if case .match(let index, let similarity) = found {
                return Match(id: s.id(index), similarity: (similarity * 1000).rounded() / 1000)
            }
            return nil
        }
    }

    /// The earliest near duplicate of `signature` already indexed, without indexing it.
    public func match(_ signature: MinHashSignature) -> Match? {
        state.withLock { s in
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
            var c = s.heads[Int(key(signature, band: band) & mask)]
            var walked = 0
            while c != UInt32.max, walked < maxChain {
                walked += 1
                if seen.insert(c).inserted {
                    if let idBytes, s.idEquals(Int(c), idBytes) { return .own }
                    let sim = similarity(signature, s.signatures, Int(c))
                    if sim >= bar, best == nil || Int(c) < best!.index { best = (Int(c), sim) }
                }
                c = s.next[Int(c) * bands + band]
            }
        }
        return best.map { .match($0.index, $0.similarity) } ?? .none
    }

    private static func insert(_ signature: MinHashSignature, id: String, into s: inout State) {
        let index = UInt32(s.count)
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
            let bucket = Int(key(signature, band: band) & mask)
            s.next.append(s.heads[bucket])
            s.heads[bucket] = UInt32(index)
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

    private static func key(_ signature: MinHashSignature, band: Int) -> UInt64 {
        var packed: UInt64 = UInt64(band) << 58
        for r in 0..<rows {
            packed = MinHashSignature.splitmix(packed ^ UInt64(signature.values[band * rows + r]))
        }
        return packed
    }

    private static func similarity(_ a: MinHashSignature, _ flat: [UInt16], _ index: Int) -> Double {
        let base = index * MinHashSignature.permutations
        var equal = 0
        for i in 0..<MinHashSignature.permutations where a.values[i] == flat[base + i] { equal += 1 }
        let raw = Double(equal) / Double(MinHashSignature.permutations)
        return max(0, (raw - 1.0 / 65_536) / (1 - 1.0 / 65_536))
    }

    public func sync() throws {
        try state.withLock { s in
            guard s.fd >= 0, !s.pending.isEmpty else { return }
            try FileIO.writeAll(s.fd, s.pending)
            guard fdatasync(s.fd) == 0 else { throw POSIXFailure("fdatasync near-duplicate index", errno) }
            s.pending.removeAll(keepingCapacity: true)
        }
    }

    public func close() {
        try? sync()
        state.withLock { s in
            if s.fd >= 0 { Glibc.close(s.fd); s.fd = -1 }
        }
    }
}
