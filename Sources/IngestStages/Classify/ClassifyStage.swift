import Foundation
import IngestCore

/// `classify`: topics from the pipeline's taxonomy, genre from the document's own signals,
/// language from its words and script, entities from gazetteers and capitalization.
struct ClassifyStage: Stage {
    let name = "classify"
    let matcher: TopicMatcher?
    let detectGenre: Bool
    let detectLanguage: Bool
    let entities: EntityRecognizer?
    let model: LinearClassifier?

    func process(_ doc: inout Document) throws -> StageVerdict {
        if let matcher {
            doc.topics = matcher.score(title: doc.title, text: doc.text).map {
                TopicLabel(name: $0.name, score: $0.score)
            }
        }
        if detectLanguage {
            // A language declared by the page (<html lang>) is kept; otherwise judge the text.
            // The first few thousand characters say as much about the language as the whole text.
            doc.lang = doc.lang ?? LanguageDetector.detect(String(doc.text.unicodeScalars.prefix(3000)))
        }
        if let entities {
            doc.entities = entities.recognize(title: doc.title, text: doc.text)
        }
        if let model {
            let p = model.predict([doc.title, doc.text].compactMap { $0 }.joined(separator: "\n\n"))
            doc.category = CategoryLabel(label: p.label, probability: p.probability)
        }
        if detectGenre {
            doc.genre = GenreDetector.detect(
                text: doc.text,
                signals: GenreSignals(breadcrumbsOrSection: doc.sections, editorsNote: doc.editorsNote,
                                      authorInfo: doc.authorInfo, title: doc.title))
        }
        return .keep
    }

    static let factory = StageFactory(
        name: "classify",
        summary: "topics from a weighted word/phrase taxonomy, genre, language and entities (gazetteers)",
        requires: ["normalize"]
    ) { options in
        var threshold = options.double("threshold", default: 1.0, in: 0...1_000_000)
        var topics: [Taxonomy.Topic] = []
        if var topicMap = options.map("topics") { topics += readTopics(&topicMap) }
        // A taxonomy kept in its own file: `topics:` as above, and optionally its `threshold`.
        if let file = options.value("taxonomy"), let (data, diagnostics) = ConfigDataFile.open(file, what: "taxonomy") {
            if var top = data.map() {
                if let t = top.value("threshold")?.double(in: 0...1_000_000), !options.has("threshold") { threshold = t }
                if var topicMap = top.map("topics") { topics += readTopics(&topicMap) } else { top.error("a taxonomy file needs 'topics:'") }
                top.reportUnknownKeys()
            }
            ConfigDataFile.finish(diagnostics, into: file)
        }
        let genre = options.bool("genre", default: true)
        let language = options.bool("language", default: true)
        let entities = options.bool("entities", default: true)
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
        // A model from `ingestd train`, loaded (and checked) when the pipeline is read.
        var model: LinearClassifier?
        if let value = options.value("model"), let url = ConfigDataFile.url(value) {
            do { model = try ModelFile.read(url) } catch { value.error("\(error)") }
        }
        return Builder(taxonomy: topics.isEmpty ? nil : Taxonomy(topics: topics, threshold: threshold),
                       genre: genre, language: language,
                       entities: entities ? EntityRecognizer(gazetteer: gazetteer, unknown: unknown, limit: limit) : nil,
                       model: model)
    }

    /// Topics from a `topics:` mapping: NAME → {terms: {WORD OR PHRASE: WEIGHT}, threshold, require, exclude}.
    static func readTopics(_ topicMap: inout ConfigMap) -> [Taxonomy.Topic] {
        var topics: [Taxonomy.Topic] = []
        for (topicName, value) in topicMap.allEntries() {
            guard var t = value.map() else { continue }
            var topic = Taxonomy.Topic(name: topicName, terms: [], threshold: nil)
            if let v = t.value("threshold") { topic.threshold = v.double(in: 0...1_000_000) }
            if var terms = t.map("terms") {
                for (phrase, weight) in terms.allEntries() {
                    if Tokenizer.words(phrase).isEmpty {
                        weight.error("a term needs at least one word")
                        continue
                    }
                    if let w = weight.double(in: -1_000...1_000) { topic.terms.append(.init(phrase: phrase, weight: w)) }
                }
            } else {
                t.error("a topic needs 'terms:', a mapping of word or phrase to weight")
            }
            for key in ["require", "exclude"] {
                guard let list = t.value(key)?.stringList() else { continue }
                let words = list.filter { !Tokenizer.words($0).isEmpty }
                if key == "require" { topic.require = words } else { topic.exclude = words }
            }
            t.reportUnknownKeys()
            topics.append(topic)
        }
        return topics
    }

    struct Builder: StageBuilder {
        let taxonomy: Taxonomy?
        let genre: Bool
        let language: Bool
        let entities: EntityRecognizer?
        let model: LinearClassifier?
        func build(_ context: StageContext) throws -> any Stage {
            ClassifyStage(matcher: taxonomy.map(TopicMatcher.init), detectGenre: genre, detectLanguage: language,
                          entities: entities, model: model)
        }
    }
}
