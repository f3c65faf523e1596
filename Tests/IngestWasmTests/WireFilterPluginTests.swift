import XCTest
import IngestCore
import IngestWasm

/// The reference plugin, pipelines/plugins/wire_filter.c, built by scripts/build-plugins.
final class WireFilterPluginTests: XCTestCase {
    private func wireFilter(options: JSONValue = .object([])) throws -> WasmPlugin {
        let bytes = try WasmFixtures.wireFilter.get()
        let plugin = try WasmFixtures.plugin(bytes, name: "wire-filter", fuel: 5_000_000, maxMemoryBytes: 16 << 20, options: options)
        try plugin.start()
        return plugin
    }

    private func verdict(_ plugin: WasmPlugin, _ text: String) throws -> PluginAnswer {
        try plugin.process(id: "doc-1", document: WasmFixtures.article(text: text, id: "doc-1"),
                           allowedWrites: ["extensions.wire-filter"])
    }

    private func flagged(_ wire: Bool, _ agency: String?) -> PluginAnswer {
        .set([.init(path: "extensions.wire-filter",
                    value: .object([("wire", .bool(wire)), ("agency", JSONValue.string(agency))]))])
    }

    func testCreditsInTheLeadAreFound() throws {
        let plugin = try wireFilter()
        XCTAssertEqual(try verdict(plugin, "LONDON (Reuters) - Britain's economy grew.\n" + WasmFixtures.filler), flagged(true, "Reuters"))
        XCTAssertEqual(try verdict(plugin, "WASHINGTON (AP) — The Senate voted."), flagged(true, "AP"))
        XCTAssertEqual(try verdict(plugin, "PARIS, Dec 4 (AFP) – Strikes disrupted trains."), flagged(true, "AFP"))
        XCTAssertEqual(try verdict(plugin, "SEOUL, Dec. 4 (Yonhap) -- The central bank held rates."), flagged(true, "Yonhap"))
    }

    func testOwnReportingIsNotWire() throws {
        let plugin = try wireFilter()
        XCTAssertEqual(try verdict(plugin, WasmFixtures.filler), flagged(false, nil))
        // A parenthesis without a dash, and an agency named in passing, are not credits.
        XCTAssertEqual(try verdict(plugin, "The agency (Reuters) reported it first, and \"AP\" confirmed."), flagged(false, nil))
        // A credit past the lead is a quotation, not a dateline.
        XCTAssertEqual(try verdict(plugin, WasmFixtures.filler + "As (Reuters) - reported."), flagged(false, nil))
        XCTAssertEqual(try verdict(plugin, ""), flagged(false, nil))
    }

    func testEscapedTextIsDecodedBeforeMatching() throws {
        let plugin = try wireFilter()
        // The em dash arrives as UTF-8 here, and the JSON writer escapes quotes and line breaks around it.
        XCTAssertEqual(try verdict(plugin, "\"Quote\"\n\tBERLIN (dpa) \u{2014} Text."), flagged(true, "dpa"))
    }

    func testDropWireOptionDropsWireCopy() throws {
        let plugin = try wireFilter(options: .object([("drop_wire", .bool(true))]))
        XCTAssertEqual(try verdict(plugin, "TOKYO (Kyodo) - Quake."), .drop(reason: "wire copy (Kyodo)"))
        XCTAssertEqual(try verdict(plugin, "Our own story."), flagged(false, nil))
    }

    func testABadOptionFailsStartWithThePluginsMessage() throws {
        let bytes = try WasmFixtures.wireFilter.get()
        let plugin = try WasmFixtures.plugin(bytes, name: "wire-filter", options: .object([("drop_wire", .string("yes"))]))
        XCTAssertThrowsError(try plugin.start()) { error in
            let failure = error as? WasmPluginError
            XCTAssertEqual(failure?.kind, .initFailed)
            XCTAssertTrue(failure?.message.contains("option drop_wire must be true or false") ?? false, "\(error)")
        }
    }

    func testTheExtensionKeyFollowsTheStageName() throws {
        let bytes = try WasmFixtures.wireFilter.get()
        let plugin = try WasmFixtures.plugin(bytes, name: "desk-wire")
        try plugin.start()
        let answer = try plugin.process(id: "x", document: WasmFixtures.article(text: "(AP) - x", id: "x"),
                                        allowedWrites: ["extensions.desk-wire"])
        XCTAssertEqual(answer, .set([.init(path: "extensions.desk-wire",
                                           value: .object([("wire", .bool(true)), ("agency", .string("AP"))]))]))
    }

    func testAWriteOutsideTheDeclaredOnesIsAProtocolFault() throws {
        let plugin = try wireFilter()
        XCTAssertThrowsError(try plugin.process(id: "d", document: WasmFixtures.article(text: "x", id: "d"),
                                                allowedWrites: ["labels.topics"])) { error in
            let rejection = error as? Rejection
            XCTAssertEqual(rejection?.code, .pluginProtocol)
            XCTAssertEqual(rejection?.stage, "wire-filter")
            XCTAssertTrue(rejection?.evidence?.contains("extensions.wire-filter") ?? false)
        }
    }
}
