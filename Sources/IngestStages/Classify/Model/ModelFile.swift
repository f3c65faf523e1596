import Foundation

/// The on-disk form of a `LinearClassifier`, little-endian: "INGESTDM", the format version, the
/// slot count, the labels; then (format 3) what the model counts (`HashedFeatures.Kinds`), and
/// (formats 2 and 3) the IDF of every slot training never saw, the number of slots it saw, their
/// numbers in feature order, their IDFs, their weights (all classes of a slot together)
/// and one bias per class. Read whole and checked, in milliseconds.
public enum ModelFile {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    static let magic = Array("INGESTDM".utf8)

    /// Format 2 stores only the slots training saw (a few per cent of the 2^18); format 1, every
    /// slot class by class, is still read. Both count words only, as format 3 says with `.words`.
    public static func write(_ model: LinearClassifier, to url: URL) throws {
        let k = model.labels.count, m = model.slots.count
        var out: [UInt8] = magic
        out.reserveCapacity(64 + m * (8 + 4 * k) + 4 * k)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func f32(_ v: Float) { u32(v.bitPattern) }
        u32(LinearClassifier.formatVersion)
        u32(UInt32(HashedFeatures.dimensions))
        u32(UInt32(k))
        for label in model.labels {
            u32(UInt32(label.utf8.count))
            out.append(contentsOf: label.utf8)
        }
        u32(model.kinds.rawValue)
        f32(model.unseenIDF)
        u32(UInt32(m))
        // The tables in bulk on little-endian hosts (hundreds of thousands of values).
        #if _endian(little)
        model.slots.withUnsafeBytes { out.append(contentsOf: $0) }
        model.idf.withUnsafeBytes { out.append(contentsOf: $0) }
        model.weights.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for j in model.slots { u32(UInt32(j)) }
        for v in model.idf { f32(v) }
        for v in model.weights { f32(v) }
        #endif
        let tmp = url.appendingPathExtension("tmp")
        try Data(out).write(to: tmp)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: tmp, to: url)
    }

    public static func read(_ url: URL) throws -> LinearClassifier {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(path: path, reason: "cannot read the model file") }
        return try data.withUnsafeBytes { raw -> LinearClassifier in
            var at = 0
            func u32() throws -> UInt32 {
                guard at + 4 <= raw.count else { throw Failure(path: path, reason: "the model file is cut short") }
                defer { at += 4 }
                return UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))
            }
            func f32() throws -> Float { Float(bitPattern: try u32()) }
            guard raw.count >= magic.count, Array(raw.prefix(magic.count)) == magic else {
                throw Failure(path: path, reason: "not an ingestd model file (trained with `ingestd train`)")
            }
            at = magic.count
            let version = try u32()
            guard (1...LinearClassifier.formatVersion).contains(version) else {
                throw Failure(path: path, reason: "model format \(version); this ingestd reads formats 1 to \(LinearClassifier.formatVersion): train it again")
            }
            let d = Int(try u32()), k = Int(try u32())
            guard d == HashedFeatures.dimensions, (1...10_000).contains(k) else {
                throw Failure(path: path, reason: "unexpected sizes (\(d) slots, \(k) labels)")
            }
            var labels: [String] = []
            for _ in 0..<k {
                let n = Int(try u32())
                guard n <= 10_000, at + n <= raw.count else { throw Failure(path: path, reason: "the model file is cut short") }
                labels.append(String(decoding: raw[at..<(at + n)], as: UTF8.self))
                at += n
            }
            if version == 1 { return try formatOne(labels: labels, floats: raw[at...], path: path) }
            var kinds = HashedFeatures.Kinds.words
            if version >= 3 {
                let raw = try u32()
                guard let known = HashedFeatures.Kinds(rawValue: raw) else {
                    throw Failure(path: path, reason: "unknown feature kinds \(raw); this ingestd is older than the model: train it again")
                }
                kinds = known
            }
            let unseenIDF = try f32()
            let m = Int(try u32())
            guard m <= d, raw.count - at == m * 8 + (m + 1) * k * 4 else {
                throw Failure(path: path, reason: "the model file has the wrong size")
            }
            /// `count` little-endian 32-bit values from `at` on (the size was checked above).
            func table<T: FixedWidthInteger>(_ count: Int, as: T.Type) -> [T] {
                defer { at += count * 4 }
                return [T](unsafeUninitializedCapacity: count) { buffer, n in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[at..<(at + count * 4)]))
                    for i in 0..<count { buffer[i] = T(littleEndian: buffer[i]) }
                    n = count
                }
            }
            let slots = table(m, as: Int32.self)
            var seen = [Bool](repeating: false, count: d)
            for j in slots {
                guard j >= 0, Int(j) < d, !seen[Int(j)] else { throw Failure(path: path, reason: "the model file is damaged (slot list)") }
                seen[Int(j)] = true
            }
            let idf = table(m, as: UInt32.self).map { Float(bitPattern: $0) }
            let weights = table((m + 1) * k, as: UInt32.self).map { Float(bitPattern: $0) }
            return LinearClassifier(labels: labels, kinds: kinds, slots: slots, idf: idf, unseenIDF: unseenIDF, weights: weights)
        }
    }

    /// Format 1: the IDF of every slot, then k rows of every slot's weights, then k biases. A slot
    /// with the largest IDF (no training text had it) and zero weights is left out.
    private static func formatOne(labels: [String], floats raw: Slice<UnsafeRawBufferPointer>, path: String) throws -> LinearClassifier {
        let k = labels.count, d = HashedFeatures.dimensions
        guard raw.count == (d + k * d + k) * 4 else { throw Failure(path: path, reason: "the model file has the wrong size") }
        let values = (0..<(d + k * d + k)).map {
            Float(bitPattern: UInt32(littleEndian: raw.base.loadUnaligned(fromByteOffset: raw.startIndex + 4 * $0, as: UInt32.self)))
        }
        let unseenIDF = values[0..<d].max() ?? 1
        let slots = (0..<d).filter { j in values[j] != unseenIDF || (0..<k).contains { values[d + $0 * d + j] != 0 } }
        var weights: [Float] = []
        weights.reserveCapacity((slots.count + 1) * k)
        for j in slots { for c in 0..<k { weights.append(values[d + c * d + j]) } }
        for c in 0..<k { weights.append(values[d + k * d + c]) }
        return LinearClassifier(labels: labels, kinds: .words, slots: slots.map { Int32($0) }, idf: slots.map { values[$0] },
                                unseenIDF: unseenIDF, weights: weights)
    }
}
