/// Unicode's Alphabetic property for the Basic Multilingual Plane as a bitmap, built once.
/// The standard library answers `properties.isAlphabetic` through a table search costing a few
/// hundred instructions; line features ask it for every non-Latin letter of every line.
enum ScalarClasses {
    private static let alphabeticBMP: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 0x10000 / 64)
        for v in 0..<0x10000 {
            if let s = Unicode.Scalar(UInt32(v)), s.properties.isAlphabetic { bits[v >> 6] |= 1 << UInt64(v & 63) }
        }
        return bits
    }()

    @inline(__always)
    static func isAlphabetic(_ v: UInt32) -> Bool {
        if v < 0x10000 { return alphabeticBMP[Int(v >> 6)] & (1 << UInt64(v & 63)) != 0 }
        return Unicode.Scalar(v)?.properties.isAlphabetic ?? false
    }
}
