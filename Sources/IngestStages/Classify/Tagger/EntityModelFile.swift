import Foundation

/// The on-disk form of an `EntityTagger`, little-endian: "INGESTDT", the file format (1), the
/// feature templates' version (`TaggerFeatures.version`), the tags by CoNLL name, a provenance
/// line (what it was trained on), the weight scale, the number of features, their keys in
/// ascending order, and nine 16-bit weights a feature. A file from another format or other
/// feature templates is refused with what to do, never read as noise.
public enum EntityModelFile {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    static let magic = Array("INGESTDT".utf8)
    static let format: UInt32 = 1

    public static func encode(_ tagger: EntityTagger) -> [UInt8] {
        let (keys, weights) = tagger.rows
        var out = magic
        out.reserveCapacity(64 + keys.count * 8 + weights.count * 2)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ s: String) { u32(UInt32(s.utf8.count)); out.append(contentsOf: s.utf8) }
        u32(format)
        u32(TaggerFeatures.version)
        u32(UInt32(EntityTag.count))
        for tag in EntityTag.allCases { string(tag.conll) }
        string(tagger.provenance)
        u32(tagger.scale.bitPattern)
        u32(UInt32(keys.count))
        for k in keys { withUnsafeBytes(of: k.littleEndian) { out.append(contentsOf: $0) } }
        for w in weights { withUnsafeBytes(of: w.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    /// Written beside and renamed into place, so a reader never sees half a model.
    public static func write(_ tagger: EntityTagger, to url: URL) throws {
        let tmp = url.appendingPathExtension("tmp")
        try Data(encode(tagger)).write(to: tmp)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: tmp, to: url)
    }

    public static func read(_ url: URL) throws -> EntityTagger {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Failure(path: url.path, reason: "cannot read the entity model file")
        }
        return try decode([UInt8](data), path: url.path)
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> EntityTagger {
        var at = 0
        func fail(_ reason: String) -> Failure { Failure(path: path, reason: reason) }
        func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, at + n <= bytes.count else { throw fail("the entity model file is cut short") }
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        func u32() throws -> UInt32 { try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        func string() throws -> String {
            let n = Int(try u32())
            guard n <= 1 << 16 else { throw fail("the entity model file is damaged (a string of \(n) bytes)") }
            return String(decoding: try take(n), as: UTF8.self)
        }
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw fail("not an ingestd entity model (made by `ingestd train-entities`)")
        }
        at = magic.count
        let version = try u32()
        guard version == format else {
            throw fail("entity model format \(version); this ingestd reads format \(format): train it again with `ingestd train-entities`")
        }
        let features = try u32()
        guard features == TaggerFeatures.version else {
            throw fail("the model was trained on feature set \(features), this ingestd computes set \(TaggerFeatures.version): train it again with `ingestd train-entities`")
        }
        let k = Int(try u32())
        var tags: [String] = []
        for _ in 0..<min(k, 64) { tags.append(try string()) }
        guard tags == EntityTag.allCases.map(\.conll) else {
            throw fail("the model's tags \(tags.joined(separator: " ")) are not \(EntityTag.allCases.map(\.conll).joined(separator: " "))")
        }
        let provenance = try string()
        let scale = Float(bitPattern: try u32())
        let m = Int(try u32())
        guard scale.isFinite, scale > 0, bytes.count - at == m * 8 + m * k * 2 else {
            throw fail("the entity model file has the wrong size for its \(m) features")
        }
        var keys = [UInt64](repeating: 0, count: m)
        var weights = [Int16](repeating: 0, count: m * k)
        bytes.withUnsafeBytes { raw in
            for i in 0..<m { keys[i] = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at + i * 8, as: UInt64.self)) }
            let w = at + m * 8
            for i in 0..<(m * k) { weights[i] = Int16(littleEndian: raw.loadUnaligned(fromByteOffset: w + i * 2, as: Int16.self)) }
        }
        return EntityTagger(keys: keys, weights: weights, scale: scale, provenance: provenance)
    }
}

extension EntityTagger {
    /// The model ingestd ships (scripts/train-entity-model), decoded on first use: the one
    /// binary carries it, so no data file can be missing or stale at start-up.
    public static let builtIn: EntityTagger = {
        guard let data = Data(base64Encoded: defaultModelBase64),
              let tagger = try? EntityModelFile.decode([UInt8](data), path: "(built-in entity model)") else {
            // Only a build from a damaged tree gets here; the tests decode it.
            fatalError("the built-in entity model does not decode: run scripts/train-entity-model")
        }
        return tagger
    }()
}
