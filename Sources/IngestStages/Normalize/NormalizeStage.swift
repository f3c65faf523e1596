import IngestCore

/// `normalize`: bytes → text → title, byline, date, outlet, editor's note, captions and body.
struct NormalizeStage: Stage {
    let name = "normalize"
    let minWords: Int
    let invalidUTF8: TextDecoder.InvalidUTF8Policy

    func process(_ doc: inout Document) throws -> StageVerdict {
        let decoded = try TextDecoder.decode(doc.raw, invalidUTF8: invalidUTF8, stage: name)
        doc.origin.encoding = decoded.encoding
        let paragraphs: [String]
        if HTMLArticleExtractor.looksLikeHTML(utf8: decoded.utf8) {
            doc.format = "html"
            let page = HTMLArticleExtractor.extract(utf8: decoded.utf8)
            (doc.title, doc.byline, doc.published, doc.site) = (page.title, page.byline, page.published, page.site)
            (doc.captions, doc.lang, doc.origin.canonicalURL) = (page.captions, page.lang, page.canonicalURL)
            if let section = page.section { doc.sections.append(section) }
            paragraphs = page.paragraphs
        } else {
            doc.format = "text"
            let text = decoded.text
            let scrape = PlainTextScrapeParser.parse(text)
            (doc.title, doc.byline, doc.published, doc.site) = (scrape.title, scrape.byline, scrape.published, scrape.site)
            (doc.editorsNote, doc.authorInfo, doc.captions) = (scrape.editorsNote, scrape.authorInfo, scrape.captions)
            doc.sections += SectionHints.find(in: text)
            paragraphs = scrape.paragraphs
        }
        doc.text = paragraphs.joined(separator: "\n\n")
        // The raw bytes are not needed past this point; dropping them keeps memory per
        // in-flight document near the size of its text.
        doc.raw = []
        let words = WordCount.count(doc.text)
        doc.words = words
        if words < minWords {
            throw Rejection(.noContent, "\(words) word(s) of article text left after normalizing; min_words is \(minWords)", stage: name)
        }
        return .keep
    }

    static let factory = StageFactory(
        name: "normalize",
        summary: "decode bytes, tell text from HTML, separate metadata and captions from the body, drop page furniture"
    ) { options in
        let minWords = options.int("min_words", default: 10, in: 0...100_000)
        let policy = options.oneOf("invalid_utf8", ["repair", "reject"], default: "repair")
        return Builder(minWords: minWords, invalidUTF8: .init(rawValue: policy) ?? .repair)
    }

    struct Builder: StageBuilder {
        let minWords: Int
        let invalidUTF8: TextDecoder.InvalidUTF8Policy
        func build(_ context: StageContext) throws -> any Stage {
            NormalizeStage(minWords: minWords, invalidUTF8: invalidUTF8)
        }
    }
}

/// Section words from breadcrumb lines near the top ("Home > Opinion > Columns"), a signal for genre.
enum SectionHints {
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
