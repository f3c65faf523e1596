/// Unicode properties the text rules ask about for every non-ASCII character, as tables over
/// the Basic Multilingual Plane built once. The standard library answers `properties.…` through
/// a table search costing a few hundred instructions a call.
enum ScalarClasses {
    static let alphabeticBMP: [UInt64] = {
        let alphabetic = bmpTable { Unicode.Scalar($0)?.properties.isAlphabetic ?? false }
        var bits = [UInt64](repeating: 0, count: 0x10000 / 64)
        for v in 0..<0x10000 where alphabetic[v] { bits[v >> 6] |= 1 << UInt64(v & 63) }
        return bits
    }()

    /// Blocks in which every code point has the same properties, fixed by Unicode's stability
    /// policy or fully assigned for years: a table build asks about their first code point and
    /// copies the answer, which skips two thirds of the lookups in the one-off cost of each table
    /// (that cost lands on the first document, or on `ingestd train`). A test checks every code
    /// point of these blocks against the full lookup on this toolchain's Unicode data.
    static let uniformBlocks: [ClosedRange<UInt32>] = [
        0x3400...0x4DBF, // CJK Unified Ideographs Extension A
        0x4E00...0x9FFF, // CJK Unified Ideographs
        0xAC00...0xD7A3, // Hangul syllables
        0xD800...0xDFFF, // surrogates: not scalars at all
        0xE000...0xF8FF, // private use
    ]

    /// `property` of every BMP code point, asked once per uniform block.
    static func bmpTable<T>(_ property: (UInt32) -> T) -> [T] {
        var table: [T] = []
        table.reserveCapacity(0x10000)
        var v: UInt32 = 0
        while v < 0x10000 {
            if let block = uniformBlocks.first(where: { $0.lowerBound == v }) {
                table.append(contentsOf: repeatElement(property(v), count: block.count))
                v = block.upperBound + 1
            } else {
                table.append(property(v))
                v += 1
            }
        }
        return table
    }

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

    private static let tokenClassesBMP: [TokenClass] = bmpTable(tokenClassByLookup)

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
