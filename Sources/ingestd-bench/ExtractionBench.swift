import IngestBuiltins
import Foundation
import IngestCore
import IngestStages

/// `--extract LIST`: the normalize stage itself (built from a pipeline as the daemon builds it,
/// `min_words: 0`) on pages already in memory, in this process — decode, tell HTML from text,
/// extract, join and count the body — repeated until `seconds` have passed.
/// The figure to set beside trafilatura's `extract()` calls, which are timed the same way; the
/// `once` figure adds process start-up, the pipeline's other stages and the durable sink.
/// `rounds` sets a minimum number of timed passes (for instruction counts under callgrind); an
/// untimed warm-up pass comes first.
func runExtractionBench(list: String, seconds: Double, rounds minimumRounds: Int = 1, htmlBody: String? = nil) throws {
    let paths = try String(contentsOfFile: list, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    let pages = try paths.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
    let bytes = pages.reduce(0) { $0 + $1.count }
    let normalize = try normalizeStage(htmlBody: htmlBody)
    var rounds = 0, words = 0, rejected = 0
    // One untimed pass first: lazily built tables and first-touch page faults are start-up,
    // not per-page work.
    var t0 = now()
    var warm = false
    repeat {
        if !warm, rounds == 1 { warm = true; rounds = 0; words = 0; rejected = 0; t0 = now() }
        for page in pages {
            do {
                var doc = Document(id: "bench", origin: Origin(kind: .file, path: "/bench", size: page.count, sha256: "x"), raw: page)
                _ = try normalize.processSynchronously(&doc)
                words &+= doc.text.utf8.count
            } catch {
                rejected += 1
            }
        }
        rounds += 1
    } while !warm || now() - t0 < seconds || rounds < minimumRounds
    let elapsed = now() - t0
    let n = Double(rounds * pages.count)
    say(String(format: "extract: %d page(s) (%.1f KB avg) × %d round(s) in %.2f s = %.1f pages/s, %.3f ms/page, %.1f MB/s; %d rejected; %d bytes of text per round",
               pages.count, Double(bytes) / Double(max(1, pages.count)) / 1024, rounds, elapsed, n / elapsed, elapsed / n * 1000,
               Double(bytes * rounds) / elapsed / 1e6, rejected / max(1, rounds), words / max(1, rounds)))
}

/// The normalize stage of a pipeline written here, with every page kept (`min_words: 0`) and,
/// with `htmlBody`, that `html_body` (`--html-body block-model` times the block model).
func normalizeStage(htmlBody: String? = nil) throws -> any SynchronousStage {
    let base = URL(fileURLWithPath: "/nonexistent-ingestd-bench")
    let body = htmlBody.map { "    html_body: \($0)\n" } ?? ""
    let config = try PipelineLoader.parse(yaml: "name: bench\nstages:\n  - use: normalize\n    min_words: 0\n" + body,
                                          file: base.appendingPathComponent("bench.yaml"), displayName: "bench.yaml",
                                          baseDirectory: base, registry: BuiltinComponents.registry)
    guard let entry = config.stages.first(where: { $0.name == "normalize" }) else { throw CocoaError(.featureUnsupported) }
    return try entry.builder.build(StageContext(stateDirectory: nil, pipelineName: "bench", logger: .init(label: "ingestd-bench")))
        as! any SynchronousStage
}
