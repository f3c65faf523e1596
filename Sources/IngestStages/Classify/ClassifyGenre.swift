import Foundation

/// Page-level hints about a document's genre, as extracted by earlier stages.
public struct GenreSignals: Sendable {
    public var breadcrumbsOrSection: [String]   // e.g. ["HongKong", "Opinion", "Content"]
    public var editorsNote: String?
    public var authorInfo: String?
    public var title: String?
    public init(breadcrumbsOrSection: [String] = [], editorsNote: String? = nil, authorInfo: String? = nil, title: String? = nil) {
        self.breadcrumbsOrSection = breadcrumbsOrSection
        self.editorsNote = editorsNote
        self.authorInfo = authorInfo
        self.title = title
    }
}

/// Genre of a news document: "opinion", "news", "analysis", "interview", "review" — or nil.
///
/// Explicit signals are checked first, most specific first; the first that speaks wins:
/// 1. Title labels: a prefix such as "Opinion:", "Op-Ed |", "Analysis:", "Interview:", "Q&A", "Review:",
///    a trailing section segment ("… | Editorial | Opinion | Site"), or "The <outlet> view on …".
/// 2. Breadcrumb/section words (Opinion, Op-Ed, Commentary, Comment, Editorial, Column, Viewpoint,
///    Analysis, Interview, Q&A, Review; "News" only when nothing more specific is present).
/// 3. The editor's note (interview wording first, then "reflects the author's opinion",
///    "views … not necessarily …", "the author is …").
/// 4. The author note ("The author is …", "… is a columnist", "… is a senior fellow …").
/// 5. The same disclaimers, a breadcrumb line ("HongKong> Opinion> Content") or Q:/A: transcript
///    lines found in the head or tail of the text itself.
///
/// Then style, on at least 120 words: rates per 1 000 words of first-person plural and singular pronouns
/// and should/must/ought *outside quotations* (opinion) versus reporting verbs (said, told, according to…),
/// quoted passages and a wire dateline such as "HANOI, Feb 28 (Reuters) -" (news). A genre is returned only
/// when its rate clears a floor and beats the other by a wide margin; otherwise nil.
public enum GenreDetector {
    public static func detect(text: String, signals: GenreSignals) -> String? {
        if let t = signals.title, let g = genreFromTitle(t) { return g }
        if let g = genreFromSections(signals.breadcrumbsOrSection) { return g }
        if let n = signals.editorsNote, let g = genreFromNote(n) { return g }
        if let a = signals.authorInfo, let g = genreFromAuthor(a) { return g }
        if isPressRelease(text) { return "press_release" }
        if let g = genreFromEmbeddedSignals(text) { return g }
        return genreFromStyle(text)
    }

    // MARK: - Explicit signals

    /// Section words → genre. Multi-token labels are matched as token sequences.
    static let sectionLabels: [([String], String)] = [
        (["opinion"], "opinion"), (["opinions"], "opinion"), (["op", "ed"], "opinion"), (["oped"], "opinion"),
        (["op", "eds"], "opinion"), (["commentary"], "opinion"), (["commentaries"], "opinion"),
        (["comment"], "opinion"), (["editorial"], "opinion"), (["editorials"], "opinion"),
        (["column"], "opinion"), (["columns"], "opinion"), (["columnist"], "opinion"), (["columnists"], "opinion"),
        (["viewpoint"], "opinion"), (["viewpoints"], "opinion"), (["letters", "to", "the", "editor"], "opinion"),
        (["guest", "essay"], "opinion"),
        (["analysis"], "analysis"), (["news", "analysis"], "analysis"),
        (["interview"], "interview"), (["interviews"], "interview"), (["q", "a"], "interview"), (["qa"], "interview"),
        (["review"], "review"), (["reviews"], "review"),
        (["press", "release"], "press_release"), (["press", "releases"], "press_release"),
        (["news", "release"], "press_release"), (["media", "release"], "press_release"),
    ]

