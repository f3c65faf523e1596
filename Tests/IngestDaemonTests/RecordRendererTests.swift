import Foundation
import XCTest
import IngestCore
@testable import IngestDaemon

final class RecordRendererTests: XCTestCase {
    private let utc = TimeZone(identifier: "UTC")!

    private func record(title: String?, site: String?, topics: [String], dedupe: String?, url: String? = nil) -> String {
        let origin: JSONValue = .object([("kind", .string(url == nil ? "file" : "url")), ("path", .string(url ?? "/in/a.txt"))]
                                        + (url.map { [("url", JSONValue.string($0))] } ?? []))
        return JSONValue.object([
            ("id", .string("0123456789abcdef0123456789abcdef")), ("schema", .string(RecordSchema.version)),
            ("ingested_at", .string("2026-11-24T05:31:02.123Z")), ("origin", origin),
            ("title", .string(title)), ("site", .string(site)),
            ("dedupe", dedupe.map { .object([("status", .string($0)), ("of", .null), ("similarity", .null)]) } ?? .null),
            ("labels", .object([("topics", .array(topics.map { .object([("name", .string($0)), ("score", .double(3.5))]) })),
                                ("genre", .null)])),
        ]).serialized()
    }

    func testOneLinePerRecordWithTimeOutletTitleTopicsAndStatus() {
        let r = RecordRenderer(style: TerminalStyle(colored: false), timeZone: utc, width: nil)
        XCTAssertEqual(r.render(record(title: "Leaders meet again as talks resume", site: "The Korea Herald",
                                       topics: ["diplomacy", "nuclear"], dedupe: "duplicate")),
                       "05:31:02  The Korea Herald  Leaders meet again as talks resume  diplomacy,nuclear  duplicate")
        XCTAssertEqual(r.render(record(title: nil, site: nil, topics: [], dedupe: nil, url: "https://news.example.org/a/1")),
                       "05:31:02  news.example.org  (no title)  -  -", "a fetched page without an outlet shows its host")
        XCTAssertNil(r.render("{\"id\":\"x\",\"tit"), "not a record")
        XCTAssertNil(r.render("[1,2]"))
    }

    func testTheTitleIsCutToTheTerminalWidth() {
        let r = RecordRenderer(style: TerminalStyle(colored: false), timeZone: utc, width: 60)
        let line = r.render(record(title: "A very long headline about the harbour board's decision on the east quay ferry terminal",
                                   site: "Coast Courier", topics: ["economy"], dedupe: "unique"))!
        XCTAssertEqual(DisplayWidth.of(line), 60, line)
        XCTAssertTrue(line.contains("  A very long headl…  "), line)
        XCTAssertTrue(line.hasSuffix("economy  unique"), line)
        // Wide characters take two columns each.
        XCTAssertEqual(DisplayWidth.of("北朝鮮"), 6)
        XCTAssertEqual(DisplayWidth.cut("北朝鮮の首脳会談", to: 7), "北朝鮮…")
    }

    func testColourOnlyWhenAsked() {
        let plain = RecordRenderer(style: TerminalStyle(colored: false), timeZone: utc, width: nil)
        let coloured = RecordRenderer(style: TerminalStyle(colored: true), timeZone: utc, width: nil)
        let line = record(title: "T", site: "S", topics: [], dedupe: "unique")
        XCTAssertFalse(plain.render(line)!.contains("\u{1B}"))
        XCTAssertTrue(coloured.render(line)!.contains("\u{1B}[32munique\u{1B}[0m"))
    }
}

final class ProgressLineTests: XCTestCase {
    func testCountRateAndTimeLeftFitTheWidth() {
        let line = ProgressLine.render(done: 250, total: 1000, elapsed: 10, width: 80)
        XCTAssertTrue(line.hasSuffix("  250/1000  25.0 docs/s  ETA 0:30"), line)
        XCTAssertTrue(line.hasPrefix("[" + String(repeating: "#", count: 10) + String(repeating: "-", count: 30) + "]"), line)
        XCTAssertLessThan(line.count, 80)
        XCTAssertEqual(ProgressLine.render(done: 0, total: 50, elapsed: 0, width: 80).suffix(9), "ETA --:--")
        XCTAssertFalse(ProgressLine.render(done: 5, total: 50, elapsed: 1, width: 30).contains("["), "no bar on a narrow terminal")
        XCTAssertEqual(ProgressLine.clock(3725), "1:02:05")
        XCTAssertEqual(ProgressLine.clock(59.2), "1:00")
    }
}
