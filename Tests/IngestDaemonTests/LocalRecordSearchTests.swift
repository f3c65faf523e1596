import Foundation
import IngestCore
import XCTest
@testable import IngestDaemon

/// `ingestd search` without a database: the records file and its rotated segments.
final class LocalRecordSearchTests: XCTestCase {
    func testTermsReadLikeAWebSearch() {
        let t = RecordQuery(text: #"Biegun "special envoy" -Moscow or  Kim"#).terms
        XCTAssertEqual(t.required, ["biegun", "special envoy", "kim"])
        XCTAssertEqual(t.excluded, ["moscow"])
    }

    private func record(_ id: String, _ at: String, title: String, text: String, site: String) -> String {
        #"{"id":"\#(id)","ingested_at":"\#(at)","site":"\#(site)","title":"\#(title)","text":"\#(text)"}"#
    }

    func testEveryWordMustAppearAndTheNewestMatchesComeOldestFirst() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("search-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("records.jsonl")
        // A rotated segment (older) beside the live file, and a file that is neither.
        try (record("s1", "2026-12-01T10:00:00Z", title: "Envoy Biegun in Seoul", text: "The special envoy met officials.", site: "Courier") + "\n")
            .write(to: dir.appendingPathComponent("records-2026-12-02T00-00-00.000Z.jsonl"), atomically: true, encoding: .utf8)
        try (record("x1", "2026-12-01T10:00:00Z", title: "Biegun envoy", text: "not ours", site: "Courier") + "\n")
            .write(to: dir.appendingPathComponent("other.jsonl"), atomically: true, encoding: .utf8)
        try [record("l1", "2026-12-04T09:00:00Z", title: "Talks stall", text: "Biegun said the envoy would return.", site: "Herald"),
             record("l2", "2026-12-04T10:00:00Z", title: "Harbour plan", text: "Council vote.", site: "Courier"),
             record("l3", "2026-12-04T11:00:00Z", title: "Biegun in Moscow", text: "The envoy flew on.", site: "Courier"),
             "a torn line {"].joined(separator: "\n").write(to: live, atomically: true, encoding: .utf8)
        let now = ISO8601DateFormatter().date(from: "2026-12-04T12:00:00Z")!
        func ids(_ q: RecordQuery) throws -> [String] {
            try LocalRecordSearch.run(q, recordsFile: live, now: now).map { String($0.dropFirst(7).prefix(2)) }
        }
        XCTAssertEqual(try ids(RecordQuery(text: "BIEGUN envoy")), ["s1", "l1", "l3"])
        XCTAssertEqual(try ids(RecordQuery(text: "biegun envoy -moscow")), ["s1", "l1"])
        XCTAssertEqual(try ids(RecordQuery(text: "\"special envoy\"")), ["s1"])
        XCTAssertEqual(try ids(RecordQuery(text: "biegun", since: 86_400)), ["l1", "l3"])
        XCTAssertEqual(try ids(RecordQuery(text: "biegun", site: "courier")), ["s1", "l3"])
        XCTAssertEqual(try ids(RecordQuery(text: "biegun", limit: 2)), ["l1", "l3"], "the newest two, oldest first")
        XCTAssertEqual(try ids(RecordQuery(text: "pyongyang")), [])
    }
}
