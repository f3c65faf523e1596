import Foundation
import XCTest

/// `use: wasm` and the shipped plugin pipeline through the real binary.
final class WasmStageTests: XCTestCase {
    private var dir: URL!

    /// A copy of pipelines/ with the wasm plugins built into it, as scripts/run builds them.
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wasm-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        _ = try DaemonHarness.copyPipelinesWithPlugins(into: dir)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func once(_ pipeline: URL, _ inputs: [URL]) throws -> (status: Int32, records: [[String: Any]], log: [[String: Any]]) {
        // python3 on PATH may be a version manager's shim; the plugin only needs an interpreter.
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = URL(fileURLWithPath: DaemonHarness.python3).deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        let r = try DaemonHarness.run(["once", "--pipeline", pipeline.path] + inputs.map(\.path), environment: env)
        func lines(_ s: String) -> [[String: Any]] {
            s.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        return (r.status, lines(r.out), lines(r.err))
    }

    private func write(_ name: String, _ text: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private let wire = """
        Talks stall over sanctions

        HANOI (Reuters) - The second summit between the two leaders ended early on Thursday after talks \
        stalled over sanctions relief, officials said, and no joint statement was signed.

        Both sides said working-level contacts on denuclearization would continue in the coming weeks.
        """

    private let own = """
        What the summit means for the region

        By Our Correspondent

        The collapse of the summit leaves the region where it was a year ago, with missile tests paused \
        but no agreement on what comes next, and neighbours watching for the next move.

        Diplomats in Seoul said they still hoped for a third meeting before the end of the year.
        """

    func testTheShippedPluginPipelineMarksWireCopyAndWatchListHits() throws {
        let r = try once(dir.appendingPathComponent("pipelines/plugins.yaml"), [try write("wire.txt", wire), try write("own.txt", own)])
        XCTAssertEqual(r.status, 0, "\(r.log)")
        XCTAssertEqual(r.records.count, 2)
        func ext(_ name: String) -> [String: Any] {
            let record = r.records.first { (($0["origin"] as? [String: Any])?["path"] as? String)?.hasSuffix(name) == true }
            return record?["extensions"] as? [String: Any] ?? [:]
        }
        XCTAssertEqual((ext("wire.txt")["wire-filter"] as? [String: Any])?["wire"] as? Bool, true)
        XCTAssertEqual((ext("wire.txt")["wire-filter"] as? [String: Any])?["agency"] as? String, "Reuters")
        XCTAssertEqual((ext("own.txt")["wire-filter"] as? [String: Any])?["wire"] as? Bool, false)
        XCTAssertEqual((ext("wire.txt")["keyword-alerts"] as? [String: Any])?["matches"] as? [String], ["sanctions", "denuclearization", "summit"])
        XCTAssertEqual((ext("own.txt")["keyword-alerts"] as? [String: Any])?["matches"] as? [String], ["missile", "summit"])
    }

    func testAModuleOutOfFuelRejectsEachDocumentAndTheRunGoesOn() throws {
        let pipeline = dir.appendingPathComponent("pipelines/fuel.yaml")
        try """
            stages:
              - use: normalize
              - use: wasm
                name: wire-filter
                module: plugins/wire_filter.wasm
                fuel: 10000
            """.write(to: pipeline, atomically: true, encoding: .utf8)
        let r = try once(pipeline, [try write("a.txt", wire), try write("b.txt", own)])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.records.count, 0)
        let rejected = r.log.filter { $0["msg"] as? String == "document rejected" }
        XCTAssertEqual(rejected.count, 2, "\(r.log)")
        XCTAssertTrue(rejected.allSatisfy { $0["reason"] as? String == "plugin_fuel" && $0["stage"] as? String == "wire-filter" }, "\(rejected)")
    }

    func testAModuleThatImportsIsRefusedAtItsKey() throws {
        let wat = dir.appendingPathComponent("pipelines/plugins/imports.wasm")
        // (module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))))
        let bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                              0x01, 0x09, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f,
                              0x02, 0x23, 0x01, 0x16] + Array("wasi_snapshot_preview1".utf8) + [0x08] + Array("fd_write".utf8) + [0x00, 0x00]
        try Data(bytes).write(to: wat)
        let pipeline = dir.appendingPathComponent("pipelines/imports.yaml")
        try "stages:\n  - use: normalize\n  - use: wasm\n    name: w\n    module: plugins/imports.wasm\n".write(to: pipeline, atomically: true, encoding: .utf8)
        let r = try DaemonHarness.run(["validate", pipeline.path])
        let e = r.err
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(e.hasPrefix("\(pipeline.path):5:13: stages[1].module: "), e)
        XCTAssertTrue(e.contains("wasi_snapshot_preview1"), e)
    }
}
