import Foundation

/// Word tokenizer shared by topic matching, language detection and genre detection.
public enum Tokenizer {
    /// Lower-cased (case-folded, diacritics kept) word tokens.
    ///
    /// - A token is a maximal run of letters and digits (Unicode `Alphabetic` or numeric);
    ///   combining marks that follow a letter stay in the token, so decomposed diacritics survive.
    /// - Everything else splits: whitespace, punctuation, straight and curly apostrophes, hyphens
    ///   ("Kim-Trump" → "kim", "trump"; "Korea’s" → "korea", "s").
    /// - A soft hyphen (U+00AD) inside a word is dropped without splitting.
    /// - Han ideographs and kana are emitted one character per token (those scripts do not mark
    ///   word boundaries), so a Chinese or Japanese phrase term tokenized the same way still matches
    ///   as a token sequence. Hangul, Thai and others keep whole runs.
    public static func words(_ text: String) -> [String] {
        var out: [String] = []
        out.reserveCapacity(text.utf8.count / 6 + 1)
        // The current token as UTF-8 bytes: cheaper to grow than a scalar view, and a
        // short token becomes a small (allocation-free) String.
        var cur: [UInt8] = []
        cur.reserveCapacity(32)
        var needsLower = false

        func flush() {
            if cur.isEmpty { return }
            let s = String(decoding: cur, as: UTF8.self)
            out.append(needsLower ? s.lowercased() : s)
            cur.removeAll(keepingCapacity: true)
            needsLower = false
        }
        func append(_ u: Unicode.Scalar) {
            UTF8.encode(u) { cur.append($0) }
        }

        for u in text.unicodeScalars {
            let v = u.value
            if v < 0x80 {
                if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) {
                    cur.append(UInt8(v))
                } else if v >= 0x41 && v <= 0x5A {
                    cur.append(UInt8(v + 32))
                } else {
                    flush()
                }
                continue
            }
            if v == 0xAD { continue } // soft hyphen
            if isSingleCharScript(v) {
                flush()
                out.append(String(Character(u)))
                continue
            }
            let p = u.properties
            if p.isAlphabetic || p.numericType != nil {
                append(u)
                if p.changesWhenLowercased { needsLower = true }
                continue
            }
            switch p.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                if !cur.isEmpty { append(u) } else { flush() }
            default:
                flush()
            }
        }
        flush()
        return out
    }

    /// Han ideographs, hiragana and katakana (including half-width katakana).
    @inline(__always)
    static func isSingleCharScript(_ v: UInt32) -> Bool {
        return (v >= 0x3040 && v <= 0x30FF && v != 0x30FB) // hiragana, katakana (not the middle dot)
            || (v >= 0x31F0 && v <= 0x31FF)
            || (v >= 0x3400 && v <= 0x4DBF)
            || (v >= 0x4E00 && v <= 0x9FFF)
            || (v >= 0xF900 && v <= 0xFAFF)
            || (v >= 0xFF66 && v <= 0xFF9F)
            || (v >= 0x20000 && v <= 0x2FFFF)
    }
}
