// Guessing a legacy encoding when nothing is declared: each candidate decodes the first 64 KiB with
// iconv and the output is rated for how much it looks like text in that encoding's language.

extension CharsetDecoder {
    /// What language's text an encoding is expected to carry, for rating decoded output.
    enum Profile: Sendable {
        case western, cyrillic, chineseSimplified, chineseTraditional, japanese, korean
    }

    /// The candidates, in tie-break order: windows-1252 first, so another candidate must do strictly better.
    static let detectionCandidates: [(encoding: String, profile: Profile)] = [
        ("windows-1252", .western),
        ("gbk", .chineseSimplified),
        ("shift_jis", .japanese),
        ("euc-jp", .japanese),
        ("euc-kr", .korean),
        ("big5", .chineseTraditional),
        ("koi8-r", .cyrillic),
        ("windows-1251", .cyrillic),
    ]

    static func profile(for encoding: String) -> Profile? {
        switch encoding {
        case "windows-1252", "iso-8859-15", "macintosh": return .western
        case "gbk", "gb18030": return .chineseSimplified
        case "big5": return .chineseTraditional
        case "shift_jis", "euc-jp", "iso-2022-jp": return .japanese
        case "euc-kr": return .korean
        case "koi8-r", "koi8-u", "windows-1251", "ibm866", "iso-8859-5", "x-mac-cyrillic": return .cyrillic
        default: return nil
        }
    }

    /// A candidate's rating must reach this for "detected"; below it the answer is the windows-1252 fallback.
    static let detectionThreshold = 1.6

    struct Score {
        var encoding: String
        var quality: Double
        /// Decoding errors in the sample, not counting a sequence cut by the end of the sample.
        var errors: Int
    }

    /// Rates every candidate on `sample`; `sampleIsPrefix` says the sample was cut from a longer input,
    /// so a multi-byte sequence cut at its end is not an error. Best first; ties keep candidate order.
    static func scoreCandidates(_ sample: ArraySlice<UInt8>, sampleIsPrefix: Bool) -> [Score] {
        var scores: [Score] = []
        for (encoding, profile) in detectionCandidates {
            guard let conversion = convert(sample, from: encoding) else { continue } // no converter here
            let errors = conversion.errors - (sampleIsPrefix && conversion.truncatedAtEnd ? 1 : 0)
            scores.append(Score(encoding: encoding, quality: quality(of: conversion.text, errors: errors, profile: profile),
                                errors: errors))
        }
        // A stable sort: equal ratings keep the candidate order.
        return scores.enumerated().sorted {
            $0.element.quality != $1.element.quality ? $0.element.quality > $1.element.quality : $0.offset < $1.offset
        }.map(\.element)
    }

    // MARK: - Rating decoded text

    /// Roughly 0...3 for plausible text, lower (even negative) for mojibake:
    ///   share of non-ASCII characters in the profile's script
    /// + 2 × share that are typical of the language (frequent characters, kana, lower-case Cyrillic,
    ///       accented Latin letters inside words)
    /// − 2 × share of non-Latin letters glued to ASCII letters (mixed-script "words" are mojibake),
    ///       and for alphabets, of upper-case letters straight after lower-case ones
    /// − 2 × share in implausibly long runs of alphabetic letters (no word is 25 letters long)
    /// − 4 × error rate.
    /// Punctuation and symbols shared by all encodings are neutral and not counted.
    static func quality(of text: String, errors: Int, profile: Profile) -> Double {
        let scalars = Array(text.unicodeScalars)
        var counted = 0, script = 0, typical = 0, mixed = 0, longRuns = 0
        var run = 0
        let alphabetic = profile == .western || profile == .cyrillic

        func endRun() {
            if run > 24 { longRuns += run }
            run = 0
        }

        for (k, scalar) in scalars.enumerated() {
            let v = scalar.value
            if v < 0x80 { endRun(); continue }
            if v == 0xFFFD || isNeutral(v) { endRun(); continue }
            counted += 1
            let isLetter = scalar.properties.isAlphabetic
            let asciiNeighbour = (k > 0 && isASCIILetter(scalars[k - 1].value))
                || (k + 1 < scalars.count && isASCIILetter(scalars[k + 1].value))
            switch profile {
            case .western:
                if isWesternScript(v) { script += 1 }
                if isLetter && asciiNeighbour { typical += 1 }
            case .cyrillic:
                if v >= 0x0400 && v <= 0x045F || v == 0x0490 || v == 0x0491 { script += 1 }
                // Lower-case Russian (and Ukrainian і ї є ґ): running text is mostly lower-case, and
                // KOI8-R read as windows-1251 (or the reverse) swaps the case.
                if (v >= 0x0430 && v <= 0x044F) || v == 0x0451 || v == 0x0454 || v == 0x0456 || v == 0x0457 || v == 0x0491 {
                    typical += 1
                }
            case .chineseSimplified:
                if isHan(v) || isCJKPunctuation(v) { script += 1 }
                if frequentSimplified.contains(v) { typical += 1 }
            case .chineseTraditional:
                if isHan(v) || isCJKPunctuation(v) { script += 1 }
                if frequentTraditional.contains(v) { typical += 1 }
            case .japanese:
                let kana = v >= 0x3041 && v <= 0x30FF
                if kana || isHan(v) || isCJKPunctuation(v) { script += 1 }
                if kana || frequentKanji.contains(v) { typical += 1 }
            case .korean:
                if (v >= 0xAC00 && v <= 0xD7A3) || isCJKPunctuation(v) { script += 1 }
                if frequentHangul.contains(v) { typical += 1 }
            }
            if profile != .western && isLetter && asciiNeighbour { mixed += 1 }
            // "ÖÐ¹ú", "ВѕМ©КРХ": an upper-case letter straight after a lower-case one, inside a word.
            if alphabetic && k > 0 && scalar.properties.isUppercase && scalars[k - 1].properties.isLowercase { mixed += 1 }
            if alphabetic && isLetter { run += 1 } else { endRun() }
        }
        endRun()
        let errorRate = Double(errors) / Double(max(1, counted + errors))
        guard counted > 0 else { return -4 * errorRate }
        let n = Double(counted)
        return Double(script) / n + 2 * Double(typical) / n - 2 * Double(mixed) / n - 2 * Double(longRuns) / n - 4 * errorRate
    }

