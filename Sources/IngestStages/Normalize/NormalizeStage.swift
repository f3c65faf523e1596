import CMalloc
import IngestCore

/// `normalize`: bytes → text → title, byline, date, outlet, editor's note, captions and body.
struct NormalizeStage: SynchronousStage {
    let name = "normalize"
    let minWords: Int
    let invalidUTF8: TextDecoder.InvalidUTF8Policy
    var htmlBody: HTMLArticleExtractor.BodySelection = .finder

    func processSynchronously(_ doc: inout Document) throws -> StageVerdict {
        // Nothing reads the raw bytes past decoding, and a large document's peak memory is
        // counted in copies of it: each buffer below is given up as soon as the next exists.
        let raw = doc.raw
        doc.raw = []
        let size = raw.count
        var decoded = try TextDecoder.decode(consume raw, invalidUTF8: invalidUTF8, stage: name)
        doc.origin.encoding = decoded.encoding
        let utf8 = decoded.utf8
        decoded.utf8 = []
        var paragraphs: [String]
        if HTMLArticleExtractor.looksLikeHTML(utf8: utf8) {
            doc.format = "html"
            let page = HTMLArticleExtractor.extract(utf8: consume utf8, discardEvery: size >= Self.trimFrom ? Self.releaseStep : nil, body: htmlBody)
            (doc.title, doc.byline, doc.published, doc.site) = (page.title, page.byline, page.published, page.site)
            (doc.captions, doc.lang, doc.origin.canonicalURL) = (page.captions, page.lang, page.canonicalURL)
            if let section = page.section { doc.sections.append(section) }
            paragraphs = page.paragraphs
        } else {
            doc.format = "text"
            let head = SectionHints.head(utf8: utf8)
            let lines = size >= Self.trimFrom
                ? ScrapeText.lines(discarding: consume utf8, step: Self.releaseStep)
                : ScrapeText.lines(utf8: consume utf8)
            let scrape = PlainTextScrapeParser.parse(lines: consume lines)
            (doc.title, doc.byline, doc.published, doc.site) = (scrape.title, scrape.byline, scrape.published, scrape.site)
            (doc.editorsNote, doc.authorInfo, doc.captions) = (scrape.editorsNote, scrape.authorInfo, scrape.captions)
            doc.sections += SectionHints.find(in: head)
            paragraphs = scrape.paragraphs
        }
        Self.releaseFreedMemory(size)
        doc.text = Self.join(&paragraphs, releasingFrom: size >= Self.trimFrom ? Self.releaseStep : nil)
        Self.releaseFreedMemory(size)
        let words = WordCount.count(doc.text)
        doc.words = words
        if words < minWords {
            throw Rejection(.noContent, "\(words) word(s) of article text left after normalizing; min_words is \(minWords)", stage: name)
        }
        return .keep
    }

    /// From this size on, a document's lines and paragraphs (small Strings, one per line) fill the
    /// worker's malloc arena, and glibc keeps those pages once they are freed: each later buffer
    /// (the text, the record) then came on top of them, and peak memory was twice what it needed.
    static let trimFrom = 8 << 20

    /// How much of a large document's input the line split, or of its paragraphs the join, goes
    /// through before handing back what it is done with: each trim walks the whole heap, and this
    /// bounds what waits to be handed back (a few percent of such a document).
    static let releaseStep = 16 << 20

    static func releaseFreedMemory(_ documentSize: Int) {
        if documentSize >= trimFrom { _ = ingestd_malloc_trim() }
    }

    /// `paragraphs.joined(separator: "\n\n")`, in a String allocated once at its final size:
    /// `joined` grows its result step by step, and each step copies what it holds so far.
    /// Empties `paragraphs`. With `releasingFrom`, each paragraph is let go once copied and the
    /// freed memory handed back every that many bytes: the text would otherwise come on top of
    /// all of them.
    static func join(_ paragraphs: inout [String], releasingFrom step: Int? = nil) -> String {
        var text = ""
        text.reserveCapacity(paragraphs.reduce(2 * max(0, paragraphs.count - 1)) { $0 + $1.utf8.count })
        var copied = 0
        for i in paragraphs.indices {
            if i > 0 { text += "\n\n" }
            text += paragraphs[i]
            guard let step else { continue }
            copied += paragraphs[i].utf8.count
            paragraphs[i] = ""
            if copied >= step {
                _ = ingestd_malloc_trim()
                copied = 0
            }
        }
        paragraphs = []
        return text
    }

    static let factory = StageFactory(
        name: "normalize",
        summary: "decode bytes, tell text from HTML, separate metadata and captions from the body, drop page furniture",
        fields: StageFields(reads: ["raw"], writes: [
            "text", "words", "title", "byline", "published", "site", "lang", "editors_note", "author_info",
            "captions", "sections", "format", "origin.encoding", "origin.canonical_url",
        ])
    ) { options in
        let minWords = options.int("min_words", default: 10, in: 0...100_000)
        let policy = options.oneOf("invalid_utf8", ["repair", "reject"], default: "repair")
        let body = options.oneOf("html_body", HTMLArticleExtractor.BodySelection.allCases.map(\.rawValue), default: "finder")
        return Builder(minWords: minWords, invalidUTF8: .init(rawValue: policy) ?? .repair, htmlBody: .init(rawValue: body) ?? .finder)
    }

    struct Builder: StageBuilder {
        let minWords: Int
        let invalidUTF8: TextDecoder.InvalidUTF8Policy
        let htmlBody: HTMLArticleExtractor.BodySelection
        func build(_ context: StageContext) throws -> any Stage {
            NormalizeStage(minWords: minWords, invalidUTF8: invalidUTF8, htmlBody: htmlBody)
        }
    }
}

/// Section words from breadcrumb lines near the top ("Home > Opinion > Columns"), a signal for genre.
enum SectionHints {
    /// What `find` reads of a text, from its UTF-8: the first 40 lines, with those it skips as too
    /// long left empty, so a huge text need not become one String first.
    static func head(utf8: [UInt8]) -> String {
        var out: [UInt8] = []
        var start = 0
        for _ in 0..<40 where start < utf8.count {
            let end = utf8[start...].firstIndex(of: 0x0A) ?? utf8.count
            if end - start <= 200 { out += utf8[start..<end] }
            if end < utf8.count { out.append(0x0A) }
            start = end < utf8.count ? end + 1 : end
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Looks only at the first 40 lines, and only at short ones: breadcrumbs sit at the top.
    static func find(in text: String) -> [String] {
        var found: [String] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        for _ in 0..<40 where start < utf8.endIndex {
            let end = utf8[start...].firstIndex(of: 0x0A) ?? utf8.endIndex
            defer { start = end < utf8.endIndex ? utf8.index(after: end) : end }
            guard utf8.distance(from: start, to: end) <= 200 else { continue }
            let line = text[start..<end]
            for sep in [">", "»", "›"] as [Unicode.Scalar] where line.unicodeScalars.contains(sep) {
                let parts = line.split(separator: Character(sep)).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0.split(separator: " ").count <= 4 }) {
                    found.append(contentsOf: parts)
                }
            }
        }
        return found
    }
}
