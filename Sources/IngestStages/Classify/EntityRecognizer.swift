import IngestCore

/// Who and what a text names, each with how often it occurs: gazetteer entities under their
/// canonical name, and the names the gazetteer does not know — found and typed by a trained
/// tagger when the stage has one (`tagger:`), else runs of capitalized words typed `unknown`.
struct EntityRecognizer: Sendable {
    let gazetteer: Gazetteer
    var tagger: EntityTagger? = nil
    /// Also report capitalized word runs the gazetteer does not know.
    let unknown: Bool
    /// At most this many entities, the most frequent first.
    let limit: Int

    /// Capitalized words that are not names on their own (sentence openers, titles, calendar words).
    static let notNames: Set<String> = [
        "a", "an", "the", "and", "or", "but", "if", "in", "on", "at", "to", "of", "for", "from", "by", "with", "as", "after",
        "before", "during", "since", "while", "when", "where", "why", "how", "what", "who", "which", "this", "that", "these",
        "those", "there", "here", "he", "she", "it", "they", "we", "i", "you", "his", "her", "its", "their", "our", "my",
        "your", "mr", "mrs", "ms", "dr", "prof", "sir", "president", "minister", "chairman", "leader", "general", "gen",
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yet", "so", "not", "no",
        "all", "some", "many", "most", "such", "one", "two", "also", "still", "even", "however", "meanwhile", "according",
        "photo", "read", "related", "editor", "note",
    ]
    /// Lower-case words that may sit inside a name ("Republic of Korea", "Ludwig van Beethoven").
    static let connectors: Set<String> = ["of", "de", "del", "der", "van", "von", "bin", "al", "la", "le", "du", "da"]

    func recognize(title: String?, text: String) -> [EntityLabel] {
        // Names are counted over the first 200,000 characters: a 10 MB page costs no more than a long article.
        // The text is cut before it is joined to the title, so a huge text is never copied whole.
        if let tagger {
            // Title and text as one scalar array, cut at 200,000 without copying the text whole.
            var scalars: [Unicode.Scalar] = []
            scalars.reserveCapacity(min(200_000, text.utf8.count + (title?.utf8.count ?? 0) + 2))
            if let title { scalars.append(contentsOf: title.unicodeScalars.prefix(200_000)); scalars += ["\n", "\n"] }
            for u in text.unicodeScalars {
                if scalars.count >= 200_000 { break }
                scalars.append(u)
            }
            return recognize(scalars, with: tagger)
        }
        let head = String(text.unicodeScalars.prefix(200_000))
        let t = EntityTokens(String([title, head].compactMap { $0 }.joined(separator: "\n\n").unicodeScalars.prefix(200_000)))
        let tokens = t.tokens
        var counts: [Int: Int] = [:]
        var unknownCounts: [String: Int] = [:]
        var i = 0
        while i < tokens.count {
            if let (entity, length) = match(at: i, tokens) {
                counts[entity, default: 0] += 1
                i += length
                continue
            }
            guard unknown, let length = nameRun(at: i, tokens) else { i += 1; continue }
            unknownCounts[t.text(i, i + length - 1), default: 0] += 1
            i += length
        }
        var labels = counts.map { EntityLabel(name: gazetteer.entities[$0.key].name, type: gazetteer.entities[$0.key].type, count: $0.value) }
        let known = Set(labels.map(\.name))
        labels += unknownCounts.filter { !known.contains($0.key) }.map { EntityLabel(name: $0.key, type: "unknown", count: $0.value) }
        labels.sort { ($0.count, $1.name) > ($1.count, $0.name) }
        return Array(labels.prefix(limit))
    }

