import Glibc

/// Low-level text helpers for plain-text scrapes: line splitting, whitespace normalisation,
/// UTF-8-read-as-Latin-1 ("mojibake") repair and cheap per-line features.
enum ScrapeText {
    /// Splits on \n, \r\n, \r (and U+2028/U+2029), normalises each line, and drops empty lines.
    /// Works on UTF-8 bytes: appending scalar by scalar to a String is several times slower.
    static func lines(of text: String) -> [String] {
        var text = text
        return text.withUTF8 { lines(in: $0) }
    }

    /// The lines of well-formed UTF-8 (what `TextDecoder` hands out), read without first making
    /// a String of the whole text.
    static func lines(utf8: [UInt8]) -> [String] {
        utf8.withUnsafeBufferPointer { lines(in: $0) }
    }

    /// `lines(utf8:)` for a large text that nothing reads afterwards: the pages of the bytes
    /// already split are handed back to the kernel every `step` bytes, so the lines do not come
    /// on top of the whole text. The buffer is written to (a copy is made if it is shared).
    static func lines(discarding utf8: consuming [UInt8], step: Int) -> [String] {
        var utf8 = utf8
        return utf8.withUnsafeMutableBufferPointer { lines(in: UnsafeBufferPointer($0), discardEvery: step) }
    }

    private static func discard(_ buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) {
        PageDiscard.discard(buf, from: from, to: to)
    }

    private static func lines(in buf: UnsafeBufferPointer<UInt8>, discardEvery step: Int? = nil) -> [String] {
        var result: [String] = []
        var out: [UInt8] = []
        out.reserveCapacity(256)
        var i = 0
        let n = buf.count
        var pendingSpace = false
        var suspicious = false
        var lineStart = 0
        func finish(_ lineEnd: Int) {
            if suspicious {
                // Rare path: repair the raw line first (its no-break spaces may be mojibake bytes), then normalise.
                let raw = String(decoding: UnsafeBufferPointer(rebasing: buf[lineStart..<lineEnd]), as: UTF8.self)
                let line = normalizeWhitespace(repairMojibake(raw.unicodeScalars))
                if !line.isEmpty { result.append(line) }
            } else if !out.isEmpty {
                result.append(String(decoding: out, as: UTF8.self))
            }
            out.removeAll(keepingCapacity: true)
            pendingSpace = false
            suspicious = false
        }
        // Bytes before the current line's start are not read again (a suspicious line is reread from its start).
        var discarded = 0
        while i < n {
            let b = buf[i]
            if b < 0x80 {
                i += 1
                if b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C {
                    finish(i - 1)
                    lineStart = i
                    if let step, lineStart - discarded >= step {
                        discard(buf, from: discarded, to: lineStart)
                        discarded = lineStart
                    }
                    continue
                }
                if b == 0x20 || b == 0x09 { pendingSpace = true; continue }
                if b < 0x20 || b == 0x7F { continue }
                if pendingSpace && !out.isEmpty { out.append(0x20) }
                pendingSpace = false
                out.append(b)
                continue
            }
            // Multi-byte sequence: length from the lead byte (invalid input was already repaired by String).
            let len = b >= 0xF0 ? 4 : (b >= 0xE0 ? 3 : 2)
            guard i + len <= n else { i = n; break }
            let b1 = buf[i + 1]
            var space = false, invisible = false, newline = false
            if b == 0xC2 {
                if b1 == 0xA0 { space = true } else if b1 == 0xAD || b1 < 0xA0 { invisible = true } // soft hyphen, C1 controls
            } else if b == 0xE2 {
                let b2 = buf[i + 2]
                if b1 == 0x80 {
                    if b2 <= 0x8A || b2 == 0xAF { space = true } else if b2 >= 0x8B && b2 <= 0x8D { invisible = true } else if b2 == 0xA8 || b2 == 0xA9 { newline = true }
                } else if b1 == 0x81 {
                    if b2 == 0x9F { space = true } else if b2 == 0xA0 { invisible = true }
                }
            } else if b == 0xE3 && b1 == 0x80 && buf[i + 2] == 0x80 {
                space = true
            } else if b == 0xE1 && b1 == 0x9A && buf[i + 2] == 0x80 {
                space = true
            } else if b == 0xEF && b1 == 0xBB && buf[i + 2] == 0xBF {
                invisible = true
            }
            if b == 0xC3 && b1 >= 0x82 && b1 <= 0xB4 { suspicious = true } // U+00C2...U+00F4: possible mojibake lead
            if b == 0xC2 && b1 < 0xA0 { suspicious = true } // C1 control: a continuation byte read as Latin-1
            if newline { finish(i); i += len; lineStart = i; continue }
            if space { pendingSpace = true; i += len; continue }
            if invisible { i += len; continue }
            if pendingSpace && !out.isEmpty { out.append(0x20) }
            pendingSpace = false
            for k in 0..<len { out.append(buf[i + k]) }
            i += len
        }
        finish(n)
        return result
    }

