import Foundation
import IngestBuiltins
import IngestCore
import IngestPostgres
import LogCapture
import XCTest
@testable import IngestSinks

/// `cluster:` and the postgres sink in the pipeline file, and a list of sinks.
final class ClusterConfigTests: PostgresTestCase {
    private func load(_ yaml: String) throws -> PipelineConfig {
        let base = URL(fileURLWithPath: "/nonexistent-cluster-config")
        return try PipelineLoader.parse(yaml: yaml, file: base.appendingPathComponent("p.yaml"), displayName: "p.yaml",
                                        baseDirectory: base, registry: BuiltinComponents.registry)
    }

    private func problems(_ yaml: String) -> [String] {
        do {
            _ = try load(yaml)
            return []
        } catch let e as ConfigError {
            return e.issues.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    private let stages = "stages:\n  - use: normalize\n"

    func testClusterSettingsAreReadAndAPasswordInThemIsRefusedAtItsLine() throws {
        let ok = try load("cluster:\n  postgres: \"postgresql:///ingestd?host=/run/postgresql\"\n  node: desk-a\n" + stages)
        XCTAssertEqual(ok.cluster, ClusterSettings(postgres: "postgresql:///ingestd?host=/run/postgresql", node: "desk-a"))
        XCTAssertEqual(try load("cluster:\n  postgres: \"dbname=ingestd\"\n" + stages).cluster?.node, ClusterSettings.hostName)
        XCTAssertNil(try load(stages).cluster, "no cluster: the local files")

        for (conninfo, column) in [("postgresql://ingest:s3cret@db.internal/ingestd", 13), ("host=db user=ingest password=s3cret", 13),
                                   ("postgres://db/ingestd?sslmode=require&password=x", 13)] {
            let p = problems("cluster:\n  postgres: \"\(conninfo)\"\n" + stages)
            XCTAssertEqual(p.count, 1, "\(p)")
            XCTAssertTrue(p.first?.hasPrefix("p.yaml:2:\(column): cluster.postgres:") ?? false, "\(p)")
            XCTAssertTrue(p.first?.contains("password file") ?? false, "\(p)")
        }
        XCTAssertEqual(problems("cluster:\n  node: desk-a\n" + stages).count, 1)
        XCTAssertTrue(problems("cluster:\n  postgres: \"dbname=x\"\n  node: \"desk a\"\n" + stages).first?.contains("node name") ?? false)
        XCTAssertTrue(problems("cluster:\n  postgres: \"dbname=x\"\n  nodes: a\n" + stages).first?.contains("unknown key 'nodes'") ?? false)
    }

    func testThePostgresSinkNeedsTheClustersDatabase() throws {
        let p = problems(stages + "sink:\n  type: postgres\n")
        XCTAssertEqual(p.count, 1, "\(p)")
        XCTAssertTrue(p.first?.contains("add cluster:") ?? false, "\(p)")
        let config = try load("cluster:\n  postgres: \"dbname=x\"\n  node: n1\n" + stages + "sink:\n  type: postgres\n")
        XCTAssertEqual(config.sink.name, "postgres")
        XCTAssertEqual(config.sink.builder.summary, "postgres(n1)")
        XCTAssertNil(config.sink.builder.startupMetadata["records"], "no records file for tail --records to follow")
    }

    func testASinkListWritesEveryRecordToEachAndIsListedOnce() throws {
        let conninfo = try freshDatabase()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fanout-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml = "cluster:\n  postgres: \"\(conninfo)\"\n  node: n1\n" + stages
            + "sink:\n  - type: jsonl\n    path: \(dir.path)/records.jsonl\n  - type: postgres\n"
        let config = try load(yaml)
        XCTAssertEqual(config.sink.name, "jsonl+postgres")
        XCTAssertEqual(config.sink.builder.startupMetadata["records"], .string(dir.path + "/records.jsonl"))
        XCTAssertTrue(problems(yaml + "  - type: postgres\n").first?.contains("listed twice") ?? false)

        let sink = try config.sink.builder.build(SinkContext(logger: CapturedLog().logger(), beforeCommit: {}))
        XCTAssertNil(PostgresSinkTests.write(sink, PostgresSinkTests.line(id: "r1", title: "t", text: "one")) ?? nil)
        try sink.close()
        let db = try PostgresConnection(conninfo)
        XCTAssertEqual(try db.execute("SELECT id FROM ingestd_records").rows, [["r1"]])
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("records.jsonl"), encoding: .utf8).split(separator: "\n").count, 1)

        // A crash left r2 in the file only: it is not taken as recorded, and running it again
        // adds the row without a second line in the file.
        try (String(decoding: PostgresSinkTests.line(id: "r2", title: "t", text: "two"), as: UTF8.self) + "\n")
            .appendLine(to: dir.appendingPathComponent("records.jsonl"))
        let again = try config.sink.builder.build(SinkContext(logger: CapturedLog().logger(), beforeCommit: {}))
        XCTAssertEqual(try again.existingIDs(), ["r1"])
        XCTAssertNil(PostgresSinkTests.write(again, PostgresSinkTests.line(id: "r2", title: "t", text: "two")) ?? nil)
        try again.close()
        XCTAssertEqual(try db.execute("SELECT id FROM ingestd_records ORDER BY id").rows, [["r1"], ["r2"]])
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("records.jsonl"), encoding: .utf8).split(separator: "\n").count, 2)
    }
}

private extension String {
    func appendLine(to file: URL) throws {
        let h = try FileHandle(forWritingTo: file)
        try h.seekToEnd()
        try h.write(contentsOf: Data(utf8))
        try h.close()
    }
}

/// deploy/cluster/example-node.yaml stays a valid pipeline (with the gazetteers it names beside it, as installed).
final class ClusterDeployExampleTests: XCTestCase {
    func testTheDeployExampleIsAValidClusterPipeline() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: repository.appendingPathComponent("deploy/cluster/example-node.yaml"),
                                         to: dir.appendingPathComponent("news.yaml"))
        try FileManager.default.copyItem(at: repository.appendingPathComponent("pipelines/gazetteers"), to: dir.appendingPathComponent("gazetteers"))
        let config = try PipelineLoader.load(file: dir.appendingPathComponent("news.yaml"), registry: BuiltinComponents.registry)
        XCTAssertEqual(config.cluster?.node, "desk-a")
        XCTAssertEqual(config.sink.name, "jsonl+postgres")
        XCTAssertEqual(config.stages.map(\.name), ["normalize", "dedupe", "classify"])
    }
}