    /// The tagger's names and the gazetteer's aliases. Where both cover a name the longer wins:
    /// "U.S. Treasury" is an organization, not the United States; "North Korea" found by both is
    /// the gazetteer's.
    private func recognize(_ scalars: [Unicode.Scalar], with tagger: EntityTagger) -> [EntityLabel] {
        let sentences = TaggerTokenizer.sentences(scalars)
        let doc = EntityDocument.prepare(scalars: scalars, sentences: sentences, gazetteer: gazetteer)
        let tags = tagger.tag(doc.sentences, document: doc.document)
        var mentions = EntityMentions()
        // Each sentence's tagged names: token range and type (0 PER, 1 ORG, 2 LOC).
        var spans: [[(range: Range<Int>, type: Int)]] = Array(repeating: [], count: sentences.count)
        for (k, sentenceTags) in tags.enumerated() {
            // MISC (nationalities, events) is not a record type.
            for (range, type) in EntityTag.spans(sentenceTags) where type < 3 {
                if let span = Self.trimmed(range, sentences[k], scalars, person: type == 0) { spans[k].append((span, type)) }
            }
        }
        var matched: [[Range<Int>]] = Array(repeating: [], count: sentences.count)
        for m in doc.matches { matched[m.sentence].append(m.first..<m.end) }
        for k in spans.indices where !spans[k].isEmpty {
            spans[k] = Self.joinInstitutions(spans[k], gazetteer: matched[k], sentences[k], scalars)
        }
        var taken: [[Range<Int>]] = Array(repeating: [], count: sentences.count)
        for m in doc.matches {
            let range = m.first..<m.end
            if spans[m.sentence].contains(where: { $0.range.count > range.count && $0.range.overlaps(range) }) { continue }
            mentions.addGazetteer(gazetteer.entities[m.entity])
            taken[m.sentence].append(range)
        }
        for (k, list) in spans.enumerated() {
            for (span, type) in list where !taken[k].contains(where: { $0.overlaps(span) }) {
                let tokens = sentences[k]
                let surface = String(String.UnicodeScalarView(scalars[tokens[span.lowerBound].start..<tokens[span.upperBound - 1].end]))
                mentions.addTagged(surface, type: type)
            }
        }
        return mentions.labels(limit: limit)
    }

    /// Words that head an institution's name ("Academy", "Center", "Ministry"): before "of" or
    /// "for" and another name they make one organization ("Jilin Academy of Social Sciences",
    /// "Center for China and Globalization"), which the tagger, trained on newswire where such
    /// names are rarer, often cuts in two.
    static let institutionHeads: Set<String> = [
        "academy", "agency", "association", "authority", "bank", "board", "bureau", "center", "centre", "college",
        "commission", "committee", "council", "department", "federation", "foundation", "fund", "institute", "league",
        "ministry", "office", "organization", "organisation", "party", "program", "programme", "school", "society",
        "union", "university",
    ]

    /// Joins "HEAD of|for [the] NAME" into one organization: a tagged name ending in an
    /// institution's head word, the connector, and the run of capitalized words after it, which
    /// may hold names of its own ("Center for Northeast Asian Studies", "Party School of the CPC
    /// Central Committee").
    static func joinInstitutions(_ spans: [(range: Range<Int>, type: Int)], gazetteer: [Range<Int>],
                                 _ tokens: [TaggerTokenizer.Token], _ scalars: [Unicode.Scalar]) -> [(range: Range<Int>, type: Int)] {
        var out: [(range: Range<Int>, type: Int)] = []
        func capitalized(_ i: Int) -> Bool { EntityTokens.isUpper(scalars[tokens[i].start]) }
        var i = 0
        while i < spans.count {
            var span = spans[i]
            i += 1
            let at = span.range.upperBound
            guard at + 1 < tokens.count, institutionHeads.contains(tokens[at - 1].word(in: scalars).lowercased()),
                  ["of", "for"].contains(tokens[at].word(in: scalars)) else { out.append(span); continue }
            var start = at + 1
            if tokens[start].word(in: scalars) == "the", start + 1 < tokens.count { start += 1 }
            var end = start
            while end < tokens.count, capitalized(end) { end += 1 }
            if end > start {
                span = (span.range.lowerBound..<end, 1)
                while i < spans.count, spans[i].range.lowerBound < end { i += 1 }
            }
            out.append(span)
        }
        return out
    }

