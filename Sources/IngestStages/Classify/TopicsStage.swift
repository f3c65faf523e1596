import IngestCore

/// `topics`: scores the document against the pipeline's weighted word/phrase taxonomy.
struct TopicsStage: SynchronousStage {
    let name: String
    let matcher: TopicMatcher

    func processSynchronously(_ doc: inout Document) throws -> StageVerdict {
        doc.topics = matcher.score(title: doc.title, text: doc.text).map { TopicLabel(name: $0.name, score: $0.score) }
        return .keep
    }

    static let fields = StageFields(reads: ["text"], writes: ["labels.topics"])

    static let factory = StageFactory(
        name: "topics", summary: "topics from a weighted word/phrase taxonomy (topics: or taxonomy: FILE)", fields: fields
    ) { options in
        let taxonomy = readTaxonomy(&options)
        if taxonomy == nil { options.error("topics needs 'topics:' or 'taxonomy: FILE' with at least one topic") }
        return Builder(taxonomy: taxonomy ?? Taxonomy(topics: [], threshold: 1))
    }

    /// `topics:`, `taxonomy:` and `threshold:`, as both `topics` and the `classify` shorthand take them.
    /// Nil when no topic is configured.
    static func readTaxonomy(_ options: inout ConfigMap) -> Taxonomy? {
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
        return topics.isEmpty ? nil : Taxonomy(topics: topics, threshold: threshold)
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
        let taxonomy: Taxonomy
        func build(_ context: StageContext) throws -> any Stage { TopicsStage(name: "topics", matcher: TopicMatcher(taxonomy: taxonomy)) }
    }
}
