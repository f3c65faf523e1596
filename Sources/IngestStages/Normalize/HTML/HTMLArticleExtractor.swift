/// What the HTML path of `normalize` finds in a page.
public struct HTMLArticle: Sendable, Equatable {
    public var title: String?
    public var byline: [String] = []
    public var published: String?
    public var site: String?
    public var lang: String?
    public var canonicalURL: String?
    public var section: String?
    public var captions: [String] = []
    public var paragraphs: [String] = []
}

/// HTML page → article: pre-filter the markup, parse it with libxml2, read the metadata,
/// find the content element, write its blocks as paragraphs.
public enum HTMLArticleExtractor {
    /// How the body's blocks are chosen (normalize's `html_body`): the content finder's element
    /// and its siblings as `BlockTextWriter` writes them, or the learned block model grown from
    /// them (see docs/stages/normalize.md; it does not yet beat the finder on pages it was not
    /// trained on, so it is not the default).
    public enum BodySelection: String, CaseIterable, Sendable {
        case finder
        case blockModel = "block-model"
    }

    /// With `discardEvery` (a large page), each form of the page hands back its memory as the
    /// next is made from it (see `MarkupPrefilter.run` and `DOMTree.parse`).
    public static func extract(utf8 html: consuming [UInt8], discardEvery step: Int? = nil, body: BodySelection = .finder) -> HTMLArticle {
        let (finder, roots, meta) = parse(utf8: html, discardEvery: step)
        let tree = finder.tree
        var article = HTMLArticle()
        // Chosen before the body is written: with `step`, writing it gives the tree's text back.
        let title = HeadlineChooser.choose(tree, meta: meta, roots: roots)
        article.title = title
        article.byline = meta.authors.isEmpty
            ? MarkupByline.names(tree, before: roots.last.map { tree.end($0) } ?? tree.count) : meta.authors
        article.published = meta.published
        article.site = meta.site
        article.lang = meta.lang
        article.canonicalURL = meta.canonicalURL
        article.section = meta.section
        article.captions = captions(tree, near: roots)
        var paragraphs: [String]
        var blocks: [PageBlock] = []
        if step == nil, body == .blockModel {
            // The block model reads the whole body; a page large enough to be written with
            // `discardEvery` keeps the finder's roots alone, so its text can be let go as written.
            blocks = PageBlocks.cut(finder, roots: roots)
            paragraphs = modelParagraphs(blocks, title: title)
        } else {
            // The last reader of the tree: with `step`, it hands the tree's text back as it goes.
            paragraphs = BlockTextWriter.paragraphs(finder, roots: roots, discardEvery: step)
        }
        // The headline repeated as the first block is the title, not body text.
        if let title, let first = paragraphs.first, first.lowercased() == title.lowercased() {
            paragraphs.removeFirst()
        }
        article.paragraphs = ParagraphFilter.apply(paragraphs, into: &article)
        // The fallback reads the whole body again, so only for a page where too little was found,
        // and not after the writer has handed a large page's text back.
        if step == nil, VisibleTextFallback.needed(article.paragraphs) {
            if blocks.isEmpty { blocks = PageBlocks.cut(finder, roots: roots) }
            if let fallback = VisibleTextFallback.paragraphs(blocks, found: article.paragraphs) { article.paragraphs = fallback }
        }
        return article
    }

    /// Pre-filter the markup, parse it with libxml2, read the metadata, find the content element.
    static func parse(utf8 html: consuming [UInt8], discardEvery step: Int? = nil) -> (finder: ContentFinder, roots: [Int], meta: HTMLMetadata) {
        // Each form of the page is let go once the next is made: a large page is then held
        // about twice at most, not once per form.
        var filtered = MarkupPrefilter.run(consume html, discardEvery: step)
        let markup = filtered.html
        filtered.html = []
        let tree = DOMTree.parse(consume markup, attributes: filtered.attributes, discardEvery: step)
        // The tree holds its own copy of the attributes it kept.
        filtered.attributes = AttributeTable()
        let meta = HTMLMetadataReader.read(tree, jsonLD: filtered.jsonLD)
        let finder = ContentFinder(tree: tree)
        return (finder, finder.best(), meta)
    }

