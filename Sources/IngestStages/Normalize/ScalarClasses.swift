/// Unicode properties the text rules ask about for every non-ASCII character, as tables over
/// the Basic Multilingual Plane built once. The standard library answers `properties.…` through
/// a table search costing a few hundred instructions a call.
enum ScalarClasses {
    static let alphabeticBMP: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 0x10000 / 64)
        for (v, code) in bmpCodes.enumerated() where code & 4 != 0 { bits[v >> 6] |= 1 << UInt64(v & 63) }
        return bits
    }()

    /// Every BMP code point's code (see `bmpRuns`), decoded from the generated runs: tens of
    /// microseconds, where asking the standard library about 65,536 scalars took milliseconds
    /// that landed on the first document (or on `ingestd train`). ScalarClassesTests checks the
    /// runs against the standard library of the toolchain that builds the tests.
    static let bmpCodes: [UInt8] = {
        var codes = [UInt8](repeating: 3, count: 0x10000)
        var runs: [(start: Int, code: UInt8)] = []
        let bytes = Array(bmpRuns.utf8)
        func hex(_ c: UInt8) -> Int { Int(c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10) }
        var i = 0
        while i + 5 <= bytes.count {
            let start = hex(bytes[i]) << 12 | hex(bytes[i + 1]) << 8 | hex(bytes[i + 2]) << 4 | hex(bytes[i + 3])
            runs.append((start, UInt8(hex(bytes[i + 4]))))
            i += 5
        }
        for (k, run) in runs.enumerated() {
            let end = k + 1 < runs.count ? runs[k + 1].start : 0x10000
            for v in run.start..<end { codes[v] = run.code }
        }
        return codes
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

    private static let tokenClassesBMP: [TokenClass] = bmpCodes.map { TokenClass(rawValue: $0 & 3)! }

    /// What the generated runs must agree with (and scripts/build-scalar-tables computes alike).
    static func tokenClassByLookup(_ v: UInt32) -> TokenClass {
        guard let u = Unicode.Scalar(v) else { return .separator }
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
