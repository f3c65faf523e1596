import Glibc

// Byte → text conversion for CharsetDecoder: glibc iconv for the legacy multi- and single-byte
// encodings, and small native decoders for UTF-8, UTF-16, windows-1252 and x-user-defined (the
// encodings that must never fail, or that glibc gets "wrong" by WHATWG's rules: glibc's CP1252
// rejects 0x81, 0x8D, 0x8F, 0x90 and 0x9D, which WHATWG maps to the C1 controls).

extension CharsetDecoder {
    struct Conversion {
        var text: String
        /// Bytes (or sequences) that could not be decoded; each became one U+FFFD.
        var errors: Int
        /// The input ended inside a multi-byte sequence (also counted in `errors`).
        var truncatedAtEnd: Bool
    }

    /// Whether a converter for `encoding` (a canonical name) exists on this system.
    static func canConvert(_ encoding: String) -> Bool {
        if nativeEncodings.contains(encoding) { return true }
        guard let names = iconvNames[encoding], let cd = openIconv(names) else { return false }
        iconv_close(cd)
        return true
    }

    /// Decodes `bytes` as `encoding` (a canonical name); nil when there is no converter for it.
    static func convert(_ bytes: ArraySlice<UInt8>, from encoding: String) -> Conversion? {
        switch encoding {
        case "utf-8": return decodeUTF8(bytes)
        case "utf-16le": return decodeUTF16(bytes, bigEndian: false)
        case "utf-16be": return decodeUTF16(bytes, bigEndian: true)
        case "windows-1252": return decodeSingleByte(bytes, high: windows1252High)
        case "x-user-defined": return decodeSingleByte(bytes, high: (0x80...0xFF).map { 0xF780 + UInt32($0) - 0x80 })
        default:
            guard let names = iconvNames[encoding] else { return nil }
            return convertWithIconv(bytes, names: names)
        }
    }

    // MARK: - iconv

    static func openIconv(_ names: [String]) -> iconv_t? {
        for name in names {
            let cd = iconv_open("UTF-8", name)
            if let cd, Int(bitPattern: cd) != -1 { return cd }
        }
        return nil
    }

