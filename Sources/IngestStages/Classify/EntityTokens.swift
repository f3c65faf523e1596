/// Words of a text for entity matching: the same splitting as `Tokenizer` (runs of letters and
/// digits; hyphens and apostrophes split), but each token keeps its place in the text, its case,
/// and what separates it from the token before — a name runs over spaces and hyphens, not over
/// commas or full stops.
struct EntityTokens {
    enum Gap: Equatable {
        /// Nothing before: the text's first token.
        case start
        /// One or more spaces (no line break), or a hyphen: the same name may go on.
        case space
        /// An apostrophe ("People's"): only an `s` continues the name.
        case apostrophe
        /// Punctuation inside a sentence (comma, quote, bracket, dash) or a line break.
        case other
        /// The end of a sentence (. ! ? : ;) or of a paragraph.
        case sentence
    }

    struct Token {
        /// Scalar offsets of the token in the text.
        var start: Int
        var end: Int
        var lower: String
        /// Begins with an upper-case letter.
        var capitalized: Bool
        /// Two or more letters, all upper case ("DPRK", "UN").
        var acronym: Bool
        var gap: Gap
        var startsSentence: Bool { gap == .start || gap == .sentence }
    }

    let scalars: [Unicode.Scalar]
    private(set) var tokens: [Token] = []

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        var i = 0
        var gap = Gap.start
        var sawSentenceEnd = false, sawOther = false, sawApostrophe = false, sawNewlines = 0
        while i < scalars.count {
            let v = scalars[i].value
            let cls = Self.tokenClass(v)
            guard cls == .word || cls == .upperWord else {
                switch v {
                case 0x20, 0x09, 0xA0, 0x2D, 0x2010, 0x2011: break  // spaces and hyphens
                case 0x0A, 0x0D: sawNewlines += 1
                case 0x2E where Self.abbreviationDot(before: tokens.last, at: i):
                    break  // "U.S.", "N. Korea", "Mr. Kim": the name goes on
                case 0x2E, 0x21, 0x3F, 0x3A, 0x3B, 0x3002, 0xFF01, 0xFF1F: sawSentenceEnd = true
                case 0x27, 0x2019: sawApostrophe = true
                default: sawOther = true
                }
                i += 1
                continue
            }
            let start = i
            var letters = 0, upper = 0
            while i < scalars.count {
                let w = scalars[i].value
                let c = Self.tokenClass(w)
                if c == .word || c == .upperWord || (c == .mark && i > start) {
                    if c == .upperWord { upper += 1 }
                    // Letters: the token's scalars but digits and marks (no property look-up).
                    if c != .mark, !(w >= 0x30 && w <= 0x39) { letters += 1 }
                    i += 1
                } else {
                    break
                }
            }
            if !tokens.isEmpty {
                if sawSentenceEnd || sawNewlines >= 2 { gap = .sentence }
                else if sawOther || sawNewlines == 1 { gap = .other }
                else if sawApostrophe { gap = .apostrophe }
                else { gap = .space }
            }
            tokens.append(Token(start: start, end: i, lower: Self.lowered(scalars[start..<i], hasUpper: upper > 0),
                                capitalized: Self.isUpper(scalars[start]),
                                acronym: letters >= 2 && upper == letters, gap: gap))
            sawSentenceEnd = false; sawOther = false; sawApostrophe = false; sawNewlines = 0
        }
    }

    /// The tokenizer's class of a scalar, ASCII answered inline.
    @inline(__always)
    static func tokenClass(_ v: UInt32) -> ScalarClasses.TokenClass {
        guard v < 0x80 else { return ScalarClasses.tokenClass(v) }
        if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) { return .word }
        return v >= 0x41 && v <= 0x5A ? .upperWord : .separator
    }

    static func lowered(_ word: ArraySlice<Unicode.Scalar>, hasUpper: Bool) -> String {
        var view = String.UnicodeScalarView()
        if word.allSatisfy({ $0.value < 0x80 }) {
            for u in word { view.append(u.value >= 0x41 && u.value <= 0x5A ? Unicode.Scalar(u.value | 0x20)! : u) }
            return String(view)
        }
        view.append(contentsOf: word)
        return hasUpper ? String(view).lowercased() : String(view)
    }

    @inline(__always)
    static func isUpper(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x80 ? (u.value >= 0x41 && u.value <= 0x5A) : ScalarClasses.tokenClass(u.value) == .upperWord
    }

    /// Words a full stop abbreviates rather than ends a sentence after.
    static let abbreviations: Set<String> = ["mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "lt", "col", "sgt", "gov",
                                            "sen", "rep", "vs", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
                                            "sept", "oct", "nov", "dec"]

    /// A full stop right after a single letter ("U.S.", "N. Korea") or a known abbreviation.
    static func abbreviationDot(before token: Token?, at i: Int) -> Bool {
        guard let token, token.end == i else { return false }
        return token.end - token.start == 1 || abbreviations.contains(token.lower)
    }

    /// The text from the start of token `first` to the end of token `last`.
    func text(_ first: Int, _ last: Int) -> String {
        String(String.UnicodeScalarView(scalars[tokens[first].start..<tokens[last].end]))
    }
}
