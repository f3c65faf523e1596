import Foundation

/// The on-disk form of a `LinearClassifier`: "INGESTDM", format version, slot count, the labels,
/// the IDF table and the weights, little-endian. Read whole and checked, in milliseconds.
public enum ModelFile {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    static let magic = Array("INGESTDM".utf8)

    public static func write(_ model: LinearClassifier, to url: URL) throws {
        var out: [UInt8] = magic
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        u32(LinearClassifier.formatVersion)
        u32(UInt32(HashedFeatures.dimensions))
        u32(UInt32(model.labels.count))
        for label in model.labels {
            u32(UInt32(label.utf8.count))
            out.append(contentsOf: label.utf8)
        }
        for f in model.idf + model.weights { u32(f.bitPattern) }
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
            guard raw.count >= magic.count, Array(raw.prefix(magic.count)) == magic else {
                throw Failure(path: path, reason: "not an ingestd model file (trained with `ingestd train`)")
            }
            at = magic.count
            let version = try u32()
            guard version == LinearClassifier.formatVersion else {
                throw Failure(path: path, reason: "model format \(version); this ingestd reads format \(LinearClassifier.formatVersion): train it again")
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
            let floats = d + k * d + k
            guard raw.count - at == floats * 4 else { throw Failure(path: path, reason: "the model file has the wrong size") }
            var values = [Float](repeating: 0, count: floats)
            values.withUnsafeMutableBytes { dst in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[at...])) }
            return LinearClassifier(labels: labels, idf: Array(values[0..<d]), weights: Array(values[d...]))
        }
    }
}
