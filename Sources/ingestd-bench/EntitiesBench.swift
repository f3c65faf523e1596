import IngestBuiltins
import Foundation
import IngestCore
import IngestStages

/// `--entities LIST`: the `entities` stage (built-in tagger, `pipelines/gazetteers/news.yaml`)
/// on the listed documents, normalized first, in this process on one core, repeated until
/// `seconds` have passed after an untimed pass. The figure to set beside spaCy's `nlp(text)`
/// calls in `scripts/eval-entities`, which are timed the same way.
func runEntitiesBench(repo: URL, list: String, seconds: Double) throws {
    let paths = try String(contentsOfFile: list, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    let normalize = try normalizeStage()
    var docs: [Document] = []
    for path in paths {
        let raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var doc = Document(id: "bench", origin: Origin(kind: .file, path: path, size: raw.count, sha256: "x"), raw: raw)
        _ = try normalize.processSynchronously(&doc)
        docs.append(doc)
    }
    let gazetteer = repo.appendingPathComponent("pipelines/gazetteers/news.yaml").path
    let yaml = "name: bench\nstages:\n  - use: normalize\n    min_words: 0\n  - use: entities\n    gazetteer: \(gazetteer)\nsink: {type: jsonl, path: /dev/null}\n"
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("ingestd-bench-entities-\(getpid()).yaml")
    try yaml.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let config = try PipelineLoader.load(file: file, registry: BuiltinComponents.registry)
    let context = StageContext(stateDirectory: nil, pipelineName: "bench", logger: .init(label: "ingestd-bench"))
    let stage = try config.stages[1].builder.build(context) as! any SynchronousStage
    for var d in docs { _ = try stage.processSynchronously(&d) }
    var rounds = 0, entities = 0
    let t0 = now()
    repeat {
        for var d in docs {
            _ = try stage.processSynchronously(&d)
            entities += d.entities.count
        }
        rounds += 1
    } while now() - t0 < seconds
    let elapsed = now() - t0
    let n = Double(rounds * docs.count)
    let words = docs.reduce(0) { $0 + $1.text.split(separator: " ").count }
    say(String(format: "entities stage (built-in tagger + news.yaml gazetteer): %d document(s) × %d round(s): %.0f docs/s, %.3f ms/doc, %.0f words/s; %.1f entities/doc",
               docs.count, rounds, n / elapsed, elapsed / n * 1000, Double(words * rounds) / elapsed, Double(entities) / n))
}
