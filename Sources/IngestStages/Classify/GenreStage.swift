import IngestCore

/// `genre`: news, opinion, analysis…, from the document's own signals (section, editor's note,
/// author box, title, wording).
struct GenreStage: SynchronousStage {
    let name = "genre"

    func processSynchronously(_ doc: inout Document) throws -> StageVerdict {
        doc.genre = GenreDetector.detect(
            text: doc.text,
            signals: GenreSignals(breadcrumbsOrSection: doc.sections, editorsNote: doc.editorsNote,
                                  authorInfo: doc.authorInfo, title: doc.title))
        return .keep
    }

    static let fields = StageFields(reads: ["text"], writes: ["labels.genre"])

    static let factory = StageFactory(
        name: "genre", summary: "the genre (news, opinion, analysis, …) from the page's own signals", fields: fields
    ) { _ in Builder() }

    struct Builder: StageBuilder {
        func build(_ context: StageContext) throws -> any Stage { GenreStage() }
    }
}
