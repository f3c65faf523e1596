/// One visible line of a scrape with the cheap features the parser decides on.
struct ScrapeLine {
    enum Kind: Equatable {
        case text          // candidate body text (paragraph or short line)
        case furniture     // share/follow prompts, ads, copyright, navigation chrome, code residue
        case terminal      // "Related Posts", "Next Article", "Share this story": end of the article body
        case caption       // photo caption or photo credit
        case editorsNote   // "Editor's note: ..."
        case duplicate     // exact repeat of an earlier line
    }

    let text: String
    /// ASCII-lowercased text (curly apostrophes folded to '); for very long lines only head and tail are kept.
    /// Made again from `text` once `releaseLower()` has let it go.
    var lower: String { storedLower ?? Self.lowered(text, scalarCount: scalarCount) }
    /// Every line's lowered copy, held for the whole parse, was a second copy of the document.
    private var storedLower: String?
    let scalarCount: Int
    let wordCount: Int
    /// Rough size in "words" that also works for scripts written without spaces (CJK).
    let units: Int
    let letterCount: Int
    /// Sentence-internal punctuation followed by a space (". ", ", ", "; ", ...), a cheap prose signal.
    let innerPunctuation: Int
    /// `lower` without surrounding punctuation, for lines of at most 40 words ("" otherwise).
    let key: String
    let endsSentence: Bool
    var kind: Kind = .text
    /// Part of a list or a hard-wrapped paragraph (`FlowingLines`): body text although not prose-shaped alone.
    var flowing = false

    static let longLineLimit = 1200

    init(_ text: String) {
        self.text = text
        var scalars = 0
        var words = 0
        var letters = 0
        var cjk = 0
        var inWord = false
        var last: UInt32 = 0x20
        var lastNonClosing: UInt32 = 0x20
        var punct = 0
        // Over the UTF-8 bytes, decoding scalars by hand: String's scalar view costs several
        // times more per character, and every line of every page passes here.
        let alphabetic = ScalarClasses.alphabeticBMP
        text.withBytes { b in
            let n = b.count
            var i = 0
            while i < n {
                let c = b[i]
                var v = UInt32(c)
                if c < 0x80 {
                    i += 1
                } else if c < 0xE0 {
                    v = (v & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F)
                    i += 2
                } else if c < 0xF0 {
                    v = (v & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
                    i += 3
                } else {
                    v = (v & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6 | UInt32(b[i + 3] & 0x3F)
                    i += 4
                }
                scalars += 1
                if v == 32 {
                    inWord = false
                    switch last {
                    case 0x2C, 0x2E, 0x3B, 0x3A, 0x3F, 0x21, 0x201D, 0x22: punct += 1
                    default: break
                    }
                } else {
                    if !inWord { words += 1; inWord = true }
                    if (v >= 65 && v <= 90) || (v >= 97 && v <= 122) {
                        letters += 1
                    } else if v >= 0xC0 {
                        if (v >= 0x3040 && v <= 0x30FF) || (v >= 0x3400 && v <= 0x9FFF) || (v >= 0xAC00 && v <= 0xD7AF) {
                            cjk += 1
                            letters += 1
                        } else if v <= 0xFF {
                            // Latin-1 letters: all of U+00C0–U+00FF but × and ÷.
                            if v != 0xD7 && v != 0xF7 { letters += 1 }
                        } else if v >= 0x2000 && v <= 0x206F {
                            // General punctuation (curly quotes, dashes, ellipsis): never letters.
                        } else if ScalarClasses.isAlphabetic(v, in: alphabetic) {
                            letters += 1
                        }
                    }
                }
                if v == 0x3001 || v == 0x3002 || v == 0xFF0C { punct += 1 }
                last = v
                switch v {
                case 0x22, 0x27, 0x29, 0x5D, 0x201D, 0x2019, 0xBB, 0x300D, 0x300F, 0xFF09: break
                default: lastNonClosing = v
                }
            }
        }
        innerPunctuation = punct
        scalarCount = scalars
        wordCount = words
        letterCount = letters
        units = max(words, cjk / 2 + words)
        switch lastNonClosing {
        case 0x2E, 0x21, 0x3F, 0x2026, 0x3002, 0xFF01, 0xFF1F, 0x3A: endsSentence = true
        default: endsSentence = false
        }
        let lower = Self.lowered(text, scalarCount: scalars)
        storedLower = lower
        key = words <= 40 ? ScrapeText.trim(lower, LineClassifier.keyTrimSet) : ""
    }

    private static func lowered(_ text: String, scalarCount: Int) -> String {
        if scalarCount <= ScrapeLine.longLineLimit { return ScrapeText.asciiLower(text) }
        return ScrapeText.asciiLower(text.prefix(400)) + " … " + ScrapeText.asciiLower(text.suffix(300))
    }

    /// Lets the lowered copy go once the line is classified: past that, the parser reads it
    /// for a few lines only (header, captions, the ends of the body). Kept for lines of date and
    /// byline size, which the header rules read again and again, and which are small.
    mutating func releaseLower() {
        if units > 14 { storedLower = nil }
    }

    /// The start of `lower`, at least its first 64 characters, without lowering a released line
    /// whole: enough for prefix rules, whose phrases are all shorter.
    var lowerHead: String { storedLower ?? ScrapeText.asciiLower(text.prefix(64)) }

    /// Sentence-like enough to be a body paragraph.
    var isProse: Bool {
        (endsSentence && units >= 6) || (units >= 25 && innerPunctuation * 30 >= units)
    }

    var isShort: Bool { units <= 12 }
}
