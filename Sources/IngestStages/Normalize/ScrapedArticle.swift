/// Structured result of parsing one plain-text news scrape.
public struct ScrapedArticle: Equatable, Sendable {
    public var title: String?
    /// Author names only, e.g. ["Liu Jianna"], without "By".
    public var byline: [String]
    /// ISO 8601 date "YYYY-MM-DD" when a publication date is stated in the header/byline area.
    public var published: String?
    /// Outlet name when the document states it.
    public var site: String?
    /// Text of an "Editor's note:" paragraph, prefix removed.
    public var editorsNote: String?
    /// Photo captions, deduplicated, in order.
    public var captions: [String]
    /// Trailing "The author is ..." paragraph, kept out of `paragraphs`.
    public var authorInfo: String?
    /// Article body, one entry per paragraph, furniture removed.
    public var paragraphs: [String]

    public init() {
        title = nil
        byline = []
        published = nil
        site = nil
        editorsNote = nil
        captions = []
        authorInfo = nil
        paragraphs = []
    }
}
