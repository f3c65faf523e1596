
/// Parses a plain-text news scrape (one visible block per line, page furniture included) into an article.
///
/// Outline:
/// 1. Split into normalised non-empty lines (CRLF/CR, no-break spaces, mojibake repaired).
/// 2. Classify each line: text, furniture, terminal marker, caption, editor's note, duplicate.
/// 3. Find the article body as the densest run of prose (maximum-sum run of per-line scores: prose lines
///    score by length, short chrome lines cost a little, furniture costs more), then cut it at a terminal
///    marker unless real prose continues right after the marker.
/// 4. Read title, site, bylines and the publication date from the header zone before the body.
/// 5. Pull editor's notes, captions and a trailing author paragraph out of the body.
public enum PlainTextScrapeParser {
    public static func parse(_ text: String) -> ScrapedArticle {
        parse(lines: ScrapeText.lines(of: text))
    }

    /// Parses lines from `ScrapeText.lines`.
    static func parse(lines raw: [String]) -> ScrapedArticle {
        var article = ScrapedArticle()
        if raw.isEmpty { return article }
        // Classify, marking exact repeats. Each line is classified as it is made and its lowered
        // copy let go right after, so a large document is never held lowered as a whole.
        var lines: [ScrapeLine] = []
        lines.reserveCapacity(raw.count)
        var seen = FirstOccurrences(capacity: raw.count)
        var firstIndex = [Int](repeating: -1, count: raw.count)
        // The latest showing of each repeated line, by its first showing.
        var lastShown: [Int: Int] = [:]
        for i in raw.indices {
            var line = ScrapeLine(raw[i])
            line.kind = LineClassifier.classify(line)
            if let first = seen.first(of: line.lower, at: i, in: lines) {
                let previous = lastShown[first] ?? first
                lastShown[first] = i
                if isRepeatedParagraph(line, i, previous: previous, lines: lines) {
                    // Stays text: see isRepeatedParagraph.
                } else if line.kind == .text || line.kind == .furniture {
                    line.kind = .duplicate
                    firstIndex[i] = first
                }
            }
            line.releaseLower()
            lines.append(line)
        }

        markSnippetRuns(&lines)
        FlowingLines.mark(&lines)

        // Captions and editor's notes can sit anywhere.
        var captionSeen = Set<String>()
        for line in lines {
            switch line.kind {
            case .caption:
                if captionSeen.insert(line.lower).inserted, !isBareCreditWord(line) { article.captions.append(line.text) }
            case .editorsNote:
                if article.editorsNote == nil { article.editorsNote = LineClassifier.editorsNoteBody(line) }
            default: break
            }
        }

        if let whole = wholeText(lines) { return whole }

        // Body region.
        guard let found = BodyFinder.region(lines) else {
            article.paragraphs = proselessBody(lines)
            HeaderReader.read(lines, headerEnd: lines.count, into: &article)
            finishSite(&article, lines: lines)
            return article
        }
        // Section credits right after the last paragraph ("Jane Roe, a professor of ... at ...") belong to the body.
        var regionEnd = found.upperBound
        while regionEnd + 1 < lines.count, lines[regionEnd + 1].kind == .text, isSectionCredit(lines[regionEnd + 1]) { regionEnd += 1 }
        // A "NAME is a freelance writer ..." note after the opening paragraphs ends the body, unless the article goes on.
        var k = found.lowerBound + 3
        while k < regionEnd {
            // Only a full name ("Jane Roe is a ..."): "Rust is a language developed by ... Research" is the article.
            if lines[k].kind == .text, lines[k].units <= 60, isAuthorParagraph(lines[k], strict: true, fullName: true),
               !BodyFinder.proseContinues(lines, after: k) {
                regionEnd = k
                break
            }
            k += 1
        }
        var regionStart = headlineRestart(lines, found.lowerBound, regionEnd)
        if isSubheadingAfterNote(lines, regionStart) { regionStart -= 1 }
        let region = regionStart...regionEnd
        var bodyIndices: [Int] = []
        var headerEnd = region.lowerBound
        let teasers = BodyFinder.teaserLines(lines, in: region)
        for i in region where (lines[i].kind == .text || isRepeatedBodyLine(lines, i, firstIndex: firstIndex, region: region)
                               || isCodeSample(lines, i, region: region)) && !teasers.contains(i) {
            if isMetaLine(lines[i]) {
                if i - region.lowerBound <= 8 { headerEnd = max(headerEnd, i + 1) }
                continue
            }
            bodyIndices.append(i)
        }

        // Trailing author paragraph: the last body lines or the lines right after the body.
        extractAuthorInfo(lines, region: region, body: &bodyIndices, into: &article)

        article.paragraphs = bodyIndices.map { lines[$0].text }
        HeaderReader.read(lines, headerEnd: headerEnd, into: &article)
        if article.byline.isEmpty, let note = article.editorsNote, let name = AuthorNames.leadingName(in: note) {
            article.byline = [name]
        }
        if article.byline.isEmpty, let info = article.authorInfo, let name = AuthorNames.leadingName(in: info) {
            article.byline = [name]
        }
        finishSite(&article, lines: lines)
        return article
    }