    /// The furniture of a press release, as distributed by companies and wire services.
    static let pressReleaseMarks = PatternSet([
        "for immediate release", "media contact", "press contact", "media inquiries", "media enquiries", "investor contact",
        "investor relations contact", "forward-looking statements", "prnewswire", "pr newswire", "business wire",
        "globe newswire", "globenewswire", "accesswire", "newsfile corp", "###", "-ends-", "- ends -", "source:",
    ])

    /// At least two press-release marks, or "For immediate release" at the top, or an "About
    /// COMPANY" boilerplate paragraph with a contact line.
    static func isPressRelease(_ text: String) -> Bool {
        text.utf8.count >= windowedFrom ? isPressReleaseWindowed(text, window: 65_536) : isPressReleaseWhole(text)
    }

    static func isPressReleaseWhole(_ text: String) -> Bool {
        let lower = ScrapeText.asciiLower(text)
        var found = Set<Int>()
        var rest = lower[...]
        while found.count < 2, let (k, off) = pressReleaseMarks.firstOccurrence(in: rest) {
            found.insert(k)
            rest = rest.dropFirst(off + pressReleaseMarks.length(k))
        }
        if found.count >= 2 { return true }
        if lower.prefix(300).contains("for immediate release") { return true }
        return false
    }

    /// From this size on, the text is lower-cased a window at a time instead of copied whole: a
    /// 250 MB scrape's copy was the largest allocation of the whole pipeline.
    static let windowedFrom = 8 << 20
    private static let longestMark = 32

    /// `isPressRelease` without a lower-cased copy of the whole text, with the same result. The
    /// whole-text scan resumes after a match by skipping as many Characters as the match's byte
    /// offset and length add up to, counted from where that search began; so each search here
    /// keeps its start and only its window moves, counting the lower-cased bytes it passes.
    /// (Lower-casing maps each Character to one Character, so counts agree between the two forms.)
    static func isPressReleaseWindowed(_ text: String, window: Int) -> Bool {
        precondition(window > longestMark)
        var found = Set<Int>()
        var rest = text[...]
        search: while found.count < 2 {
            var from = rest.startIndex
            var bytesBefore = 0
            while true {
                let part = rest[from...].prefix(window)
                let atEnd = part.endIndex == rest.endIndex
                let lower = ScrapeText.asciiLower(part)
                if let (k, off) = pressReleaseMarks.firstOccurrence(in: lower) {
                    // A match starting in the last `longestMark` Characters of a window may run
                    // past it (or a leftmost one may start just after it): take it only when not.
                    let start = lower.utf8.index(lower.startIndex, offsetBy: off)
                    if atEnd || lower.distance(from: lower.startIndex, to: start) < window - longestMark {
                        found.insert(k)
                        rest = rest.dropFirst(bytesBefore + off + pressReleaseMarks.length(k))
                        continue search
                    }
                }
                if atEnd { break search }
                let step = lower.index(lower.startIndex, offsetBy: window - longestMark)
                bytesBefore += lower.utf8.distance(from: lower.startIndex, to: step)
                from = part.index(part.startIndex, offsetBy: window - longestMark)
            }
        }
        if found.count >= 2 { return true }
        return ScrapeText.asciiLower(text.prefix(300)).contains("for immediate release")
    }

    /// Genre named by a short label ("Opinion", "Op-Ed", "Q&A", "News Analysis"), nil otherwise.
    /// The label must consist of the genre words only (plus at most one extra token such as "Content").
    static func labelGenre(_ label: String, allowExtra: Int = 0) -> String? {
        let toks = Tokenizer.words(label)
        guard !toks.isEmpty else { return nil }
        var best: (len: Int, genre: String)? = nil
        for (words, genre) in sectionLabels where words.count <= toks.count {
            if contains(toks, words), toks.count - words.count <= allowExtra, words.count > (best?.len ?? 0) {
                best = (words.count, genre)
            }
        }
        return best?.genre
    }

