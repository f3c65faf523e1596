import IngestBuiltins
import Foundation
import IngestCore
import IngestStages

/// Classification throughput, in this process, over `count` generated seed-like documents that
/// went through normalize first: the classify stage of the shipped `pipelines/news.yaml` (topics,
/// genre, language, gazetteer and unknown-name entities), then `LinearClassifier.predict` alone
/// with a model trained here on half of them (labelled with the subject their headline names,
/// "Talks on trade …": easy, the point is the speed).
func runClassifyBench(repo: URL, count: Int, seconds: Double) throws {
    let config = try PipelineLoader.load(file: repo.appendingPathComponent("pipelines/news.yaml"), registry: BuiltinComponents.registry)
    let context = StageContext(stateDirectory: nil, pipelineName: "bench", logger: .init(label: "ingestd-bench"))
    guard let classifyEntry = config.stages.first(where: { $0.name == "classify" }) else { throw CocoaError(.featureUnsupported) }
    let classify = try classifyEntry.builder.build(context) as! any SynchronousStage
    let normalize = try normalizeStage()
    var docs: [Document] = []
    for i in 0..<count {
        let raw = Array(SeedLikeCorpus.document(i).utf8)
        var doc = Document(id: "bench-\(i)", origin: Origin(kind: .file, path: "/bench", size: raw.count, sha256: "x"), raw: raw)
        _ = try normalize.processSynchronously(&doc)
        docs.append(doc)
    }
    let bytes = docs.reduce(0) { $0 + $1.text.utf8.count }

    // The stage, repeated until `seconds` have passed, after an untimed pass.
    for var d in docs { _ = try classify.processSynchronously(&d) }
    var rounds = 0, topics = 0
    let t0 = now()
    repeat {
        for var d in docs {
            _ = try classify.processSynchronously(&d)
            topics += d.topics.count
        }
        rounds += 1
    } while now() - t0 < seconds
    let stageTime = now() - t0
    let n = Double(rounds * docs.count)
    say(String(format: "classify stage (news.yaml: topics, genre, language, entities): %.0f docs/s, %.2f ms/doc, %.1f MB/s of text; %.1f topics/doc",
               n / stageTime, stageTime / n * 1000, Double(bytes * rounds) / stageTime / 1e6, Double(topics) / n))

    // The trained classifier alone.
    let texts = docs.map { [$0.title, $0.text].compactMap { $0 }.joined(separator: "\n\n") }
    let labels = docs.map { doc in
        ["trade", "security", "energy", "the border", "aid"].first { doc.title?.hasPrefix("Talks on \($0) ") ?? false } ?? "?"
    }
    let half = count / 2
    let f0 = now()
    let model = LinearClassifier.train(texts: Array(texts[..<half]), labels: Array(labels[..<half]))
    let fitTime = now() - f0
    var right = 0, predictions = 0
    let p0 = now()
    repeat {
        for k in half..<count where model.predict(texts[k]).label == labels[k] { right += 1 }
        predictions += count - half
    } while now() - p0 < seconds
    let predictTime = now() - p0
    say(String(format: "trained classifier: fit on %d docs (%d labels) in %.2f s; predict %.0f docs/s, %.2f ms/doc (accuracy %.3f on the other %d)",
               half, model.labels.count, fitTime, Double(predictions) / predictTime, predictTime / Double(predictions) * 1000,
               Double(right) / Double(predictions), count - half))
}