    /// A long sentence-shaped paragraph shown again within a few lines of its previous showing: a paragraph the
    /// article itself repeats (a refrain, a pull quote, a test page's filler), not a block the scraper met twice.
    /// Repeats of headlines and teasers are headline-shaped (no closing full stop, fewer words) or lie far apart
    /// (a carousel above the article and a list below it), as do a gallery's captions (thumbnail and full view).
    static func isRepeatedParagraph(_ line: ScrapeLine, _ i: Int, previous: Int, lines: [ScrapeLine]) -> Bool {
        guard line.kind == .text, line.endsSentence, line.units >= 15, i - previous <= 3, lines[previous].kind == .text else { return false }
        // A teaser cut off with an ellipsis, or a caption cut off by a "more"/"less" button, is no paragraph.
        return !(line.text.fastHasSuffix("...") || line.text.fastHasSuffix("…"))
    }

    /// Wire copy — a dateline in its first lines ("LONDON 1996-08-30", "NAIROBI, Kenya (AP) —"),
    /// next to no page furniture (no share prompt, caption or marker, hardly a menu line or a
    /// repeated block) and prose — is the article whole. Every line is kept
    /// (tables of results, an itinerary, the dateline "LONDON 1996-08-30", which the
    /// densest-run search would cut as chrome), and a headline-shaped first line is the title,
    /// whole (a wire headline "CRICKET - ASHES ITINERARY." is not "headline - outlet").
    static func wholeText(_ lines: [ScrapeLine]) -> ScrapedArticle? {
        guard lines.count >= 3, lines.prefix(3).contains(where: { WireDateline.opens($0.text) }),
              lines.contains(where: { $0.endsSentence && $0.wordCount >= 8 }) else { return nil }
        var other = 0
        for line in lines {
            switch line.kind {
            case .text: break
            case .furniture, .duplicate: other += 1
            case .terminal, .caption, .editorsNote: return nil
            }
        }
        // A results table repeats lines and looks like code now and then (up to 30% of the lines
        // in CoNLL-2003's sports pages); a web page's chrome brings a marker or a caption too.
        guard other * 10 <= lines.count * 3 else { return nil }
        var article = ScrapedArticle()
        let first = lines[0]
        let headline = first.wordCount <= 20 && (!first.endsSentence || !first.text.unicodeScalars.contains { $0.properties.isLowercase })
        // Byline and date as the header would give them; the lines stay in the text.
        var header = ScrapedArticle()
        HeaderReader.read(lines, headerEnd: min(3, lines.count), into: &header)
        article.byline = header.byline
        article.published = header.published
        if headline { article.title = first.text }
        article.paragraphs = lines[(headline ? 1 : 0)...].filter { $0.kind != .furniture }.map(\.text)
        return article
    }

    /// Lines to keep when no run of prose exists at all: a small page (a one-line note, a few list items) whose
    /// visible text is its content. The first line stays out as the page title when anything follows it. A
    /// large page without prose is a menu or an index, and gets no body.
    static func proselessBody(_ lines: [ScrapeLine]) -> [String] {
        guard lines.count <= 12 else { return [] }
        let start = lines.count > 1 ? 1 : 0
        var kept: [String] = []
        var candidates = 0
        for i in start..<lines.count {
            candidates += 1
            if lines[i].kind == .text && !isMetaLine(lines[i]) { kept.append(lines[i].text) }
        }
        return kept.count * 2 >= candidates ? kept : []
    }

    /// A short heading between an editor's note and the first paragraph opens the body ("Why the pier matters").
    static func isSubheadingAfterNote(_ lines: [ScrapeLine], _ start: Int) -> Bool {
        guard start >= 2, lines[start - 2].kind == .editorsNote else { return false }
        let line = lines[start - 1]
        guard line.kind == .text, line.units >= 2, line.units <= 12, !line.endsSentence else { return false }
        return !isMetaLine(line) && !line.text.hasSuffix(":")
    }

