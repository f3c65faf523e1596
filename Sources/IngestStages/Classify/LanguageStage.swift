import IngestCore

/// `language`: the document's language from its words and script, unless the page declared one.
struct LanguageStage: SynchronousStage {
    let name = "language"

    func processSynchronously(_ doc: inout Document) throws -> StageVerdict {
        // A language declared by the page (<html lang>) is kept; otherwise judge the text.
        // The first few thousand characters say as much about the language as the whole text.
        doc.lang = doc.lang ?? LanguageDetector.detect(String(doc.text.unicodeScalars.prefix(3000)))
        return .keep
    }

    static let fields = StageFields(reads: ["text"], writes: ["lang"])

    static let factory = StageFactory(
        name: "language", summary: "the language of the text (ISO 639-1), unless the page declares one", fields: fields
    ) { _ in Builder() }

    struct Builder: StageBuilder {
        func build(_ context: StageContext) throws -> any Stage { LanguageStage() }
    }
}
