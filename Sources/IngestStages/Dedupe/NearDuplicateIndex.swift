import Foundation
import IngestCore

/// MinHash signatures of every indexed document, with locality-sensitive hashing to find the
/// few worth comparing: the 64 values are cut into 16 bands of 4; documents sharing any band are
/// candidates, and a candidate is a near duplicate when its estimated similarity clears the bar.
/// With 16×4, a pair at Jaccard 0.8 becomes a candidate with probability 0.9998, at 0.5 with
/// 0.64 and at 0.3 with 0.12: verification, not banding, decides.
///
/// Memory per document: 128 bytes of signature, 64 bytes of band chains, the id, and one
/// dictionary entry per band (about 450 bytes in all). Persisted as an append-only log of
/// `[id length][id][64 × UInt16]` records in the state folder, made durable in `sync()`.
final class NearDuplicateIndex: Sendable {
    static let bands = 16
    static let rows = 4
    /// Chains longer than this (a band shared by very many documents, e.g. boilerplate) are
    /// cut short, so one query never walks the whole index.
    static let maxChain = 2_000

    struct Match: Equatable {
        var id: String
        var similarity: Double
    }

    private struct State {
        var signatures: [UInt16] = []
        var ids: [String] = []
        var heads: [UInt64: UInt32] = [:]
        var next: [UInt32] = []
        var pending: [UInt8] = []
        var fd: Int32 = -1
    }

    private let state: Locked<State>
    /// Estimated similarity at or above which a candidate is a near duplicate.
    let bar: Double

    init(directory: URL?, bar: Double) throws {
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

    var count: Int { state.withLock { $0.ids.count } }

    /// The earliest indexed document this signature nearly duplicates, or nil; in both cases
    /// the document is indexed, in the same step, so two near-identical documents processed
    /// at once cannot both come out unique. A document already indexed under `id` (a restart
    /// re-processing its claim) matches nothing and is not indexed twice.
    func matchAndInsert(_ signature: MinHashSignature, id: String) -> Match? {
        state.withLock { s in
            var best: (index: UInt32, similarity: Double)?
            var seen = Set<UInt32>()
            for band in 0..<Self.bands {
                var cursor = s.heads[Self.key(signature, band: band)]
                var walked = 0
                while let c = cursor, c != UInt32.max, walked < Self.maxChain {
                    walked += 1
                    if seen.insert(c).inserted {
                        if s.ids[Int(c)] == id { return nil }
                        let sim = Self.similarity(signature, s.signatures, Int(c))
                        if sim >= bar, best == nil || c < best!.index { best = (c, sim) }
                    }
                    cursor = s.next[Int(c) * Self.bands + band]
                }
            }
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
            return best.map { Match(id: s.ids[Int($0.index)], similarity: ($0.similarity * 1000).rounded() / 1000) }
        }
    }

    private static func insert(_ signature: MinHashSignature, id: String, into s: inout State) {
        let index = UInt32(s.ids.count)
        s.ids.append(id)
        s.signatures.append(contentsOf: signature.values)
        for band in 0..<bands {
            let k = key(signature, band: band)
            s.next.append(s.heads[k] ?? UInt32.max)
            s.heads[k] = index
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

    func sync() throws {
        try state.withLock { s in
            guard s.fd >= 0, !s.pending.isEmpty else { return }
            try FileIO.writeAll(s.fd, s.pending)
            guard fdatasync(s.fd) == 0 else { throw POSIXFailure("fdatasync near-duplicate index", errno) }
            s.pending.removeAll(keepingCapacity: true)
        }
    }

    func close() {
        try? sync()
        state.withLock { s in
            if s.fd >= 0 { Glibc.close(s.fd); s.fd = -1 }
        }
    }
}