    static func contains(_ hay: [String], _ needle: [String]) -> Bool {
        guard needle.count <= hay.count else { return false }
        var i = 0
        while i + needle.count <= hay.count {
            if Array(hay[i..<(i + needle.count)]) == needle { return true }
            i += 1
        }
        return false
    }

    static func genreFromSections(_ crumbs: [String]) -> String? {
        var found: [String] = []
        var sawNews = false
        for c in crumbs {
            // A crumb may itself be "HongKong > Opinion > Content".
            for part in c.split(whereSeparator: { ">›»/|".contains($0) }) {
                if let g = labelGenre(String(part), allowExtra: 0) { found.append(g) }
                let toks = Tokenizer.words(String(part))
                if toks == ["news"] || (toks.count == 2 && toks.contains("news")) { sawNews = true }
            }
        }
        // More specific genres win over "opinion" (an interview published in the Opinion section).
        for g in ["press_release", "interview", "analysis", "review", "opinion"] where found.contains(g) { return g }
        return sawNews ? "news" : nil
    }

    static func normalizeQuotes(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u.value {
            case 0x2018, 0x2019, 0x2032, 0x02BC: out.append("'")
            case 0x201C, 0x201D, 0x00AB, 0x00BB: out.append("\"")
            case 0x00A0: out.append(" ")
            default: out.append(u)
            }
        }
        return String(out).lowercased()
    }

    static func genreFromTitle(_ rawTitle: String) -> String? {
        let title = rawTitle.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { return nil }
        let lower = normalizeQuotes(title)
        // Prefix label before ':' '|' '-' '–' '—'.
        if let sep = lower.firstIndex(where: { ":|–—".contains($0) }) ?? lower.range(of: " - ")?.lowerBound {
            let head = String(lower[..<sep])
            if head.count <= 30, let g = labelGenre(head, allowExtra: 1) { return g }
        }
        // "Q&A with …" / "Q&A: …" without a separator right after.
        if lower.hasPrefix("q&a ") || lower.hasPrefix("q & a ") { return "interview" }
        // Trailing section segments: "Headline | Editorial | Opinion | The Guardian".
        let segments = lower.components(separatedBy: " | ").flatMap { $0.components(separatedBy: " - ") }
        if segments.count > 1 {
            var found: [String] = []
            for seg in segments.dropFirst() {
                if let g = labelGenre(seg, allowExtra: 0) { found.append(g) }
            }
            for g in ["press_release", "interview", "analysis", "review", "opinion"] where found.contains(g) { return g }
        }
        // Newspaper editorials: "The Guardian view on …", "The Times view on …".
        if lower.hasPrefix("the "), let r = lower.range(of: " view on "),
           lower.distance(from: lower.startIndex, to: r.lowerBound) <= 30 {
            return "opinion"
        }
        return nil
    }

    /// A set of token-sequence phrases (tokenized with `Tokenizer.words`, so apostrophes and hyphens
    /// split: "editor's note" → editor s note, "op-ed" → op ed), indexed by first token.
    struct PhraseSet: Sendable {
        let byFirst: [String: [[String]]]
        init(_ phrases: [String]) {
            var d: [String: [[String]]] = [:]
            for p in phrases {
                let t = Tokenizer.words(p)
                if let f = t.first { d[f, default: []].append(Array(t.dropFirst())) }
            }
            byFirst = d
        }
        /// Index just past the first occurrence of any phrase in `toks[from...]`, or nil.
        func firstMatchEnd(in toks: [String], from: Int = 0) -> Int? {
            var i = from
            while i < toks.count {
                if let rests = byFirst[toks[i]] {
                    for rest in rests where i + rest.count < toks.count {
                        var ok = true
                        for (k, r) in rest.enumerated() where toks[i + 1 + k] != r { ok = false; break }
                        if ok { return i + 1 + rest.count }
                    }
                }
                i += 1
            }
            return nil
        }
        func matches(_ toks: [String]) -> Bool { firstMatchEnd(in: toks) != nil }
    }

    static let interviewNotePhrases = PhraseSet([
        "interview", "interviewed", "spoke with", "spoke to", "talked to", "talked with", "in conversation with",
        "edited excerpts", "excerpts follow", "excerpts from the conversation", "q&a",
    ])
    static let opinionNotePhrases = PhraseSet([
        "author's opinion", "author's own", "authors' own", "author's views", "author's personal",
        "writer's opinion", "writer's own", "writer's views", "opinions expressed", "views expressed",
        "not necessarily", "opinion piece", "op-ed", "commentary", "the author is", "the writer is",
        "the authors are", "guest column", "personal views", "personal opinion",
    ])

    static func genreFromNote(_ note: String) -> String? {
        genreFromNoteTokens(Tokenizer.words(note))
    }

    static func genreFromNoteTokens(_ toks: [String]) -> String? {
        if interviewNotePhrases.matches(toks) { return "interview" }
        if opinionNotePhrases.matches(toks) { return "opinion" }
        return nil
    }

    static let authorOpinionPhrases = PhraseSet([
        "the author is", "the writer is", "the authors are", "the writers are", "is a columnist",
        "columnist", "contributing writer", "contributing op-ed", "guest writer", "opinion writer",
        "senior fellow", "research fellow", "is a professor", "is an associate professor",
        "is an assistant professor", "is a researcher", "is a former", "is a commentator",
        "views are his own", "views are her own", "views are their own", "views expressed", "not necessarily",
    ])

    static func genreFromAuthor(_ info: String) -> String? {
        authorOpinionPhrases.matches(Tokenizer.words(info)) ? "opinion" : nil
    }

    static let editorsNoteMarker = PhraseSet(["editor's note", "editors' note", "editor note"])
    static let embeddedOpinionPhrases = PhraseSet([
        "the author is a", "the author is an", "the author is the", "the writer is a",
        "the writer is an", "the authors are", "views expressed in this", "views expressed here",
        "views expressed are", "opinions expressed in this", "opinions expressed here",
        "opinions expressed are", "do not necessarily reflect", "does not necessarily reflect",
        "don't necessarily represent", "do not necessarily represent", "not necessarily the views",
        "not necessarily those of", "this is an opinion piece", "this article is an opinion",
    ])

    /// Disclaimers, author notes, breadcrumb lines and Q/A transcripts inside the body text.
    static func genreFromEmbeddedSignals(_ text: String) -> String? {
        // Q:/A: transcript (byte-level scan of line starts).
        var q = 0, a = 0
        var atLineStart = true
        var iter = text.utf8.makeIterator()
        var pending: UInt8? = nil
        while let b = pending ?? iter.next() {
            pending = nil
            if b == 10 || b == 13 { atLineStart = true; continue }
            if atLineStart {
                if b == 32 || b == 9 { continue }
                atLineStart = false
                if b == UInt8(ascii: "Q") || b == UInt8(ascii: "A") {
                    if let n = iter.next() {
                        if n == UInt8(ascii: ":") || (b == UInt8(ascii: "Q") && n == UInt8(ascii: ".")) {
                            if b == UInt8(ascii: "Q") { q += 1 } else { a += 1 }
                        } else {
                            pending = n
                        }
                    }
                }
            }
        }
        if q >= 2 && a >= 2 { return "interview" }

        let headUTF8 = text.utf8.prefix(1500)
        let head = String(decoding: headUTF8, as: UTF8.self)
        // Breadcrumb line near the top: short, with ≥ 1 separator, e.g. "HongKong> Opinion> Content".
        for line in head.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).prefix(15)
        where line.utf8.count <= 100 {
            let parts = line.split(whereSeparator: { ">›»".contains($0) })
            if parts.count >= 2 && parts.count <= 6 {
                if let g = genreFromSections(parts.map(String.init)), g != "news" { return g }
            }
        }

        // Editor's notes and author notes in the first and last stretch of the text.
        var chunks = [Tokenizer.words(head)]
        if text.utf8.count > 1500 {
            chunks.append(Tokenizer.words(String(decoding: text.utf8.suffix(1200), as: UTF8.self)))
        }
        for toks in chunks {
            if let end = editorsNoteMarker.firstMatchEnd(in: toks) {
                let note = Array(toks[end..<min(toks.count, end + 90)])
                if let g = genreFromNoteTokens(note) { return g }
            }
            if embeddedOpinionPhrases.matches(toks) { return "opinion" }
        }
        return nil
    }

    // MARK: - Style

    struct StyleStats {
        var words = 0
        var firstPlural = 0      // we us our ours ourselves, outside quotes
        var firstSingular = 0    // i me my, outside quotes
        var modals = 0           // should must ought, outside quotes
        var reporting = 0        // said says told according-to …
        var quotes = 0           // quoted passages of ≥ 3 words
        var quoteMarks = 0       // any quotation mark seen
        var dateline = false
    }

    static let styleWords: [String: UInt8] = {
        var d: [String: UInt8] = [:]
        for w in ["we", "us", "our", "ours", "ourselves"] { d[w, default: 0] |= 1 }
        for w in ["i", "me", "my", "mine", "myself"] { d[w, default: 0] |= 2 }
        for w in ["should", "shouldn", "must", "mustn", "ought"] { d[w, default: 0] |= 4 }
        for w in ["said", "says", "saying", "told", "reported", "announced", "stated", "added", "confirmed",
                  "insisted", "admitted", "explained", "spokesman", "spokeswoman", "spokesperson", "statement",
                  "quoted"] {
            d[w, default: 0] |= 8
        }
        d["according", default: 0] |= 16
        d["to", default: 0] |= 32
        return d
    }()

    static func styleStats(_ text: String) -> StyleStats {
        var st = StyleStats()
        st.dateline = hasDateline(text)
        var inQuote = false
        var quoteWords = 0
        var word = String.UnicodeScalarView()
        // Capitals in the word as written: "US" is the United States, not "us" (in a report on
        // US diplomacy it was most of the "first-person plural" that made it read as opinion).
        var capitals = 0
        var prevAccording = false
        func endWord() {
            guard !word.isEmpty else { return }
            let flags = styleWords[String(word)] ?? 0
            let acronym = capitals == 2 && flags & 1 != 0 && String(word) == "us"  // "US"
            word = String.UnicodeScalarView()
            capitals = 0
            st.words += 1
            if inQuote {
                quoteWords += 1
            } else {
                if flags & 1 != 0, !acronym { st.firstPlural += 1 }
                if flags & 2 != 0 { st.firstSingular += 1 }
                if flags & 4 != 0 { st.modals += 1 }
            }
            if flags & 8 != 0 || (prevAccording && flags & 32 != 0) { st.reporting += 1 }
            prevAccording = flags & 16 != 0
        }
        func toggleQuote(open: Bool?) {
            endWord()
            st.quoteMarks += 1
            let nowOpen = open ?? !inQuote
            if inQuote && !nowOpen && quoteWords >= 3 && quoteWords <= 150 { st.quotes += 1 }
            if nowOpen && !inQuote { quoteWords = 0 }
            inQuote = nowOpen
        }
        var prevScalar: Unicode.Scalar = " "
        for u in text.unicodeScalars {
            defer { prevScalar = u }
            let v = u.value
            if v < 0x80 {
                if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) {
                    word.append(u); continue
                }
                if v >= 0x41 && v <= 0x5A { word.append(Unicode.Scalar(v + 32)!); capitals += 1; continue }
                switch v {
                case 0x22:
                    // A straight quote opens only after whitespace or an opening bracket (not after '='
                    // as in markup attributes) and closes only when one is open.
                    if inQuote {
                        toggleQuote(open: false)
                    } else if prevScalar.properties.isWhitespace || prevScalar == "(" || prevScalar == "[" {
                        toggleQuote(open: true)
                    } else {
                        endWord()
                    }
                case 0x0A, 0x0D:
                    endWord()
                    if inQuote && quoteWords > 150 { inQuote = false } // unbalanced quote: reset at paragraph end
                default:
                    endWord()
                }
                continue
            }
            switch v {
            case 0x201C, 0x00AB: toggleQuote(open: true)
            case 0x201D, 0x00BB: toggleQuote(open: false)
            default:
                if u.properties.isAlphabetic || u.properties.numericType != nil {
                    word.append(u)
                } else {
                    endWord()
                }
            }
        }
        endWord()
        return st
    }

    /// "HANOI, Feb 28 (Reuters) -", "WASHINGTON (AP) —", "BEIJING, March 3 —" at the start of a line
    /// in the first 800 characters, or "(Reuters) -" / "(AP) —" style credits anywhere in that stretch.
    static let wireAgencies: Set<String> = [
        "reuters", "ap", "afp", "xinhua", "bloomberg", "cnn", "upi", "dpa", "pti", "ians", "yonhap", "kyodo",
        "efe", "ansa", "tass", "ria", "apa", "bernama", "anadolu",
    ]

    static func hasDateline(_ text: String) -> Bool {
        let head = String(decoding: text.utf8.prefix(800), as: UTF8.self)
        let scalars = Array(head.unicodeScalars)
        func isDash(_ u: Unicode.Scalar) -> Bool { u == "-" || u == "\u{2013}" || u == "\u{2014}" }
        // "(Reuters) -", "(AP) —", "(CNN)" credits.
        var i = 0
        while i < scalars.count {
            if scalars[i] == "(" {
                var j = i + 1
                var name = String.UnicodeScalarView()
                while j < scalars.count, j - i <= 12, scalars[j] != ")" { name.append(scalars[j]); j += 1 }
                if j < scalars.count, scalars[j] == ")", wireAgencies.contains(String(name).lowercased()) {
                    var k = j + 1
                    while k < scalars.count, scalars[k] == " " { k += 1 }
                    if k < scalars.count, isDash(scalars[k]) { return true }
                    if String(name) == "CNN" { return true }
                }
            }
            i += 1
        }
        // "HANOI, Feb 28 -" / "BEIJING —" at the start of a line: ≥ 4 capitals, no lower-case letters,
        // then ',', '(' or a dash, with a dash within the next 40 characters.
        var lineStart = 0
        var lines = 0
        while lineStart < scalars.count, lines < 12 {
            var end = lineStart
            while end < scalars.count, scalars[end] != "\n", scalars[end] != "\r" { end += 1 }
            var k = lineStart
            var upper = 0
            while k < end, k - lineStart < 40 {
                let u = scalars[k]
                if u.properties.isUppercase { upper += 1 } else if !(u == " " || u == "." || u == "'") { break }
                k += 1
            }
            if upper >= 4, k < end, scalars[k] == "," || scalars[k] == "(" || isDash(scalars[k]) {
                var m = k
                while m < end, m - k <= 40 {
                    if isDash(scalars[m]) && (m + 1 >= end || scalars[m + 1] == " ") { return true }
                    m += 1
                }
            }
            lineStart = end + 1
            lines += 1
        }
        return false
    }

    static func genreFromStyle(_ text: String) -> String? {
        let st = styleStats(text)
        guard st.words >= 120 else {
            return st.dateline && st.words >= 30 ? "news" : nil
        }
        let per = 1000 / Double(st.words)
        let opinion = (Double(st.firstPlural) + 1.5 * Double(st.modals) + 0.25 * Double(st.firstSingular)) * per
        var news = (Double(st.reporting) + 0.5 * Double(st.quotes)) * per
        if st.dateline { news += 10 }
        // Without any quotation marks, pronouns in reported speech cannot be told apart from the
        // author's own voice; when the text also reports speech, the opinion evidence is unreliable.
        let unmarkedSpeech = st.quoteMarks == 0 && st.reporting >= 2
        if opinion >= 15 && opinion >= 2 * news && st.modals >= 1 && st.firstPlural + st.modals >= 6
            && !unmarkedSpeech {
            return "opinion"
        }
        if news >= 8 && (st.reporting >= 3 || st.dateline) && news >= 2.5 * opinion { return "news" }
        return nil
    }
}
