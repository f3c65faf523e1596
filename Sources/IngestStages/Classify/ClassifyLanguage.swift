import Foundation

/// Lightweight language identification for news text.
///
/// How it decides:
/// 1. Letters are grouped by script (Han, kana and Hangul count ×3 because one such character carries
///    about as much as a few Latin letters). The dominant script must hold at least half the weight.
/// 2. Scripts that map to one language: Hangul → "ko", Han → "zh" (or "ja" when kana make up at least
///    5 % of the Han+kana characters), kana → "ja", Greek → "el", Hebrew → "he", Thai → "th",
///    Devanagari → "hi", Arabic → "ar" (but "fa"/"ur" when the Persian/Urdu-only letters are frequent).
/// 3. Latin and Cyrillic script: character trigram profiles of 31 Latin-script and 4 Cyrillic
///    languages (`TrigramLanguageModel`); the best needs a clear margin over the runner-up, and the
///    text at least three words, else nil.
/// 4. Scripts without spaces need at least 5 (Han, kana, Hangul) or 12 letters, else nil.
public enum LanguageDetector {
    enum Script: Int, CaseIterable {
        case latin, cyrillic, greek, hebrew, arabic, devanagari, thai, hangul, kana, han, other
    }

    static func script(of v: UInt32) -> Script {
        switch v {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF, 0x2C60...0x2C7F, 0xA720...0xA7FF,
             0xFF21...0xFF3A, 0xFF41...0xFF5A:
            return .latin
        case 0x370...0x3FF, 0x1F00...0x1FFF: return .greek
        case 0x400...0x52F, 0x1C80...0x1C8F, 0x2DE0...0x2DFF, 0xA640...0xA69F: return .cyrillic
        case 0x590...0x5FF, 0xFB1D...0xFB4F: return .hebrew
        case 0x600...0x6FF, 0x750...0x77F, 0x8A0...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: return .arabic
        case 0x900...0x97F, 0xA8E0...0xA8FF: return .devanagari
        case 0xE00...0xE7F: return .thai
        case 0x1100...0x11FF, 0x3130...0x318F, 0xA960...0xA97F, 0xAC00...0xD7AF, 0xD7B0...0xD7FF: return .hangul
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: return .kana
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FFFF: return .han
        default: return .other
        }
    }

    /// ISO 639-1 code or nil when unsure.
    public static func detect(_ text: String) -> String? {
        var counts = [Int](repeating: 0, count: Script.allCases.count)
        var persianLetters = 0, urduLetters = 0
        for u in text.unicodeScalars {
            let v = u.value
            if v < 0x80 {
                if (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) { counts[Script.latin.rawValue] += 1 }
                continue
            }
            if v == 0x30FB || v == 0x30FC { continue } // katakana middle dot / long mark: also used in Chinese text
            guard u.properties.isAlphabetic else { continue }
            let s = script(of: v)
            counts[s.rawValue] += 1
            switch v {
            case 0x067E, 0x0686, 0x0698, 0x06AF, 0x06A9, 0x06CC: persianLetters += 1  // پ چ ژ گ ک ی
            case 0x06D2, 0x0679, 0x0688, 0x0691, 0x06BA, 0x06BE: urduLetters += 1     // ے ٹ ڈ ڑ ں ھ
            default: break
            }
        }

        func weight(_ s: Script) -> Int {
            switch s {
            case .han, .kana, .hangul: return counts[s.rawValue] * 3
            default: return counts[s.rawValue]
            }
        }
        // Han and kana together form Japanese text; judge them as one block first.
        let cjk = weight(.han) + weight(.kana)
        var total = 0
        for s in Script.allCases { total += weight(s) }
        guard total > 0 else { return nil }

        var best = Script.other
        var bestWeight = 0
        for s in Script.allCases where s != .han && s != .kana {
            if weight(s) > bestWeight { best = s; bestWeight = weight(s) }
        }
        if cjk > bestWeight {
            best = counts[Script.han.rawValue] >= counts[Script.kana.rawValue] ? .han : .kana
            bestWeight = cjk
        }
        guard bestWeight * 2 >= total else { return nil }

        switch best {
        case .latin:
            return TrigramLanguageModel.detect(text, script: .latin)
        case .cyrillic:
            return TrigramLanguageModel.detect(text, script: .cyrillic)
        case .other:
            return nil
        default:
            break
        }

        // Single-language scripts: need enough material.
        let letters = best == .han || best == .kana
            ? counts[Script.han.rawValue] + counts[Script.kana.rawValue]
            : counts[best.rawValue]
        let minimum: Int
        switch best {
        case .han, .kana, .hangul: minimum = 5
        default: minimum = 12
        }
        guard letters >= minimum else { return nil }
        switch best {
        case .han, .kana:
            let kana = counts[Script.kana.rawValue]
            let han = counts[Script.han.rawValue]
            if kana >= 2 && kana * 20 >= han + kana { return "ja" }
            return "zh"
        case .hangul: return "ko"
        case .greek: return "el"
        case .hebrew: return "he"
        case .thai: return "th"
        case .devanagari: return "hi"
        case .arabic:
            let arabicLetters = counts[Script.arabic.rawValue]
            if urduLetters * 50 >= arabicLetters && urduLetters >= 2 { return "ur" }
            if persianLetters * 33 >= arabicLetters && persianLetters >= 2 { return "fa" }
            return "ar"
        default: return nil
        }
    }
}