    /// Three or more consecutive lines cut off with "..." / "…" are a list of teaser snippets, not paragraphs.
    static func markSnippetRuns(_ lines: inout [ScrapeLine]) {
        var runStart = 0
        var i = 0
        while i <= lines.count {
            let snippet = i < lines.count && (lines[i].kind == .text || lines[i].kind == .duplicate) && lines[i].units >= 6
                // `lower` ends as `text` does for these ASCII and ellipsis endings, and is not kept.
                && (lines[i].text.fastHasSuffix("...") || lines[i].text.fastHasSuffix("…"))
            if !snippet {
                if i - runStart >= 3 { for j in runStart..<i { lines[j].kind = .furniture } }
                runStart = i + 1
            }
            i += 1
        }
    }

    /// The page title's headline ("Headline | Outlet" on the first line) repeated inside the found run, with more
    /// prose after it than before: the run began in a teaser carousel above the article, which starts after it.
    static func headlineRestart(_ lines: [ScrapeLine], _ start: Int, _ end: Int) -> Int {
        guard start > 0, end > start + 1, lines[0].units <= 40 else { return start }
        var headline = lines[0].lower
        for sep in HeaderReader.separators {
            if let off = headline.fastLastOffset(of: sep) { headline = headline.prefixBytes(off); break }
        }
        guard headline.utf8.count >= 12 else { return start }
        // The headline already shown above the run: its repeat inside the run after several paragraphs is a teaser
        // list ("Most read") in the middle of the article, not the line the article starts after.
        var shownAbove = false
        for k in 1..<start where lines[k].lower == headline { shownAbove = true; break }
        var proseBefore = 0
        var paragraphsBefore = 0 // prose lines shown once: a gallery repeats its few captions
        var k = start
        while k < end && k - start <= 40 {
            let line = lines[k]
            if line.kind == .text || line.kind == .duplicate {
                if line.lower == headline {
                    var proseAfter = 0
                    for j in (k + 1)...end where lines[j].kind == .text && lines[j].isProse { proseAfter += 1 }
                    if shownAbove && paragraphsBefore > 5 { return start }
                    return proseAfter > proseBefore && proseAfter >= 2 ? k + 1 : start
                }
                if line.isProse {
                    proseBefore += 1
                    if line.kind == .text { paragraphsBefore += 1 }
                }
            }
            k += 1
        }
        return start
    }

    /// A line repeated within the body itself, away from its first occurrence (a recipe or schedule that repeats
    /// "Eat every 2 hours" under several headings): body text, not a scrape repeat. Adjacent repeats (a block
    /// scraped twice) and repeats of header lines stay out.
    static func isRepeatedBodyLine(_ lines: [ScrapeLine], _ i: Int, firstIndex: [Int], region: ClosedRange<Int>) -> Bool {
        guard lines[i].kind == .duplicate else { return false }
        let first = firstIndex[i]
        guard first > region.lowerBound, i - first >= 3, lines[first].kind == .text else { return false }
        return !isMetaLine(lines[i])
    }

    /// A line of script code between two body lines (a tutorial's `fetch("/data.json").then(...)` introduced
    /// by "In its simplest form it looks like this:"): the article's sample, not residue of the page, which is
    /// markup (tags, attributes) or sits in its header and footer among other chrome.
    static func isCodeSample(_ lines: [ScrapeLine], _ i: Int, region: ClosedRange<Int>) -> Bool {
        guard lines[i].kind == .furniture, i > region.lowerBound, i < region.upperBound, lines[i].units >= 8,
              lines[i - 1].kind == .text, lines[i + 1].kind == .text else { return false }
        // Page markup (tags, attributes) and TeX left by a formula renderer are no sample.
        let lower = lines[i].lower
        if LineClassifier.strongCodeSet.occurs(in: lower) || lower.utf8.contains(0x5C) { return false }
        return LineClassifier.isCodeResidue(lines[i])
    }

    /// "Jane Roe, a professor of history at Example University": a person's name, a comma, and a role.
    static func isSectionCredit(_ line: ScrapeLine) -> Bool {
        guard line.units <= 40, !line.endsSentence, let comma = line.text.firstIndex(of: ",") else { return false }
        guard AuthorNames.personName(line.text[..<comma], minWords: 2) != nil else { return false }
        let rest = ScrapeText.asciiLower(String(line.text[line.text.index(after: comma)...]))
        for start in [" a ", " an ", " the ", " professor", " director", " senior", " chief", " former", " head "] where rest.fastHasPrefix(start) {
            return true
        }
        return false
    }

    /// Date stamps and byline lines that sit among the first body lines: header material, not paragraphs.
    static func isMetaLine(_ line: ScrapeLine) -> Bool {
        guard line.units <= 14 else { return false }
        if !line.endsSentence, PublicationDateParser.isoDate(in: line.text) != nil { return true }
        return !HeaderReader.bylineNames(line).isEmpty
    }

