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
        name: "entities", summary: "people, organizations and places: a trained tagger (tagger: FILE) and gazetteers (gazetteer: FILE…)",
        fields: fields
    ) { options in
        Builder(recognizer: readRecognizer(&options))
    }

    /// `gazetteer:`, `tagger:`, `unknown_entities:` and `max_entities:`, as both `entities` and
    /// `classify` take them.
    static func readRecognizer(_ options: inout ConfigMap) -> EntityRecognizer {
        // `tagger:` absent: the built-in model; `none`: no tagger; else a model file.
        var tagger: EntityTagger? = .builtIn
        if let value = options.value("tagger") {
            if value.string() == "none" {
                tagger = nil
            } else if let url = ConfigDataFile.url(value) {
                do { tagger = try EntityModelFile.read(url) } catch { value.error("\(error)"); tagger = nil }
            }
        }
        // The tagger finds the names capitalized runs guessed at; both would report them twice.
        let unknownValue = options.value("unknown_entities")
        let unknown = options.bool("unknown_entities", default: tagger == nil)
        if unknown, tagger != nil, let unknownValue {
            unknownValue.error("unknown_entities has no effect with a tagger (it finds and types those names): remove it, or set tagger: none")
        }
        let limit = options.int("max_entities", default: 100, in: 1...10_000)
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
        return EntityRecognizer(gazetteer: gazetteer, tagger: tagger, unknown: unknown, limit: limit)
    }

    struct Builder: StageBuilder {
        let recognizer: EntityRecognizer
        func build(_ context: StageContext) throws -> any Stage { EntitiesStage(recognizer: recognizer) }
    }
}
