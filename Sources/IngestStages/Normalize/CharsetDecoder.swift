/// Turns the bytes of a scraped page, in whatever encoding it arrived, into text.
///
/// Evidence, strongest first: a byte-order mark; the `declared` label (an HTTP Content-Type header);
/// a declaration in the markup (`<meta charset>`, `<meta http-equiv>`, `<?xml encoding?>`);
/// detection. Declarations are checked against the bytes: a page that declares a legacy encoding but
/// is valid UTF-8 with multi-byte sequences is read as UTF-8, and a page whose declared encoding
/// fails on a noticeable share of its bytes is read with a candidate that decodes it cleanly and
/// looks like text. Legacy encodings are converted with glibc's iconv; UTF-8, UTF-16, windows-1252
/// and x-user-defined are decoded natively. Never fails: the last resort is windows-1252, which maps
/// every byte.
public enum CharsetDecoder {
    public struct Result: Sendable, Equatable {
        public var text: String
        /// Canonical lower-case name of what the bytes were decoded from: "utf-8", "utf-16le", "utf-16be",
        /// "windows-1252" (also for pages labelled iso-8859-1, as WHATWG maps it), "gbk" (also gb2312),
        /// "gb18030", "shift_jis", "euc-jp", "euc-kr", "koi8-r", "windows-1251", "iso-8859-2", "big5", …
        public var encoding: String
        /// How it was chosen: "bom", "declared" (the `declared` argument or a declaration in the
        /// markup), "detected" (including when a declaration was overruled), "fallback".
        public var source: String
        /// True when bytes could not be decoded and were replaced with U+FFFD.
        public var hadErrors: Bool

        public init(text: String, encoding: String, source: String, hadErrors: Bool) {
            self.text = text
            self.encoding = encoding
            self.source = source
            self.hadErrors = hadErrors
        }
    }

    /// Detection, and the checks of a declaration, look at this much of the input only.
    static let sampleLimit = 64 * 1024

    /// `declared` is an encoding label known from outside (e.g. an HTTP Content-Type header), or nil.
    /// `sniffHTML: false` skips looking for a declaration in the markup (plain-text scrapes).
    public static func decode(_ bytes: [UInt8], declared: String? = nil, sniffHTML: Bool = true) -> Result {
        // 1. Byte-order mark.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return finish(bytes[3...], as: "utf-8", source: "bom") }
        if bytes.starts(with: [0xFE, 0xFF]) { return finish(bytes[2...], as: "utf-16be", source: "bom") }
        if bytes.starts(with: [0xFF, 0xFE]) { return finish(bytes[2...], as: "utf-16le", source: "bom") }

        let sample = bytes.prefix(sampleLimit)
        let sampleIsPrefix = bytes.count > sample.count

        // 2. and 3. The declared label, else the first usable declaration in the markup.
        var label: String?
        if let declared, let name = canonicalName(declared), isUsable(name) {
            label = name
        } else if sniffHTML {
            for raw in markupLabels(bytes) {
                guard var name = canonicalName(raw) else { continue }
                // HTML: a document whose ASCII markup could be read is not UTF-16.
                if name == "utf-16le" || name == "utf-16be" { name = "utf-8" }
                if name == "x-user-defined" { name = "windows-1252" }
                if isUsable(name) { label = name; break }
            }
        }
        if let label {
            return decodeDeclared(bytes, sample: sample, sampleIsPrefix: sampleIsPrefix, label: label)
        }

        // 4. Detection.
        return detect(bytes, sample: sample, sampleIsPrefix: sampleIsPrefix)
    }

    /// The label declared inside the first 4 KB of an HTML/XML document (`<meta charset=...>`,
    /// `<meta http-equiv="Content-Type" content="text/html; charset=...">`, `<?xml ... encoding="..."?>`),
    /// lower-cased, or nil. The label is returned as written, known to `canonicalName` or not.
    public static func declaredInMarkup(_ bytes: [UInt8]) -> String? {
        markupLabels(bytes).first
    }

