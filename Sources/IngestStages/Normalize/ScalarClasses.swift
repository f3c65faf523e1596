/// Unicode properties the text rules ask about for every non-ASCII character, as tables over
/// the Basic Multilingual Plane built once. The standard library answers `properties.…` through
/// a table search costing a few hundred instructions a call.
enum ScalarClasses {
    static let alphabeticBMP: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 0x10000 / 64)
        for v in 0..<0x10000 {
            if let s = Unicode.Scalar(UInt32(v)), s.properties.isAlphabetic { bits[v >> 6] |= 1 << UInt64(v & 63) }
        }
        return bits
    }()

    @inline(__always)
    static func isAlphabetic(_ v: UInt32) -> Bool { isAlphabetic(v, in: alphabeticBMP) }

    /// The same with the table passed in: a loop that asks many times loads it once (each
    /// access to a static goes through its lazy initializer's check).
    @inline(__always)
    static func isAlphabetic(_ v: UInt32, in table: [UInt64]) -> Bool {
        if v < 0x10000 { return table[Int(v >> 6)] & (1 << UInt64(v & 63)) != 0 }
        return Unicode.Scalar(v)?.properties.isAlphabetic ?? false
    }
}

extension ScalarClasses {
    /// What a scalar is to the word tokenizer.
    enum TokenClass: UInt8 {
        /// A letter or digit (Alphabetic, or with a numeric type) that lower-casing leaves alone.
        case word
        /// A letter that changes when lower-cased.
        case upperWord
        /// A combining mark (Mn, Mc, Me): part of the word it follows.
        case mark
        /// Anything else ends a word.
        case separator
    }

    private static let tokenClassesBMP: [TokenClass] = (0..<0x10000).map { v in
        guard let u = Unicode.Scalar(UInt32(v)) else { return .separator }
        return classify(u)
    }

    private static func classify(_ u: Unicode.Scalar) -> TokenClass {
        let p = u.properties
        if p.isAlphabetic || p.numericType != nil { return p.changesWhenLowercased ? .upperWord : .word }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return .mark
        default: return .separator
        }
    }

    @inline(__always)
    static func tokenClass(_ v: UInt32) -> TokenClass {
        if v < 0x10000 { return tokenClassesBMP[Int(v)] }
        guard let u = Unicode.Scalar(v) else { return .separator }
        return classify(u)
    }
}