    /// The blocks the block model keeps, in page order.
    static func modelParagraphs(_ blocks: [PageBlock], title: String?) -> [String] {
        let rows = BlockFeatures.rows(blocks, title: title)
        let keep = BlockModel.decode(BlockModel.probabilities(rows), writerKeeps: blocks.map(\.keptByWriter))
        var out: [String] = []
        for k in blocks.indices where keep[k] {
            // Only the same block twice in a row is a template artefact (as `BlockTextWriter`).
            if out.last != blocks[k].text { out.append(blocks[k].text) }
        }
        return out
    }

    /// The line rules of the plain-text path, applied to what the content finder kept: markup
    /// names miss some furniture ("Advertisement", share prompts, photo credits) that the
    /// words themselves give away.
    enum ParagraphFilter {
        static func apply(_ paragraphs: [String], into article: inout HTMLArticle) -> [String] {
            var kept: [String] = []
            // One line at a time: each holds a lowered copy of its paragraph.
            var i = 0
            while i < paragraphs.count {
                if restatesMetadata(paragraphs[i], article) { i += 1; continue }
                let line = ScrapeLine(paragraphs[i])
                // Scripts and styles never reach the text of a parsed page, so code-shaped text
                // here is code the article shows (a `<pre>` listing), not the residue of markup
                // that the plain-text rule is for.
                if LineClassifier.isCodeResidue(line) { kept.append(paragraphs[i]); i += 1; continue }
                switch LineClassifier.classify(line, knownNotCode: true) {
                case .text, .duplicate:
                    kept.append(paragraphs[i])
                case .caption:
                    if !article.captions.contains(paragraphs[i]) { article.captions.append(paragraphs[i]) }
                case .editorsNote, .furniture:
                    break
                case .terminal:
                    // "Related stories", "Read more": the rest is teasers unless real prose follows
                    // (an inline "Don't miss" box mid-article, the story going on below it).
                    if !proseFollows(paragraphs[(i + 1)...]) { return kept }
                    // A bare marker heads its box of teasers: skip them, up to the prose.
                    if LineClassifier.terminalSet.contains(line.key) {
                        while i + 1 < paragraphs.count, !isSentence(ScrapeLine(paragraphs[i + 1])) { i += 1 }
                    }
                }
                i += 1
            }
            return kept
        }

        /// A paragraph that stops short with an ellipsis: a teaser's excerpt.
        static func isCutOff(_ paragraph: String) -> Bool {
            var end = paragraph[...]
            while let last = end.last, last == " " || last == "]" || last == ")" { end = end.dropLast() }
            return end.hasSuffix("…") || end.hasSuffix("...")
        }

        /// A paragraph of running prose: twelve words or more, ending a sentence.
        static func isSentence(_ line: ScrapeLine) -> Bool { line.wordCount >= 12 && line.endsSentence }

        /// Whether the article goes on after a terminal marker: two paragraphs of 40 words or
        /// more, or three sentences of prose (twelve words or more, ending a sentence, not
        /// furniture), as news paragraphs are often shorter than 40 words. Teasers' excerpts are
        /// long too, but cut off ("…", "...", "[…]"): they do not count.
        static func proseFollows(_ rest: ArraySlice<String>) -> Bool {
            var long = 0, prose = 0
            for p in rest {
                guard SpaceSeparatedWords.count(p, upTo: 12) >= 12, !isCutOff(p) else { continue }
                if SpaceSeparatedWords.count(p, upTo: 40) >= 40 { long += 1; if long >= 2 { return true } }
                let line = ScrapeLine(p)
                if line.endsSentence, LineClassifier.classify(line) == .text { prose += 1; if prose >= 3 { return true } }
            }
            return false
        }

        static let calendarWords: Set<String> = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "january",
            "february", "march", "april", "june", "july", "august", "september", "october", "november", "december",
            "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday", "thursday", "friday",
            "saturday", "sunday",
        ]

        static func isStampWord(_ word: Substring) -> Bool {
            let letters = word.filter(\.isLetter)
            if letters.isEmpty { return true }
            if calendarWords.contains(letters.lowercased()) { return true }
            // AM, PM, UTC, GMT, ET: short capitals.
            return letters.count <= 4 && letters.allSatisfy(\.isUppercase)
        }

