import Foundation
import IngestCore
import IngestExec
import XCTest

/// The shipped reference plugin, pipelines/plugins/keyword_alerts.py, run by the engine.
final class KeywordAlertsPluginTests: XCTestCase {
    private var fx: PluginFixture!

    override func setUpWithError() throws { fx = try PluginFixture() }
    override func tearDown() { fx.remove() }

    private static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pipelines/plugins/keyword_alerts.py").path

    private func engine(_ options: JSONValue) -> ExecPlugin {
        fx.engine(fx.settings([PluginFixture.python3, Self.script], name: "keyword-alerts") {
            $0.options = options
            $0.instances = 2
        })
    }

    private let writes = ["extensions.keyword-alerts"]

    func testFlagsWatchedTermsAsWholeWordsInWatchListOrder() async throws {
        let engine = engine(.object([("watch", .array([.string("tsunami"), .string("central bank"), .string("war")]))]))
        try await engine.start()
        let hit = try await engine.process(id: "a", document: .object([
            ("title", .string("Central Bank raises rates")),
            ("text", .string("After the tsunami warning, the central bank met. Tsunami drills. No software news.")),
        ]), allowedWrites: writes)
        XCTAssertEqual(hit.value("extensions.keyword-alerts"), .object([
            ("matches", .array([.string("tsunami"), .string("central bank")])), ("count", .int(4)),
        ]))
        let miss = try await engine.process(id: "b", document: .object([("text", .string("warfare and software"))]), allowedWrites: writes)
        XCTAssertEqual(miss.value("extensions.keyword-alerts"), .object([("matches", .array([])), ("count", .int(0))]))
        await engine.stop()
    }

    func testManyDocumentsPipelinedEachGetTheirOwnAnswer() async throws {
        let engine = engine(.object([("watch", .array([.string("alpha")]))]))
        try await engine.start()
        let counts = try await withThrowingTaskGroup(of: (Int, JSONValue?).self) { group in
            for n in 0..<200 {
                group.addTask {
                    let text = Array(repeating: "alpha", count: n % 7).joined(separator: " ")
                    let a = try await engine.process(id: "d\(n)", document: .object([("text", .string(text))]), allowedWrites: ["extensions.keyword-alerts"])
                    return (n, a.value("extensions.keyword-alerts")?.member("count"))
                }
            }
            return try await group.reduce(into: [Int: JSONValue?]()) { $0[$1.0] = $1.1 }
        }
        await engine.stop()
        XCTAssertEqual(counts.count, 200)
        for (n, c) in counts { XCTAssertEqual(c, .int(n % 7), "document \(n)") }
    }

    func testOnlyMatchingDropsTheRest() async throws {
        let engine = engine(.object([("watch", .array([.string("flood")])), ("only_matching", .bool(true))]))
        try await engine.start()
        let answer = try await engine.process(id: "c", document: .object([("text", .string("sunny"))]), allowedWrites: writes)
        XCTAssertEqual(answer, .drop(reason: "no watched term"))
        await engine.stop()
    }

    func testABadWatchListStopsTheStartWithThePluginsMessage() async throws {
        let engine = engine(.object([("watch", .string("tsunami"))]))
        do {
            try await engine.start()
            XCTFail("started with a bad watch list")
        } catch let error as ExecPluginStartError {
            XCTAssertTrue(error.message.contains("options.watch must be a non-empty list"), error.message)
        }
    }
}
