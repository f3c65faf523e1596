/// Splits running text into sentences of tokens the way the tagger's training data is split
/// (CoNLL-2003, Penn Treebank style): punctuation apart from words ("Kenya," → "Kenya" ","),
/// the possessive `'s` and `n't` apart, but abbreviations ("U.S.", "Mr.", "J."), hyphenated
/// words ("Jong-un", "1996-08-30") and numbers ("3,500") whole. A line break or a full stop,
/// question or exclamation mark ends a sentence. Tokens keep their scalar offsets, so a name
/// is reported as the text wrote it.
struct TaggerTokenizer {
    /// Scalar offsets of a token in the text (no copy of the word: most are never needed).
    struct Token: Equatable {
        var start: Int
        var end: Int

        func word(in scalars: [Unicode.Scalar]) -> String {
            String(String.UnicodeScalarView(scalars[start..<end]))
        }
    }

    /// Words a full stop belongs to rather than ends a sentence after.
    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "lt", "col", "sgt", "gov", "sen", "rep", "vs", "no",
        "inc", "corp", "co", "ltd", "bros", "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
        "oct", "nov", "dec", "adm", "capt", "cmdr", "maj", "pres", "rev", "hon", "messrs", "est", "approx", "etc",
    ]

    static func sentences(_ text: String) -> (scalars: [Unicode.Scalar], sentences: [[Token]]) {
        let scalars = Array(text.unicodeScalars)
        return (scalars, sentences(scalars))
    }

    static func sentences(_ scalars: [Unicode.Scalar]) -> [[Token]] {
        var sentences: [[Token]] = []
        var current: [Token] = []
        func emit(_ a: Int, _ b: Int) {
            current.append(Token(start: a, end: b))
        }
        func endSentence() {
            if !current.isEmpty { sentences.append(current); current = [] }
        }
        var i = 0
        while i < scalars.count {
            let v = scalars[i].value
            if v == 0x0A || v == 0x0D || v == 0x2029 { endSentence(); i += 1; continue }
            if isSpace(v) { i += 1; continue }
            var end = i
            while end < scalars.count, !isSpace(scalars[end].value), !isLineBreak(scalars[end].value) { end += 1 }
            let before = current.count
            split(chunk: i, end, scalars, emit)
            // A sentence ends after a bare . ! ? token (abbreviations keep their stop).
            if current.count > before, let last = current.last, last.end - last.start == 1,
               scalars[last.start].value == 0x2E || scalars[last.start].value == 0x21 || scalars[last.start].value == 0x3F {
                endSentence()
            }
            i = end
        }
        endSentence()
        return sentences
    }

    @inline(__always) static func isSpace(_ v: UInt32) -> Bool {
        v == 0x20 || v == 0x09 || v == 0xA0 || v == 0x3000 || (v >= 0x2000 && v <= 0x200B)
    }

    @inline(__always) static func isLineBreak(_ v: UInt32) -> Bool { v == 0x0A || v == 0x0D || v == 0x2029 }

    /// Opening punctuation peeled off the front of a chunk, one scalar a token.
    @inline(__always) static func isOpening(_ v: UInt32) -> Bool {
        switch v {
        case 0x22, 0x27, 0x28, 0x5B, 0x7B, 0x201C, 0x2018, 0xAB, 0x60, 0x2014, 0x2013: true
        default: false
        }
    }

    /// Closing punctuation peeled off the end of a chunk (a full stop is decided apart).
    @inline(__always) static func isClosing(_ v: UInt32) -> Bool {
        switch v {
        case 0x2C, 0x3B, 0x3A, 0x21, 0x3F, 0x29, 0x5D, 0x7D, 0x22, 0x201D, 0xBB, 0x2014, 0x2013: true
        default: false
        }
    }

    /// One whitespace-separated chunk into tokens.
    private static func split(chunk a: Int, _ b: Int, _ s: [Unicode.Scalar], _ emit: (Int, Int) -> Void) {
        var a = a, b = b
        while a < b, isOpening(s[a].value) { emit(a, a + 1); a += 1 }
        var tail: [(Int, Int)] = []
        while b > a {
            let v = s[b - 1].value
            if isClosing(v) { tail.append((b - 1, b)); b -= 1; continue }
            if v == 0x27 || v == 0x2019 {
                // "players'" keeps its apostrophe as a token; a closing quote likewise.
                tail.append((b - 1, b)); b -= 1; continue
            }
            if v == 0x2E {
                if b - a >= 3, s[b - 2].value == 0x2E, s[b - 3].value == 0x2E {  // "..."
                    var k = b - 3
                    while k > a, s[k - 1].value == 0x2E { k -= 1 }
                    tail.append((k, b)); b = k; continue
                }
                if keepsStop(a, b, s) { break }
                tail.append((b - 1, b)); b -= 1; continue
            }
            break
        }
        if a < b {
            // Dashes inside a chunk ("word—word") stand apart.
            var start = a
            var k = a
            while k < b {
                let v = s[k].value
                if v == 0x2014 || v == 0x2013 {
                    if k > start { core(start, k, s, emit) }
                    emit(k, k + 1)
                    start = k + 1
                }
                k += 1
            }
            if start < b { core(start, b, s, emit) }
        }
        for t in tail.reversed() { emit(t.0, t.1) }
    }

    /// A word, with a possessive `'s` or a `n't` split off.
    private static func core(_ a: Int, _ b: Int, _ s: [Unicode.Scalar], _ emit: (Int, Int) -> Void) {
        func lower(_ k: Int) -> UInt32 { s[k].value | 0x20 }
        if b - a >= 3, s[b - 2].value == 0x27 || s[b - 2].value == 0x2019, lower(b - 1) == 0x73 {
            emit(a, b - 2); emit(b - 2, b); return
        }
        if b - a >= 4, lower(b - 3) == 0x6E, s[b - 2].value == 0x27 || s[b - 2].value == 0x2019, lower(b - 1) == 0x74 {
            emit(a, b - 3); emit(b - 3, b); return
        }
        emit(a, b)
    }

    /// Whether the full stop ending `s[a..<b]` belongs to the word: "U.S.", "J.", "Mr.", "Inc.".
    private static func keepsStop(_ a: Int, _ b: Int, _ s: [Unicode.Scalar]) -> Bool {
        let body = s[a..<(b - 1)]
        guard !body.isEmpty else { return false }
        if body.count == 1, ScalarClasses.isAlphabetic(body.first!.value) { return true }
        if body.contains(where: { $0.value == 0x2E }) { return true }
        var lower = ""
        for u in body {
            guard u.value < 0x80 else { return false }
            lower.unicodeScalars.append(Unicode.Scalar(u.value >= 0x41 && u.value <= 0x5A ? u.value | 0x20 : u.value)!)
        }
        return abbreviations.contains(lower)
    }
}