    /// "Photo" alone, "Photos" alone: a gallery button, not a caption.
    static func isBareCreditWord(_ line: ScrapeLine) -> Bool {
        line.wordCount <= 1
    }

    static let authorInfoPrefixes = ["the author is", "the author was", "the authors are", "the writer is", "the writers are",
                                     "the author, ", "the writer, ", "about the author:", "author's note", "the columnist is",
                                     "the contributor is", "the commentator is"]
    static let bioWords = ["writer", "author", "journalist", "reporter", "columnist", "editor", "professor", "researcher", "fellow",
                           "analyst", "correspondent", "contributor", "blogger", "director", "scholar", "lecturer", "commentator",
                           "expert", "lives in", "native", "founder", "student", "economist", "ceo", "freelance", "research"]

    /// `fullName`: the line must open with a name of two words or more, not a single capitalised word.
    static func isAuthorParagraph(_ line: ScrapeLine, strict: Bool, fullName: Bool = false) -> Bool {
        // Asked of most body lines: only those that open with a name need the whole line lowered.
        for p in authorInfoPrefixes where line.lowerHead.fastHasPrefix(p) { return true }
        if line.units > 90 { return false }
        guard AuthorNames.leadingName(in: line.text, allowSingle: !fullName) != nil else { return false }
        let lower = line.lower
        if strict, lower.fastContains("\"") || lower.fastContains("“") || lower.fastContains(" said") { return false }
        for w in bioWords where lower.fastContains(w) { return true }
        return false
    }

    static func extractAuthorInfo(_ lines: [ScrapeLine], region: ClosedRange<Int>, body: inout [Int], into article: inout ScrapedArticle) {
        guard body.count >= 2 else { return }
        // Within the last two body paragraphs.
        let tailStart = max(1, body.count - 2)
        for k in stride(from: body.count - 1, through: tailStart, by: -1) {
            let line = lines[body[k]]
            let explicit = LineClassifier.authorInfoPrefixHit(line.lowerHead, prefixes: authorInfoPrefixes)
            // Only the very last paragraph may be a bare "NAME is a ..." bio.
            if explicit || (k == body.count - 1 && isAuthorParagraph(line, strict: true)) {
                article.authorInfo = line.text
                body.remove(at: k)
                return
            }
        }
        // Right after the body (a few lines), only explicit "The author is ..." or a bio.
        var j = region.upperBound + 1
        var looked = 0
        while j < lines.count && looked < 4 {
            let line = lines[j]
            if line.kind == .text || line.kind == .duplicate {
                looked += 1
                if isAuthorParagraph(line, strict: true) && line.units >= 8 {
                    article.authorInfo = line.text
                    return
                }
            } else if line.kind == .terminal {
                return
            }
            j += 1
        }
    }

    static func finishSite(_ article: inout ScrapedArticle, lines: [ScrapeLine]) {
        if article.site == nil {
            var texts: [String] = []
            if let note = article.editorsNote { texts.append(note) }
            if let info = article.authorInfo { texts.append(info) }
            for text in texts {
                if let s = SiteNames.fromDisclaimer(text) { article.site = s; break }
            }
        }
        if article.site == nil {
            // A disclaimer line anywhere near the end ("The views don't necessarily represent those of ...").
            for line in lines.suffix(30) where line.units <= 80 {
                if let s = SiteNames.fromDisclaimer(line.text) { article.site = s; break }
            }
        }
    }
}

/// The index of each lowered line's first occurrence, holding no copy of any line: lines are
/// found by hash, and a hit is confirmed against the earlier line's lowered form, made again.
/// Equal under String's `==`, as the `[String: Int]` it replaces compared them.
struct FirstOccurrences {
    private var byHash: [Int: Int]
    /// Lines whose hash an earlier, different line took first (practically never).
    private var collided: [String: Int] = [:]

    init(capacity: Int) { byHash = Dictionary(minimumCapacity: capacity) }

    /// The index of the earlier line equal to `lower`, or nil (and `i` is remembered as its first).
    mutating func first(of lower: String, at i: Int, in lines: [ScrapeLine]) -> Int? {
        let hash = lower.hashValue
        guard let first = byHash[hash] else {
            byHash[hash] = i
            return nil
        }
        if lines[first].lower == lower { return first }
        if let other = collided[lower] { return other }
        collided[lower] = i
        return nil
    }
}

extension LineClassifier {
    static func authorInfoPrefixHit(_ lower: String, prefixes: [String]) -> Bool {
        for p in prefixes where lower.fastHasPrefix(p) { return true }
        return false
    }
}
