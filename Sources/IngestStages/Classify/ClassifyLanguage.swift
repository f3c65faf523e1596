import Foundation

/// Lightweight language identification for news text.
///
/// How it decides:
/// 1. Letters are grouped by script (Han, kana and Hangul count ×3 because one such character carries
///    about as much as a few Latin letters). The dominant script must hold at least half the weight.
/// 2. Scripts that map to one language: Hangul → "ko", Han → "zh" (or "ja" when kana make up at least
///    5 % of the Han+kana characters), kana → "ja", Greek → "el", Hebrew → "he", Thai → "th",
///    Devanagari → "hi", Arabic → "ar" (but "fa"/"ur" when the Persian/Urdu-only letters are frequent).
/// 3. Latin script: stop-word hits for en, de, fr, es, it, pt, nl (plus id, sv, pl as decoys so those
///    are not mistaken for one of the others). The best language needs ≥ 2 hits, ≥ 10 % of the Latin
///    tokens, and a clear margin over the runner-up, else nil.
/// 4. Cyrillic → "ru" only when Russian stop-words confirm it and Ukrainian/Bulgarian/Serbian markers
///    do not; otherwise nil.
/// 5. Fewer than 5 word tokens (or, for scripts without spaces, fewer than 10 letters) → nil.
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
        var nonRussianCyrillic = 0
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
            case 0x0456, 0x0457, 0x0454, 0x0490, 0x0491, 0x0406, 0x0407, 0x0404,      // і ї є ґ
                 0x045E, 0x040E, 0x0458, 0x0408, 0x0459, 0x045A, 0x045B, 0x045F,      // ў ј љ њ ћ џ
                 0x0453, 0x045C, 0x0455:                                               // ѓ ќ ѕ
                nonRussianCyrillic += 1
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
            return detectLatin(text)
        case .cyrillic:
            let letters = counts[Script.cyrillic.rawValue]
            if nonRussianCyrillic * 100 >= letters { return nil } // ≥ 1 %: Ukrainian, Serbian, Macedonian…
            return detectCyrillic(text)
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

    // MARK: Latin script

    static let latinLanguages = ["en", "de", "fr", "es", "it", "pt", "nl", "id", "sv", "pl"]
    /// Languages of `latinLanguages` that are only decoys (never reported): they keep Indonesian,
    /// Swedish or Polish text from being reported as one of the supported languages.
    static let decoys: Set<String> = ["id", "sv", "pl"]

    static let stopWords: [String: [String]] = [
        "en": """
            the of and to in is that for on with as was were are be by at from it its this which but not
            have has had been will would an or their they he she his her who said than also about after
            more into over there what when can could out up one we our you i a these those them been
            """.split(whereSeparator: \.isWhitespace).map(String.init),
        "de": """
            der die das und ist nicht ein eine einen einem einer des dem den zu mit sich auf für im von
            auch es als an noch nach wie bei aus wird werden sind war hat haben dass oder aber wenn nur um
            über vor so sie er wir ich mehr schon zum zur man kann können diese dieser
            """.split(whereSeparator: \.isWhitespace).map(String.init),
        "fr": """
            le la les de des du un une et est en que qui dans pour pas au aux sur par plus ne se ce cette
            il elle ils elles sont avec son sa ses mais ou été être a nous vous leur leurs comme tout fait
            on y été était ont avait très aussi sans deux même
            """.split(whereSeparator: \.isWhitespace).map(String.init),
        "es": """
            el la los las de del y en que es un una por con para se no lo al su sus más pero como este esta
            fue ha son también sobre entre cuando muy sin hay ya porque está están era ser desde todo han
            le les nos
            """.split(whereSeparator: \.isWhitespace).map(String.init),
        "it": """
            il lo la gli le di del della dei delle che è e un una per con non si in sono da al alla anche
            come più ma nel nella questo questa ha ho essere stato sul sulla degli dal dalla ci ne tra
            anni molto suo sua era
            """.split(whereSeparator: \.isWhitespace).map(String.init),
        "pt": """
            o a os as de do da dos das em no na nos nas e que é um uma para com não por se mais ao como foi
            são também mas pelo pela seu sua ele ela isso este esta está já muito ser ter tem foram às
            """.split(whereSeparator: \.isWhitespace).map(String.init),
        "nl": """
            de het een en van in is dat op te zijn met voor niet die aan er als ook maar om bij nog door
            wordt worden was naar dan heeft hij ze wat wel kan zich uit tot over deze dit werd hebben geen
            """.split(whereSeparator: \.isWhitespace).map(String.init),
        "id": """
            yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke ada adalah saya kita mereka
            oleh karena atau bisa sudah telah kami tersebut
            """.split(whereSeparator: \.isWhitespace).map(String.init),
        "sv": """
            och att det som en är på för med av den till inte har de om ett var jag men så från hade sig
            kan eller vid efter också
            """.split(whereSeparator: \.isWhitespace).map(String.init),
        "pl": """
            i w na z się nie do że jest to jak o po ale co tak za od przez jego są dla czy tylko już może
            był być jest oraz które który
            """.split(whereSeparator: \.isWhitespace).map(String.init),
    ]

    /// token → bit set of `latinLanguages` indices.
    static let stopIndex: [String: UInt32] = {
        var d: [String: UInt32] = [:]
        for (i, lang) in latinLanguages.enumerated() {
            for w in stopWords[lang] ?? [] { d[w, default: 0] |= (1 << UInt32(i)) }
        }
        return d
    }()

    static func detectLatin(_ text: String) -> String? {
        let tokens = Tokenizer.words(text)
        var latinTokens = 0
        var hits = [Int](repeating: 0, count: latinLanguages.count)
        for t in tokens {
            guard let f = t.unicodeScalars.first, script(of: f.value) == .latin else { continue }
            latinTokens += 1
            if let mask = stopIndex[t] {
                for i in 0..<latinLanguages.count where mask & (1 << UInt32(i)) != 0 { hits[i] += 1 }
            }
        }
        guard latinTokens >= 5 else { return nil }
        var order = Array(0..<latinLanguages.count)
        order.sort { hits[$0] > hits[$1] }
        let b = hits[order[0]], s = hits[order[1]]
        guard b >= 2, b * 10 >= latinTokens else { return nil }
        // Margin: clearly ahead of the runner-up (short texts need an absolute lead too).
        guard Double(b) >= Double(s) * 1.3, b - s >= 2 else { return nil }
        let lang = latinLanguages[order[0]]
        return decoys.contains(lang) ? nil : lang
    }

    // MARK: Cyrillic

    static let russian: Set<String> = Set("""
        и в не на что с по это как а к но он из у за о от для так же все она его был только или бы мы вы
        они то уже было если при чтобы когда том этого может также еще ещё который которые года более
        """.split(whereSeparator: \.isWhitespace).map(String.init))
    /// Words that are frequent in Ukrainian or Bulgarian but not in Russian.
    static let otherCyrillic: Set<String> = Set("""
        та що це як але від його її також щоб ще вже було який які року
        че се са ще като това който която които ни според във със
        """.split(whereSeparator: \.isWhitespace).map(String.init)).subtracting(russian)

    static func detectCyrillic(_ text: String) -> String? {
        var words = 0, ru = 0, other = 0
        for t in Tokenizer.words(text) {
            guard let f = t.unicodeScalars.first, script(of: f.value) == .cyrillic else { continue }
            words += 1
            if russian.contains(t) { ru += 1 }
            if otherCyrillic.contains(t) { other += 1 }
        }
        guard words >= 5, ru >= 2, ru * 10 >= words, ru >= other * 2 + 1 else { return nil }
        return "ru"
    }
}
