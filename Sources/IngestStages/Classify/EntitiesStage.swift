import IngestCore

/// `entities`: people, places and organizations, from gazetteers and capitalization.
struct EntitiesStage: SynchronousStage {
    let name = "entities"
    let recognizer: EntityRecognizer

    func processSynchronously(_ doc: inout Document) throws -> StageVerdict {
        doc.entities = recognizer.recognize(title: doc.title, text: doc.text)
        return .keep
    }

    static let fields = StageFields(reads: ["text"], writes: ["labels.entities"])

    static let factory = StageFactory(
        name: "entities", summary: "named entities from gazetteers (gazetteer: FILE…) and capitalization", fields: fields
    ) { options in
        Builder(recognizer: readRecognizer(&options))
    }

    /// `gazetteer:`, `unknown_entities:` and `max_entities:`, as both `entities` and `classify` take them.
    static func readRecognizer(_ options: inout ConfigMap) -> EntityRecognizer {
        let unknown = options.bool("unknown_entities", default: true)
        let limit = options.int("max_entities", default: 25, in: 1...1_000)
        var gazetteer = Gazetteer()
        if let files = options.value("gazetteer") {
            // One file or a list of files, relative to the pipeline file.
            let list: [ConfigValue]
            if case .sequence = files.node { list = files.list() ?? [] } else { list = [files] }
            for file in list {
                guard let (data, diagnostics) = ConfigDataFile.open(file, what: "gazetteer") else { continue }
                gazetteer.read(data)
                ConfigDataFile.finish(diagnostics, into: file)
            }
        }
        return EntityRecognizer(gazetteer: gazetteer, unknown: unknown, limit: limit)
    }

    struct Builder: StageBuilder {
        let recognizer: EntityRecognizer
        func build(_ context: StageContext) throws -> any Stage { EntitiesStage(recognizer: recognizer) }
    }
}
