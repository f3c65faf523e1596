import Foundation
import XCTest

final class CommandLineTests: XCTestCase {
    private func run(_ args: [String], cwd: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        try DaemonHarness.run(args, cwd: cwd)
    }

    private func temp() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    func testValidateAcceptsTheShippedPipelines() throws {
        // A copy, with the wasm plugins built into it as scripts/build-plugins builds them.
        let copy = try DaemonHarness.copyPipelinesWithPlugins(into: try temp())
        let pipelines = try FileManager.default.contentsOfDirectory(atPath: copy.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertTrue(pipelines.contains("plugins.yaml"))
        for name in pipelines {
            let r = try run(["validate", copy.appendingPathComponent(name).path])
            XCTAssertEqual(r.status, 0, r.err)
            XCTAssertTrue(r.out.contains(": ok — pipeline"), r.out)
            XCTAssertTrue(r.out.contains(name == "plugins.yaml" ? "normalize → wire-filter → keyword-alerts → dedupe → topics"
                                                                 : "normalize → dedupe → classify"), r.out)
        }
    }

    func testValidateReportsEveryProblemWithFileLineAndColumn() throws {
        let d = try temp()
        let file = d.appendingPathComponent("bad.yaml")
        try """
        runtime:
          concurrency: two
        stages:
          - use: normalize
            min_wrds: 3
          - use: dedupe
            policy: forget
          - use: sentiment
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try run(["validate", file.path])
        XCTAssertEqual(r.status, 1)
        let lines = r.err.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, [
            "\(file.path):2:16: runtime.concurrency: expected an integer, found 'two'",
            "\(file.path):5:5: stages[0]: unknown key 'min_wrds'; did you mean 'min_words'?",
            "\(file.path):7:13: stages[1].policy: 'forget' is not one of annotate, drop",
            "\(file.path):8:10: stages[2].use: unknown stage 'sentiment'; known stages: normalize, dedupe, topics, language, entities, category, genre, classify, exec, wasm",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: d.appendingPathComponent("state").path), "validate creates nothing")
    }

    func testValidateRefusesTabIndentationAndBadTaxonomy() throws {
        let d = try temp()
        let tabs = d.appendingPathComponent("tabs.yaml")
        try "stages:\n  - use: normalize\n\t- use: dedupe\n".write(to: tabs, atomically: true, encoding: .utf8)
        let r = try run(["validate", tabs.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.hasPrefix("\(tabs.path):3:"), r.err)
        XCTAssertTrue(r.err.contains("tabs cannot indent YAML"), r.err)

        let taxonomy = d.appendingPathComponent("tax.yaml")
        try "stages:\n  - use: normalize\n  - use: classify\n    topics:\n      trade:\n        terms:\n          tariff: heavy\n".write(to: taxonomy, atomically: true, encoding: .utf8)
        let t = try run(["validate", taxonomy.path])
        XCTAssertEqual(t.status, 1)
        XCTAssertEqual(t.err, "\(taxonomy.path):7:19: stages[1].topics.trade.terms.tariff: expected a number, found 'heavy'\n")
    }

    func testOnceWritesRecordsToStdoutAndTouchesNothingNextToThePipeline() throws {
        let d = try temp()
        let pipeline = d.appendingPathComponent("news.yaml")
        try FileManager.default.copyItem(at: DaemonHarness.repository.appendingPathComponent("pipelines/news.yaml"), to: pipeline)
        try FileManager.default.copyItem(at: DaemonHarness.repository.appendingPathComponent("pipelines/gazetteers"),
                                         to: d.appendingPathComponent("gazetteers"))
        let inputs = d.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        try sampleArticle(11).write(to: inputs.appendingPathComponent("one.txt"), atomically: true, encoding: .utf8)
        try sampleArticle(11).write(to: inputs.appendingPathComponent("same.txt"), atomically: true, encoding: .utf8)
        let r = try run(["once", "--pipeline", pipeline.path, "--output", "-",
                         inputs.appendingPathComponent("one.txt").path, inputs.appendingPathComponent("same.txt").path])
        XCTAssertEqual(r.status, 0, r.err)
        let records = try r.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(Set(records.compactMap { ($0["dedupe"] as? [String: Any])?["status"] as? String }), ["unique", "duplicate"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: d.path).sorted(), ["gazetteers", "in", "news.yaml"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: inputs.path).sorted(), ["one.txt", "same.txt"])
    }

    func testOnceExitsNonZeroWithReasonsWhenAnInputIsRejected() throws {
        let d = try temp()
        let empty = d.appendingPathComponent("empty.txt")
        FileManager.default.createFile(atPath: empty.path, contents: Data())
        let good = d.appendingPathComponent("good.txt")
        try sampleArticle(12).write(to: good, atomically: true, encoding: .utf8)
        let out = d.appendingPathComponent("records.jsonl")
        let r = try run(["once", "--pipeline", DaemonHarness.repository.appendingPathComponent("pipelines/news.yaml").path,
                         "--output", out.path, empty.path, good.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("\"reason\":\"empty\""), r.err)
        XCTAssertEqual(try String(contentsOf: out, encoding: .utf8).split(separator: "\n").count, 1)
    }

    func testOnceReadsInputPathsFromAListFile() throws {
        let d = try temp()
        var paths: [String] = []
        for i in 0..<3 {
            let f = d.appendingPathComponent("doc\(i).txt")
            try sampleArticle(20 + i).write(to: f, atomically: true, encoding: .utf8)
            paths.append(f.path)
        }
        let list = d.appendingPathComponent("list.txt")
        try (paths[1...].joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        let r = try run(["once", "--pipeline", DaemonHarness.repository.appendingPathComponent("pipelines/news.yaml").path,
                         "--files-from", list.path, paths[0]])
        XCTAssertEqual(r.status, 0, r.err)
        let origins = try r.out.split(separator: "\n").map {
            ((try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["origin"] as! [String: Any])["path"] as! String
        }
        XCTAssertEqual(Set(origins), Set(paths))
        XCTAssertEqual(try run(["once", "--pipeline", "p.yaml"]).status, 64, "no inputs at all is a usage error")
    }

    func testHelpShowsEachCommandWithAnExample() throws {
        for cmd in ["run", "validate", "once"] {
            let r = try run([cmd, "--help"])
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.out.contains("Example:"), "\(cmd): \(r.out)")
        }
    }
}

final class TrainedModelCommandTests: XCTestCase {
    private func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) { try DaemonHarness.run(args) }

    func testTrainEvaluateAndTheModelInThePipeline() throws {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: d) }
        var csv = "category,text\n"
        for n in 0..<30 {
            csv += "council,\"\(sampleArticle(n).replacingOccurrences(of: "\n", with: " "))\"\n"
            csv += "sport,\"The striker scored twice as the home side won the cup final \(n) in front of a record crowd at the stadium.\"\n"
        }
        try csv.write(to: d.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        let trained = try run(["train", "--data", d.appendingPathComponent("train.csv").path, "--out", d.appendingPathComponent("m.model").path])
        XCTAssertEqual(trained.status, 0, trained.err)
        XCTAssertTrue(trained.out.contains("trained on 60 examples"), trained.out)
        let evaluated = try run(["evaluate", "--model", d.appendingPathComponent("m.model").path, "--data", d.appendingPathComponent("train.csv").path])
        XCTAssertEqual(evaluated.status, 0, evaluated.err)
        XCTAssertTrue(evaluated.out.contains("accuracy 1.0000"), evaluated.out)
        XCTAssertTrue(evaluated.out.contains("confusion"), evaluated.out)

        var yaml = try String(contentsOf: DaemonHarness.repository.appendingPathComponent("pipelines/news.yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "  - use: classify\n", with: "  - use: classify\n    model: m.model\n")
        try yaml.write(to: d.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: DaemonHarness.repository.appendingPathComponent("pipelines/gazetteers"), to: d.appendingPathComponent("gazetteers"))
        try sampleArticle(77).write(to: d.appendingPathComponent("doc.txt"), atomically: true, encoding: .utf8)
        let once = try run(["once", "--pipeline", d.appendingPathComponent("p.yaml").path, "--output", "-", d.appendingPathComponent("doc.txt").path])
        XCTAssertEqual(once.status, 0, once.err)
        let record = try JSONSerialization.jsonObject(with: Data(once.out.utf8)) as! [String: Any]
        let category = (record["labels"] as? [String: Any])?["category"] as? [String: Any]
        XCTAssertEqual(category?["label"] as? String, "council", once.out)
        XCTAssertNotNil(category?["probability"] as? Double)

        let missing = try run(["validate", d.appendingPathComponent("p.yaml").path.replacingOccurrences(of: "p.yaml", with: "q.yaml")])
        XCTAssertNotEqual(missing.status, 0)
        try yaml.replacingOccurrences(of: "model: m.model", with: "model: nothing.model").write(to: d.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try run(["validate", d.appendingPathComponent("bad.yaml").path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue((bad.out + bad.err).contains("bad.yaml:") && (bad.out + bad.err).contains("cannot read the model file"), bad.out + bad.err)
    }
}