    /// Titles before a person's name: "Mr Kim" is Kim, "General Robert B. Abrams" is Robert B. Abrams.
    static let honorifics: Set<String> = [
        "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "president", "vice", "premier",
        "minister", "chairman", "chairwoman", "leader", "general", "gen", "lt", "col", "colonel", "capt", "captain", "sgt",
        "admiral", "adm", "commander", "secretary", "senator", "sen", "rep", "representative", "gov", "governor", "mayor",
        "ambassador", "envoy", "judge", "justice", "king", "queen", "prince", "princess", "pope", "rev", "father", "sheikh",
    ]
    /// Compass words alone ("the North", "the South") are never a name of their own.
    static let directions: Set<String> = [
        "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "northern", "southern",
        "eastern", "western", "central",
    ]

    /// A tagged span without a leading title (people only); nil for a lone compass word or title,
    /// or the one word after "Secretary of" / "Minister of".
    static func trimmed(_ span: Range<Int>, _ tokens: [TaggerTokenizer.Token], _ scalars: [Unicode.Scalar], person: Bool) -> Range<Int>? {
        var start = span.lowerBound
        func bare(_ i: Int) -> String {
            var w = tokens[i].word(in: scalars).lowercased()
            if w.hasSuffix(".") { w.removeLast() }
            return w
        }
        while person, start + 1 < span.upperBound, honorifics.contains(bare(start)) { start += 1 }
        if span.upperBound - start == 1, directions.contains(bare(start)) || honorifics.contains(bare(start)) { return nil }
        // "Secretary of State", "Minister of Finance": the last word of a title, not a name.
        if span.upperBound - start == 1, start >= 2, bare(start - 1) == "of", ["secretary", "minister"].contains(bare(start - 2)) {
            return nil
        }
        return start..<span.upperBound
    }

    /// The longest gazetteer alias starting at token `i`: the entity and how many tokens it spans.
    private func match(at i: Int, _ tokens: [EntityTokens.Token]) -> (Int, Int)? {
        let first = tokens[i]
        guard first.capitalized, let aliases = gazetteer.byFirstWord[first.lower] else { return nil }
        for alias in aliases where i + alias.words.count <= tokens.count {
            if alias.acronym && !first.acronym { continue }
            var ok = true
            for (k, word) in alias.words.enumerated() {
                let token = tokens[i + k]
                if token.lower != word || (k > 0 && !(token.gap == .space || token.gap == .apostrophe)) { ok = false; break }
            }
            if ok { return (alias.entity, alias.words.count) }
        }
        return nil
    }

    /// The length of a run of capitalized words starting at `i` that reads as a name, or nil.
    private func nameRun(at i: Int, _ tokens: [EntityTokens.Token]) -> Int? {
        func isNameWord(_ t: EntityTokens.Token) -> Bool {
            t.capitalized && !Self.notNames.contains(t.lower)
        }
        guard isNameWord(tokens[i]) else { return nil }
        var end = i + 1
        while end < tokens.count {
            let t = tokens[end]
            if t.gap == .space, isNameWord(t), match(at: end, tokens) == nil { end += 1; continue }
            // "People's": a possessive s inside a name.
            if t.gap == .apostrophe, t.lower == "s", end + 1 < tokens.count, tokens[end + 1].gap == .space,
               isNameWord(tokens[end + 1]) { end += 2; continue }
            // "Republic of Korea": a connector between two name words.
            if t.gap == .space, Self.connectors.contains(t.lower), !t.capitalized, end + 1 < tokens.count,
               tokens[end + 1].gap == .space, isNameWord(tokens[end + 1]) { end += 2; continue }
            break
        }
        // One capitalized word opening a sentence is most often just the first word.
        if end == i + 1, tokens[i].startsSentence, !tokens[i].acronym { return nil }
        return end - i
    }
}
