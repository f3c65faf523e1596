import Foundation
import XCTest
@testable import IngestCore
@testable import IngestInputs
@testable import IngestSinks

/// `sink.rotate` and the drop folder's retentions, read and refused by the real components.
final class RetentionConfigTests: XCTestCase {
    private let registry = ComponentRegistry(
        stages: StageRegistry([StageFactory(name: "noop", summary: "test stage") { _ in NoStage() }]),
        sources: [DropFolderComponent.factory], sinks: [JSONLinesSinkComponent.factory])

    private struct NoStage: StageBuilder {
        func build(_ context: StageContext) throws -> any Stage { fatalError("not built in these tests") }
    }

    private func parse(_ yaml: String) throws -> PipelineConfig {
        try PipelineLoader.parse(yaml: "stages:\n  - use: noop\n" + yaml, file: URL(fileURLWithPath: "/p/p.yaml"), displayName: "p.yaml",
                                 baseDirectory: URL(fileURLWithPath: "/p"), registry: registry)
    }

    private func issues(_ yaml: String) -> [String] {
        do {
            _ = try parse(yaml)
            return []
        } catch let e as ConfigError { return e.issues.map(\.description) } catch { return ["\(error)"] }
    }

    func testRotateOptionsAreRead() throws {
        let c = try parse("sink:\n  path: records/r.jsonl\n  rotate: {max_bytes: 256MB, every: 1d, keep: 90d, compress: zstd}\n")
        let rotation = try XCTUnwrap((c.sink.builder as? JSONLinesSinkComponent.Builder)?.rotation)
        XCTAssertEqual(rotation, RotationSettings(maxBytes: 256_000_000, every: 86400, keep: 90 * 86400, compression: .zstd))
        XCTAssertNil((try parse("sink:\n  path: r.jsonl\n").sink.builder as? JSONLinesSinkComponent.Builder)?.rotation)
    }

    func testBadRotateOptionsAreRefusedWithTheirPlace() {
        XCTAssertEqual(issues("sink:\n  rotate: {compress: gzip}\n"),
                       ["p.yaml:4:11: sink.rotate: give max_bytes, every or both: without either the records file is never rotated"])
        XCTAssertEqual(issues("sink:\n  rotate:\n    every: 1d\n    compress: lz4\n"),
                       ["p.yaml:6:15: sink.rotate.compress: 'lz4' is not one of none, gzip, zstd"])
        XCTAssertEqual(issues("sink:\n  rotate:\n    max_bytes: 10\n").count, 1)
        XCTAssertEqual(issues("sink:\n  rotate:\n    every: 1d\n    keep: 10m\n").count, 1)
        XCTAssertEqual(issues("sink:\n  rotate:\n    every: 1d\n    kep: 90d\n"),
                       ["p.yaml:6:5: sink.rotate: unknown key 'kep'; did you mean 'keep'?"])
    }

    func testDropFolderRetentionsAreReadAndOffByDefault() throws {
        let c = try parse("sources:\n  drop_folder: {path: in, done_retention: 7d, failed_retention: 30d}\n")
        let d = try XCTUnwrap(c.sources.lazy.compactMap { DropFolderComponent.settings(of: $0.builder) }.first)
        XCTAssertEqual(d.doneRetention, 7 * 86400)
        XCTAssertEqual(d.failedRetention, 30 * 86400)
        let plain = try XCTUnwrap(try parse("sources:\n  drop_folder: {path: in}\n").sources.lazy
            .compactMap { DropFolderComponent.settings(of: $0.builder) }.first)
        XCTAssertNil(plain.doneRetention)
        XCTAssertNil(plain.failedRetention)
        XCTAssertEqual(issues("sources:\n  drop_folder: {path: in, done_retention: soon}\n").count, 1)
    }
}