        /// A short block that only restates what the record already holds apart: the byline
        /// ("By Jo Smith", the names alone) or the publication stamp ("Nov. 20, 2019, 9:28 AM
        /// UTC"). A content element widened to the article's wrapper takes in its header too.
        static func restatesMetadata(_ paragraph: String, _ article: HTMLArticle) -> Bool {
            // Most paragraphs are long: count their first words without splitting them all.
            guard SpaceSeparatedWords.count(paragraph, upTo: 11) <= 10 else { return false }
            let words = paragraph.split(separator: " ")
            if let published = article.published, PublicationDateParser.isoDate(in: paragraph) == String(published.prefix(10)) {
                // A stamp, not a line that mentions the date (a quoted tweet's "— Name (@name)
                // October 9, 2018"): nothing but numbers, month and day names, AM/PM and zones.
                return words.allSatisfy(isStampWord)
            }
            guard !article.byline.isEmpty else { return false }
            let lower = paragraph.lowercased()
            // Most short blocks name no author: the dear replacing below is for those that do.
            guard article.byline.contains(where: { !$0.isEmpty && lower.fastContains($0.lowercased()) }) else { return false }
            var rest = lower[...]
            if rest.hasPrefix("by ") { rest = rest.dropFirst(3) }
            var left = String(rest)
            for name in article.byline.map({ $0.lowercased() }) where !name.isEmpty {
                left = left.replacing(name, with: "")
            }
            // Nothing but names and the words and marks that join them.
            let joiners: Set<Substring> = ["and", "&", ",", "|", "-", "—", "and,"]
            return left.count < rest.count && left.split(whereSeparator: { $0 == " " || $0 == "," }).allSatisfy { joiners.contains($0) }
        }
    }

    /// `<figcaption>`s in the article's neighbourhood (the content element's parent), each once.
    static func captions(_ tree: DOMTree, near roots: [Int]) -> [String] {
        guard let first = roots.first else { return [] }
        let scope = tree.parent(first) >= 0 ? tree.parent(first) : first
        var out: [String] = []
        var i = scope
        while i < tree.end(scope) {
            if tree.tag(i) == .figcaption {
                let t = tree.text(of: i)
                if !t.isEmpty, !out.contains(t) { out.append(t) }
                i = tree.end(i)
            } else {
                i += 1
            }
        }
        return out
    }

    /// Markup, not plain text: a doctype or `<html>` first, or a few common tags.
    public static func looksLikeHTML(_ text: String) -> Bool { looksLikeHTML(utf8: Array(text.utf8.prefix(2048))) }

    /// The index just past the first occurrence of `needle` in `hay`.
    private static func firstIndex(of needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard needle.count <= hay.count else { return nil }
        var i = hay.startIndex
        while i + needle.count <= hay.endIndex {
            if hay[i] == needle[0], hay[i..<(i + needle.count)].elementsEqual(needle) { return i + needle.count }
            i += 1
        }
        return nil
    }

    public static func looksLikeHTML(utf8 text: [UInt8]) -> Bool {
        // Lower-cased ASCII bytes of the head: cheap to search, and markup is ASCII.
        let head = text.prefix(2048).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0xEF || c == 0xBB || c == 0xBF }
        var start = head.firstIndex { !isBlank($0) } ?? head.endIndex
        // Comments and XML declarations before the doctype (`<!--?xml … ?-->` as some CMSs write
        // it, `<?xml …?>`, a generator's banner) say nothing about what follows: skip them.
        while start < head.endIndex {
            let rest = head[start...]
            let close: [UInt8]
            if rest.starts(with: "<!--".utf8) { close = Array("-->".utf8) }
            else if rest.starts(with: "<?".utf8) { close = Array("?>".utf8) }
            else { break }
            guard let end = Self.firstIndex(of: close, in: rest) else { break }
            start = head[end...].firstIndex { !isBlank($0) } ?? head.endIndex
        }
        let trimmed = head[start...]
        func hasPrefix(_ s: String) -> Bool { trimmed.starts(with: s.utf8) }
        func contains(_ s: String) -> Bool {
            let needle = Array(s.utf8)
            guard needle.count <= head.count else { return false }
            for i in 0...(head.count - needle.count) where head[i] == needle[0] {
                if head[i..<(i + needle.count)].elementsEqual(needle) { return true }
            }
            return false
        }
        if hasPrefix("<!doctype html") || hasPrefix("<html") { return true }
        if hasPrefix("<?xml"), contains("<html") { return true }
        guard hasPrefix("<") else { return false }
        var tags = 0
        for marker in ["<p>", "<p ", "<div", "<br", "<body", "<span", "<a href", "</p>", "</div>"] where contains(marker) { tags += 1 }
        return tags >= 2
    }
}
