import Foundation

/// The on-disk form of a `LinearClassifier`, little-endian: "INGESTDM", the format version, the
/// width of the term keys in bits (64; 18 for a model trained before format 4, whose keys are
/// 2^18 slots, a field that formats 1 to 3 hold as the slot count 2^18), the labels; then what
/// the model counts (`HashedFeatures.Kinds`), the IDF of every term training never saw, the
/// number of terms it saw, their keys in feature order (64-bit; 32-bit slots in formats 2 and 3),
/// their IDFs, their weights (all classes of a term together) and one bias per class. Read whole
/// and checked, in milliseconds.
public enum ModelFile {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    static let magic = Array("INGESTDM".utf8)

    /// Formats 1 to 3 are still read: format 3 keeps only the slots training saw, with the
    /// kinds 0 (unigrams and bigrams) or 1 (and punctuation); format 2 is format 3 without the
    /// kinds (0); format 1 holds every slot, class by class. All three count bigrams.
    public static func write(_ model: LinearClassifier, to url: URL) throws {
        let k = model.labels.count, m = model.terms.count
        var out: [UInt8] = magic
        out.reserveCapacity(64 + m * (12 + 4 * k) + 4 * k)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func f32(_ v: Float) { u32(v.bitPattern) }
        u32(LinearClassifier.formatVersion)
        u32(UInt32(model.keyMask == ~0 ? 64 : model.keyMask.nonzeroBitCount))
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
        model.terms.withUnsafeBytes { out.append(contentsOf: $0) }
        model.idf.withUnsafeBytes { out.append(contentsOf: $0) }
        model.weights.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for key in model.terms { u32(UInt32(truncatingIfNeeded: key)); u32(UInt32(truncatingIfNeeded: key >> 32)) }
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
            let width = Int(try u32()), k = Int(try u32())
            // Formats 1 to 3 give the slot count, 2^18; format 4 the key width, 64 or (a legacy
            // model written again) 18.
            let legacy = version < 4 ? width == HashedFeatures.legacySlots : width == 18
            guard legacy || (version >= 4 && width == 64), (1...10_000).contains(k) else {
                throw Failure(path: path, reason: "unexpected sizes (\(width) \(version < 4 ? "slots" : "key bits"), \(k) labels)")
            }
            var labels: [String] = []
            for _ in 0..<k {
                let n = Int(try u32())
                guard n <= 10_000, at + n <= raw.count else { throw Failure(path: path, reason: "the model file is cut short") }
                labels.append(String(decoding: raw[at..<(at + n)], as: UTF8.self))
                at += n
            }
            if version == 1 { return try formatOne(labels: labels, floats: raw[at...], path: path) }
            var kinds = HashedFeatures.Kinds.legacyWords
            if version == 3 {
                switch try u32() {
                case 0: kinds = .legacyWords
                case 1: kinds = [.bigrams, .punctuation]
                case let other: throw Failure(path: path, reason: "unknown feature kinds \(other) in a format 3 model")
                }
            } else if version >= 4 {
                let raw = try u32()
                kinds = HashedFeatures.Kinds(rawValue: raw)
                guard HashedFeatures.Kinds([.bigrams, .punctuation]).isSuperset(of: kinds) else {
                    throw Failure(path: path, reason: "unknown feature kinds \(raw); this ingestd is older than the model: train it again")
                }
            }
            let unseenIDF = try f32()
            let m = Int(try u32())
            let keyBytes = version >= 4 ? 8 : 4
            guard m <= (legacy ? HashedFeatures.legacySlots : Int(Int32.max)),
                  raw.count - at == m * (keyBytes + 4) + (m + 1) * k * 4 else {
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
            let terms: [UInt64]
            if version >= 4 {
                let halves = table(2 * m, as: UInt32.self)
                terms = (0..<m).map { UInt64(halves[2 * $0]) | UInt64(halves[2 * $0 + 1]) << 32 }
            } else {
                terms = table(m, as: UInt32.self).map { UInt64($0) }
            }
            guard !legacy || terms.allSatisfy({ $0 <= HashedFeatures.legacyKeyMask }) else {
                throw Failure(path: path, reason: "the model file is damaged (slot out of range)")
            }
            let idf = table(m, as: UInt32.self).map { Float(bitPattern: $0) }
            let weights = table((m + 1) * k, as: UInt32.self).map { Float(bitPattern: $0) }
            guard let model = LinearClassifier(labels: labels, kinds: kinds, keyMask: legacy ? HashedFeatures.legacyKeyMask : ~0,
                                               terms: terms, idf: idf, unseenIDF: unseenIDF, weights: weights) else {
                throw Failure(path: path, reason: "the model file is damaged (a term listed twice)")
            }
            return model
        }
    }

    /// Format 1: the IDF of every slot, then k rows of every slot's weights, then k biases. A slot
    /// with the largest IDF (no training text had it) and zero weights is left out.
    private static func formatOne(labels: [String], floats raw: Slice<UnsafeRawBufferPointer>, path: String) throws -> LinearClassifier {
        let k = labels.count, d = HashedFeatures.legacySlots
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
        // The slots are distinct, so the model always builds.
        return LinearClassifier(labels: labels, kinds: .legacyWords, keyMask: HashedFeatures.legacyKeyMask,
                                terms: slots.map { UInt64($0) }, idf: slots.map { values[$0] }, unseenIDF: unseenIDF, weights: weights)!
    }
}
