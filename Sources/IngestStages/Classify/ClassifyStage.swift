import IngestCore

/// `classify`: the shorthand for `topics`, `language`, `entities`, `category` and `genre`, in
/// that order, as one stage. Pipelines written before those were separate stages keep working,
/// with the same options and the same record (`pipeline.stages` still says `classify`).
struct ClassifyStage: SynchronousStage {
    let name = "classify"
    let parts: [any SynchronousStage]

    func processSynchronously(_ doc: inout Document) throws -> StageVerdict {
        for part in parts {
            if case let .drop(reason, of) = try part.processSynchronously(&doc) { return .drop(reason: reason, of: of) }
        }
        return .keep
    }

    static let factory = StageFactory(
        name: "classify",
        summary: "shorthand for topics, language, entities, category (with model:) and genre",
        fields: StageFields(reads: ["text"], writes: ["labels", "lang"])
    ) { options in
        let taxonomy = TopicsStage.readTaxonomy(&options)
        let genre = options.bool("genre", default: true)
        let language = options.bool("language", default: true)
        let entities = options.bool("entities", default: true)
        let recognizer = EntitiesStage.readRecognizer(&options)
        let model = CategoryStage.readModel(&options)
        return Builder(taxonomy: taxonomy, genre: genre, language: language, entities: entities ? recognizer : nil, model: model)
    }

    struct Builder: StageBuilder {
        let taxonomy: Taxonomy?
        let genre: Bool
        let language: Bool
        let entities: EntityRecognizer?
        let model: LinearClassifier?

        func build(_ context: StageContext) throws -> any Stage {
            var parts: [any SynchronousStage] = []
            if let taxonomy { parts.append(TopicsStage(name: "topics", matcher: TopicMatcher(taxonomy: taxonomy))) }
            if language { parts.append(LanguageStage()) }
            if let entities { parts.append(EntitiesStage(recognizer: entities)) }
            if let model { parts.append(CategoryStage(model: model)) }
            if genre { parts.append(GenreStage()) }
            return ClassifyStage(parts: parts)
        }
    }
}