    private static let replacementUTF8: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// Converts the whole input in one pass, output in 64 KiB chunks. Invalid or unmappable bytes
    /// (EILSEQ) become U+FFFD and are skipped one byte at a time; an incomplete sequence at the end
    /// (EINVAL) becomes one U+FFFD. No "//IGNORE" or "//TRANSLIT": the result must not depend on
    /// glibc's error-recovery choices.
    static func convertWithIconv(_ bytes: ArraySlice<UInt8>, names: [String]) -> Conversion? {
        guard let cd = openIconv(names) else { return nil }
        defer { iconv_close(cd) }
        if bytes.isEmpty { return Conversion(text: "", errors: 0, truncatedAtEnd: false) }

        let chunkSize = 1 << 16
        var output: [UInt8] = []
        output.reserveCapacity(min(bytes.count * 2, 1 << 22) + 16)
        var errors = 0
        var truncated = false

        bytes.withUnsafeBufferPointer { input in
            var inPtr: UnsafeMutablePointer<CChar>? =
                UnsafeMutableRawPointer(mutating: input.baseAddress!).assumingMemoryBound(to: CChar.self)
            var inLeft = input.count
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunkSize) { chunk in
                let chunkBase = UnsafeMutableRawPointer(chunk.baseAddress!).assumingMemoryBound(to: CChar.self)
                var flushing = false
                while true {
                    var outPtr: UnsafeMutablePointer<CChar>? = chunkBase
                    var outLeft = chunkSize
                    let result: Int
                    if flushing {
                        result = iconv(cd, nil, nil, &outPtr, &outLeft)
                    } else {
                        result = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    }
                    let code = errno
                    let produced = chunkSize - outLeft
                    if produced > 0 { output.append(contentsOf: UnsafeBufferPointer(start: chunk.baseAddress, count: produced)) }
                    if result != -1 {
                        if flushing { break }
                        if inLeft == 0 { flushing = true }
                        continue
                    }
                    if code == E2BIG && produced > 0 { continue }
                    if flushing { break } // cannot write the closing shift sequence: give up on it
                    output.append(contentsOf: replacementUTF8)
                    errors += 1
                    if code == EINVAL {
                        // Incomplete sequence at the end of the input: everything left belongs to it.
                        truncated = true
                        inLeft = 0
                        flushing = true
                    } else {
                        // EILSEQ (or anything unexpected): skip one byte so we always make progress.
                        inPtr = inPtr.map { $0 + 1 }
                        inLeft -= 1
                        if inLeft == 0 { flushing = true }
                    }
                }
            }
        }
        return Conversion(text: String(decoding: output, as: UTF8.self), errors: errors, truncatedAtEnd: truncated)
    }

    // MARK: - Native decoders

    struct UTF8Stats {
        var invalid = 0
        var multibyte = 0
        var truncatedAtEnd = false
        /// Offset of the first invalid byte (a truncated end counts), from the slice's start.
        var firstInvalid: Int?
        var isValid: Bool { invalid == 0 && !truncatedAtEnd }
    }

    /// Validates UTF-8 (no overlongs, surrogates or code points above U+10FFFF) and counts
    /// well-formed multi-byte sequences.
    static func utf8Stats(_ bytes: ArraySlice<UInt8>) -> UTF8Stats {
        bytes.withUnsafeBufferPointer { utf8Stats($0) }
    }

    static func utf8Stats(_ bytes: UnsafeBufferPointer<UInt8>) -> UTF8Stats {
        var stats = UTF8Stats()
        var i = bytes.startIndex
        let end = bytes.endIndex
        let raw = UnsafeRawBufferPointer(bytes)
        while i < end {
            // Pages are mostly ASCII: skip it 32 bytes, then 8 bytes at a time.
            while i + 32 <= end,
                  (raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                   | raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
                  & 0x8080_8080_8080_8080 == 0 { i += 32 }
            while i + 8 <= end, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < end else { break }
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let need: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: need = 2
            case 0xED: need = 2; high = 0x9F
            case 0xF0: need = 3; low = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; high = 0x8F
            default:
                if stats.firstInvalid == nil { stats.firstInvalid = i - bytes.startIndex }
                stats.invalid += 1; i += 1; continue
            }
            var j = i + 1
            var ok = true
            for k in 0..<need {
                if j >= end { break }
                let c = bytes[j]
                let lo: UInt8 = k == 0 ? low : 0x80
                let hi: UInt8 = k == 0 ? high : 0xBF
                if c < lo || c > hi { ok = false; break }
                j += 1
            }
            if ok && j - i == need + 1 {
                stats.multibyte += 1
                i = j
            } else if ok {
                // Ran out of input inside the sequence.
                if stats.firstInvalid == nil { stats.firstInvalid = i - bytes.startIndex }
                stats.truncatedAtEnd = true
                i = end
            } else {
                if stats.firstInvalid == nil { stats.firstInvalid = i - bytes.startIndex }
                stats.invalid += 1
                i = j // skip the maximal valid prefix, as the replacement rules do
            }
        }
        return stats
    }

    static func decodeUTF8(_ bytes: ArraySlice<UInt8>) -> Conversion {
        let stats = utf8Stats(bytes)
        return Conversion(text: String(decoding: bytes, as: UTF8.self),
                          errors: stats.invalid + (stats.truncatedAtEnd ? 1 : 0),
                          truncatedAtEnd: stats.truncatedAtEnd)
    }

    static func decodeUTF16(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> Conversion {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2 + 1)
        var i = bytes.startIndex
        while i + 1 < bytes.endIndex {
            let a = UInt16(bytes[i]), b = UInt16(bytes[i + 1])
            units.append(bigEndian ? (a << 8 | b) : (b << 8 | a))
            i += 2
        }
        var errors = 0
        var k = 0
        while k < units.count {
            let u = units[k]
            if u >= 0xD800 && u <= 0xDBFF {
                if k + 1 < units.count, units[k + 1] >= 0xDC00, units[k + 1] <= 0xDFFF { k += 2; continue }
                errors += 1
            } else if u >= 0xDC00 && u <= 0xDFFF {
                errors += 1
            }
            k += 1
        }
        let odd = bytes.count % 2 == 1
        if odd { units.append(0xFFFD); errors += 1 }
        return Conversion(text: String(decoding: units, as: UTF16.self), errors: errors, truncatedAtEnd: odd)
    }

    /// windows-1252 0x80...0x9F per WHATWG (the C1 gaps decode to the C1 controls); 0xA0... is Latin-1.
    static let windows1252High: [UInt32] = {
        let c1: [UInt32] = [
            0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
            0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
        ]
        return c1 + (0xA0...0xFF).map { UInt32($0) }
    }()

    /// A decoder for single-byte encodings whose 0x00...0x7F is ASCII; `high` maps 0x80...0xFF.
    static func decodeSingleByte(_ bytes: ArraySlice<UInt8>, high: [UInt32]) -> Conversion {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 2)
        for b in bytes {
            if b < 0x80 { out.append(b); continue }
            let v = high[Int(b) - 0x80]
            if v < 0x800 {
                out.append(UInt8(0xC0 | (v >> 6)))
                out.append(UInt8(0x80 | (v & 0x3F)))
            } else {
                out.append(UInt8(0xE0 | (v >> 12)))
                out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (v & 0x3F)))
            }
        }
        return Conversion(text: String(decoding: out, as: UTF8.self), errors: 0, truncatedAtEnd: false)
    }
}
