import IngestCore

/// `category`: what a model trained by `ingestd train` says the document is, and how sure it is.
struct CategoryStage: SynchronousStage {
    let name = "category"
    let model: LinearClassifier

    func processSynchronously(_ doc: inout Document) throws -> StageVerdict {
        let p = model.predict([doc.title, doc.text].compactMap { $0 }.joined(separator: "\n\n"))
        doc.category = CategoryLabel(label: p.label, probability: p.probability)
        return .keep
    }

    static let fields = StageFields(reads: ["text"], writes: ["labels.category"])

    static let factory = StageFactory(
        name: "category", summary: "a label from a model trained by `ingestd train` (model: FILE)", fields: fields
    ) { options in
        let model = readModel(&options)
        if model == nil, !options.has("model") { options.error("category needs 'model: FILE' (made by ingestd train)") }
        return Builder(model: model)
    }

    /// `model:`, loaded (and checked) when the pipeline is read.
    static func readModel(_ options: inout ConfigMap) -> LinearClassifier? {
        guard let value = options.value("model"), let url = ConfigDataFile.url(value) else { return nil }
        do { return try ModelFile.read(url) } catch { value.error("\(error)") }
        return nil
    }

    struct Builder: StageBuilder {
        let model: LinearClassifier?
        func build(_ context: StageContext) throws -> any Stage {
            // Only reached with a model: the loader refuses the pipeline otherwise.
            guard let model else { throw StageBuildError(message: "category has no model") }
            return CategoryStage(model: model)
        }
    }
}