    /// Maps a label to its canonical name per the WHATWG Encoding Standard label table (e.g. "latin1",
    /// "iso-8859-1", "ascii" → "windows-1252"; "gb2312", "x-gbk" → "gbk"; "sjis", "ms_kanji" → "shift_jis";
    /// "ks_c_5601-1987" → "euc-kr"; "utf8" → "utf-8"), or nil for an unknown label. Surrounding ASCII
    /// white space and case are ignored. The labels of ISO-2022-KR, ISO-2022-CN and HZ map to
    /// "replacement", which `decode` treats as no declaration.
    public static func canonicalName(_ label: String) -> String? {
        labelIndex[normalizedLabel(label)]
    }

    // MARK: - Internals

    /// Trims ASCII white space and lower-cases ASCII letters.
    static func normalizedLabel(_ s: String) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0C || $0 == 0x0D }
        let utf8 = Array(s.utf8)
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: utf8[first...last].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// A canonical name we can decode with on this system ("replacement" never: a scraper would
    /// rather detect than turn the page into one U+FFFD).
    static func isUsable(_ name: String) -> Bool {
        name != "replacement" && canConvert(name)
    }

    static let singleByteLegacy: Set<String> = [
        "ibm866", "iso-8859-2", "iso-8859-3", "iso-8859-4", "iso-8859-5", "iso-8859-6", "iso-8859-7", "iso-8859-8",
        "iso-8859-8-i", "iso-8859-10", "iso-8859-13", "iso-8859-14", "iso-8859-15", "iso-8859-16", "koi8-r", "koi8-u",
        "macintosh", "windows-874", "windows-1250", "windows-1251", "windows-1252", "windows-1253", "windows-1254",
        "windows-1255", "windows-1256", "windows-1257", "windows-1258", "x-mac-cyrillic", "x-user-defined",
    ]

    /// Converts the whole input once with `encoding`, which must be usable.
    static func finish(_ bytes: ArraySlice<UInt8>, as encoding: String, source: String) -> Result {
        guard let conversion = convert(bytes, from: encoding) else {
            // Only reachable if a converter vanished between the check and now.
            let fallback = decodeSingleByte(bytes, high: windows1252High)
            return Result(text: fallback.text, encoding: "windows-1252", source: "fallback", hadErrors: false)
        }
        return Result(text: conversion.text, encoding: encoding, source: source, hadErrors: conversion.errors > 0)
    }

    static func decodeDeclared(_ bytes: [UInt8], sample: ArraySlice<UInt8>, sampleIsPrefix: Bool, label: String) -> Result {
        // A page that declares one charset and is written in UTF-8.
        if label != "utf-8" {
            let stats = utf8Stats(sample)
            if looksLikeUTF8(stats, sampleIsPrefix: sampleIsPrefix) && preferUTF8(over: label, sample: sample, sampleIsPrefix: sampleIsPrefix, stats: stats) {
                return finish(bytes[...], as: "utf-8", source: "detected")
            }
        }

        let full = finish(bytes[...], as: label, source: "declared")
        guard full.hadErrors else { return full }

        // The declared encoding fails somewhere. A few bad bytes are corruption and stay U+FFFD; a
        // noticeable share means the declaration is probably wrong, so look for a candidate that
        // decodes the sample cleanly, looks like text, and looks more like text than the declared one.
        guard let declaredSample = sampleIsPrefix ? convert(sample, from: label) : convert(bytes[...], from: label) else {
            return full
        }
        // A sequence cut at the very end is a truncated write (or the sample's edge), not a wrong label.
        let errors = declaredSample.errors - (declaredSample.truncatedAtEnd ? 1 : 0)
        guard errors > 0 else { return full }
        let nonASCII = declaredSample.text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x80 ? 1 : 0) }
        guard Double(errors) >= 0.02 * Double(max(1, nonASCII)) else { return full }

        let declaredQuality = profile(for: label).map { quality(of: declaredSample.text, errors: errors, profile: $0) }
        let clean = scoreCandidates(sample, sampleIsPrefix: sampleIsPrefix).filter { $0.errors == 0 && $0.encoding != label }
        if let best = clean.first, best.quality >= detectionThreshold, best.quality > (declaredQuality ?? -.infinity) {
            return finish(bytes[...], as: best.encoding, source: "detected")
        }
        return full
    }

    /// The sample is valid UTF-8: is that a stronger signal than the declared `label`?
    static func preferUTF8(over label: String, sample: ArraySlice<UInt8>, sampleIsPrefix: Bool, stats: UTF8Stats) -> Bool {
        if label == "utf-16le" || label == "utf-16be" {
            // UTF-16 text with markup or Latin text in it has NUL bytes; text without is not UTF-16.
            return !sample.isEmpty && !sample.contains(0)
        }
        guard stats.multibyte > 0 else { return false } // plain ASCII: every ASCII-compatible label agrees
        // A single-byte encoding turns every multi-byte UTF-8 sequence into two to four characters
        // of mojibake ("Ã©", "Ð¿", "â€™"); that the bytes happen to be valid UTF-8 is proof enough.
        if singleByteLegacy.contains(label) { return true }
        // Multi-byte legacy encodings: UTF-8 unless the declared decoding is clean and looks like text.
        guard let conversion = convert(sample, from: label) else { return true }
        let errors = conversion.errors - (sampleIsPrefix && conversion.truncatedAtEnd ? 1 : 0)
        if errors > 0 { return true }
        guard let profile = profile(for: label) else { return false }
        return quality(of: conversion.text, errors: 0, profile: profile) < detectionThreshold
    }

    static func detect(_ bytes: [UInt8], sample: ArraySlice<UInt8>, sampleIsPrefix: Bool) -> Result {
        if looksLikeISO2022JP(sample), isUsable("iso-2022-jp") {
            return finish(bytes[...], as: "iso-2022-jp", source: "detected")
        }
        if let utf16 = utf16WithoutBOM(sample) { return finish(bytes[...], as: utf16, source: "detected") }
        if looksLikeUTF8(utf8Stats(sample), sampleIsPrefix: sampleIsPrefix) {
            return finish(bytes[...], as: "utf-8", source: "detected")
        }
        if let best = scoreCandidates(sample, sampleIsPrefix: sampleIsPrefix).first, best.quality >= detectionThreshold {
            return finish(bytes[...], as: best.encoding, source: "detected")
        }
        return finish(bytes[...], as: "windows-1252", source: "fallback")
    }

    /// Valid UTF-8; or UTF-8 cut inside its last character (a truncated write); or UTF-8 with a little
    /// corruption: legacy text forms few valid multi-byte sequences by accident (GBK text: about one
    /// for every five invalid ones), so 20 valid sequences for every invalid one is UTF-8.
    static func looksLikeUTF8(_ stats: UTF8Stats, sampleIsPrefix: Bool) -> Bool {
        if stats.invalid == 0 { return !stats.truncatedAtEnd || sampleIsPrefix || stats.multibyte > 0 }
        return stats.multibyte >= 8 && stats.invalid * 20 <= stats.multibyte
    }

    /// 7-bit bytes with ISO-2022-JP's escape sequences into JIS X 0208 (ESC $ @, ESC $ B).
    static func looksLikeISO2022JP(_ sample: ArraySlice<UInt8>) -> Bool {
        var sawEscape = false
        var i = sample.startIndex
        while i < sample.endIndex {
            let b = sample[i]
            if b >= 0x80 { return false }
            if b == 0x1B, i + 2 < sample.endIndex, sample[i + 1] == 0x24, sample[i + 2] == 0x40 || sample[i + 2] == 0x42 {
                sawEscape = true
            }
            i += 1
        }
        return sawEscape
    }

    /// UTF-16 without a BOM shows as NUL bytes in every other position (ASCII markup, Latin text).
    static func utf16WithoutBOM(_ sample: ArraySlice<UInt8>) -> String? {
        let head = sample.prefix(4096)
        let pairs = head.count / 2
        guard pairs >= 2 else { return nil }
        var evenZeros = 0, oddZeros = 0
        for (k, b) in head.enumerated() where b == 0 {
            if k % 2 == 0 { evenZeros += 1 } else { oddZeros += 1 }
        }
        let many = Double(pairs) * 0.3, few = Double(pairs) * 0.05
        if Double(oddZeros) >= many && Double(evenZeros) <= few { return "utf-16le" }
        if Double(evenZeros) >= many && Double(oddZeros) <= few { return "utf-16be" }
        return nil
    }
}