    static func isASCIILetter(_ v: UInt32) -> Bool { (v | 0x20) >= 0x61 && (v | 0x20) <= 0x7A }

    /// Symbols and punctuation that several encodings share and that say nothing about the language.
    static func isNeutral(_ v: UInt32) -> Bool {
        (v >= 0xA0 && v <= 0xBF) || v == 0xD7 || v == 0xF7
            || (v >= 0x2000 && v <= 0x206F)   // general punctuation: dashes, quotes, ellipsis
            || (v >= 0x2100 && v <= 0x24FF)   // letterlike, number forms, arrows, maths, enclosed
            || (v >= 0x25A0 && v <= 0x26FF)   // geometric shapes, misc symbols
    }

    static func isWesternScript(_ v: UInt32) -> Bool {
        (v >= 0xC0 && v <= 0xFF) || (v >= 0x0100 && v <= 0x017F) || v == 0x0192 || v == 0x02C6 || v == 0x02DC
    }

    static func isHan(_ v: UInt32) -> Bool {
        (v >= 0x4E00 && v <= 0x9FFF) || (v >= 0x3400 && v <= 0x4DBF) || (v >= 0xF900 && v <= 0xFAFF)
    }

    static func isCJKPunctuation(_ v: UInt32) -> Bool {
        (v >= 0x3000 && v <= 0x303F) || (v >= 0xFF01 && v <= 0xFF60) || (v >= 0xFFE0 && v <= 0xFFE6)
    }

    private static func scalarSet(_ s: String) -> Set<UInt32> { Set(s.unicodeScalars.map(\.value)) }

    /// The most frequent characters of Chinese running text (they cover about half of it).
    static let frequentSimplified = scalarSet("""
        的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天\
        而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与\
        高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东\
        政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张\
        活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接\
        它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言\
        权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令\
        黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校\
        读志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷域
        """)

    static let frequentTraditional = scalarSet("""
        的一是不了人我在有他這中大來上國個到說們為子和你地出道也時年得就那要下以生會自著去之過家學對可她裡後小麼心多天\
        而能好都然沒日於起還發成事只作當想看文無開手十用主行方又如前所本見經頭面公同三已老從動兩長知民樣現分將外但身些與\
        高意進把法此實回二理美點月明其種聲全工己話兒者向情部正名定女問力機給等幾很業最間新什打便位因重被走電四第門相次東\
        政海口使教西再平真聽世氣信北少關並內加化由卻代軍產入先山五太水萬市眼體別處總才場師書比住員九笑性通目華報立馬命張\
        活難神數件安表原車白應路期叫死常提感金何更反合放做系計或司利受光王果親界及今京務制解各任至清物台臺象記邊共風戰幹接\
        它許八特覺望直服毛林題建南度統色字請交愛讓認算論百吃義科怎元社術結六功指思非流每青管夫連遠資隊跟帶花快條院變聯言\
        權往展該領傳近留紅治決周保達辦運武半候七必城父強步完革深區即求品士轉量空甚眾技輕程告江語英基派滿式李息寫呢識極令\
        黃德收臉錢黨倒未持取設始版雙歷越史商千片容研像找友孩站廣改議形委早房音火際則首單據導影失拿網香似斯專石若兵弟誰校\
        讀志飛觀爭究包組造落視濟喜離雖坐集編寶談府拉黑且隨格盡劍講布殺微怕母調局根曾準團段終樂切級克精哪官示冷域
        """)

    static let frequentKanji = scalarSet("""
        日本人年大中出会時上手自分事行見生長国方前後間同地東京学社者場合部今新明気思言何当物下作家子目月関発私問題高意業\
        体実定理最的性化動特入法話連対記市内回政経済円現代表者開度全通選米民主政府首相党議員
        """)

    static let frequentHangul = scalarSet("""
        이다의에는을하고가로지기서한사자리나도인어대정아시니여들있수일부게구주해전보스제원상요우국적만라면그성되내것장비등\
        동위경소과와오공연무화조개유관신마문생러방거계중저할두세각모회은까안영었식분교실행발말선학결했물때미습당및르음진\
        통야터현심불를년월명간서울시장날후더또않없같
        """)
}