    static func isSpaceLike(_ v: UInt32) -> Bool {
        switch v {
        case 0x20, 0x09, 0xA0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    static func isInvisible(_ v: UInt32) -> Bool {
        switch v {
        case 0x00...0x08, 0x0E...0x1F, 0x7F, 0x80...0x9F, 0x200B...0x200D, 0x2060, 0xFEFF, 0xAD: return true
        default: return false
        }
    }

    /// Collapses every run of whitespace (including no-break and typographic spaces) into one space, drops
    /// invisible characters, trims both ends.
    static func normalizeWhitespace(_ scalars: String.UnicodeScalarView) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for s in scalars {
            let v = s.value
            if isSpaceLike(v) { pendingSpace = true; continue }
            if isInvisible(v) { continue }
            if pendingSpace && !out.isEmpty { out.append(" ") }
            pendingSpace = false
            out.append(s)
        }
        return String(out)
    }

    static func normalizeWhitespace(_ text: String) -> String {
        lines(of: text).joined(separator: " ")
    }

    // MARK: - Mojibake repair

    /// Windows-1252 characters for bytes 0x80...0x9F, mapped back to their byte.
    static let cp1252Reverse: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
        0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91,
        0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98,
        0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B, 0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    @inline(__always)
    static func byteValue(_ s: Unicode.Scalar) -> UInt8? {
        let v = s.value
        if v <= 0xFF { return UInt8(v) }
        return cp1252Reverse[v]
    }

    /// Repairs UTF-8 text that was decoded as Latin-1/Windows-1252 ("Itâ€™s" → "It’s"). Works sequence by sequence,
    /// so lines mixing intact and damaged text are repaired where damaged and left alone elsewhere. A sequence is
    /// only rewritten when its bytes form one well-formed UTF-8 multi-byte character.
    static func repairMojibake(_ scalars: String.UnicodeScalarView) -> String.UnicodeScalarView {
        // Fast path: nothing that could be a UTF-8 lead byte read as Latin-1.
        var suspicious = false
        for s in scalars where s.value >= 0xC2 && s.value <= 0xF4 { suspicious = true; break }
        if !suspicious { return scalars }
        let array = Array(scalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var changed = false
        while i < array.count {
            let lead = array[i].value
            var length = 0
            if lead >= 0xC2 && lead <= 0xDF { length = 2 } else if lead >= 0xE0 && lead <= 0xEF { length = 3 } else if lead >= 0xF0 && lead <= 0xF4 { length = 4 }
            if length > 0 && i + length <= array.count {
                var bytes: [UInt8] = [UInt8(lead)]
                var ok = true
                var spaces = 0
                for k in 1..<length {
                    // A no-break space (0xA0) that an earlier step flattened to a plain space: accepted inside a
                    // 3- or 4-byte sequence when another continuation byte of it is intact.
                    if length >= 3, array[i + k].value == 0x20 { spaces += 1; bytes.append(0xA0); continue }
                    guard let b = byteValue(array[i + k]), b >= 0x80, b <= 0xBF else { ok = false; break }
                    bytes.append(b)
                }
                if spaces > 0 && spaces >= length - 1 { ok = false }
                if ok {
                    // Reject overlong forms and surrogates.
                    if lead == 0xE0 && bytes[1] < 0xA0 { ok = false }
                    if lead == 0xED && bytes[1] >= 0xA0 { ok = false }
                    if lead == 0xF0 && bytes[1] < 0x90 { ok = false }
                    if lead == 0xF4 && bytes[1] >= 0x90 { ok = false }
                }
                if ok {
                    var value: UInt32
                    switch length {
                    case 2: value = (UInt32(bytes[0]) & 0x1F) << 6 | (UInt32(bytes[1]) & 0x3F)
                    case 3: value = (UInt32(bytes[0]) & 0x0F) << 12 | (UInt32(bytes[1]) & 0x3F) << 6 | (UInt32(bytes[2]) & 0x3F)
                    default:
                        value = (UInt32(bytes[0]) & 0x07) << 18 | (UInt32(bytes[1]) & 0x3F) << 12
                        value |= (UInt32(bytes[2]) & 0x3F) << 6 | (UInt32(bytes[3]) & 0x3F)
                    }
                    if let scalar = Unicode.Scalar(value) {
                        out.append(scalar)
                        i += length
                        changed = true
                        continue
                    }
                }
            }
            out.append(array[i])
            i += 1
        }
        return changed ? out : scalars
    }

    // MARK: - Small string helpers

    /// Lowercases ASCII letters only (cheap, locale-free) and folds curly single quotes to '; other text is kept.
    static func asciiLower(_ s: Substring) -> String {
        var s = s
        return s.withUTF8 { b in
            String(unsafeUninitializedCapacity: b.count) { out in
                let n = b.count
                var i = 0, k = 0
                while i < n {
                    let c = b[i]
                    // U+2018 and U+2019 (curly single quotes) fold to '.
                    if c == 0xE2, i + 2 < n, b[i + 1] == 0x80, b[i + 2] == 0x98 || b[i + 2] == 0x99 {
                        out[k] = 0x27
                        k += 1
                        i += 3
                        continue
                    }
                    out[k] = c >= 65 && c <= 90 ? c + 32 : c
                    k += 1
                    i += 1
                }
                return k
            }
        }
    }

    static func asciiLower(_ s: String) -> String { asciiLower(s[...]) }

    static func isUpper(_ s: Unicode.Scalar) -> Bool {
        s.properties.isUppercase
    }

    /// Words split on spaces.
    static func words(_ s: String) -> [Substring] {
        s.split(separator: " ", omittingEmptySubsequences: true)
    }

    /// Trims spaces and the given punctuation from both ends.
    static func trim(_ s: Substring, _ chars: Set<Character> = [" ", ":", "-", "|", "–", "—", ",", ";", "/", "•", "·"]) -> String {
        var start = s.startIndex
        var end = s.endIndex
        while start < end, chars.contains(s[start]) { start = s.index(after: start) }
        while end > start {
            let before = s.index(before: end)
            if chars.contains(s[before]) { end = before } else { break }
        }
        return String(s[start..<end])
    }

    static func trim(_ s: String, _ chars: Set<Character> = [" ", ":", "-", "|", "–", "—", ",", ";", "/", "•", "·"]) -> String {
        trim(s[...], chars)
    }
}
