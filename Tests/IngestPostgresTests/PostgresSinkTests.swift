import Foundation
import IngestCore
import IngestPostgres
import LogCapture
import XCTest
@testable import IngestSinks

/// `sink: {type: postgres}` against a real PostgreSQL: rows, exactly once, and nothing
/// acknowledged while the database is away.
final class PostgresSinkTests: PostgresTestCase {
    /// `text` as it stands in the JSON, escapes and all.
    static func line(id: String, title: String, text escaped: String, site: String = "The Courier") -> [UInt8] {
        return Array(#"{"id":"\#(id)","schema":"ingestd.record/1","ingested_at":"2026-12-05T10:00:00.000Z","title":"\#(title)","site":"\#(site)","lang":"en","text":"\#(escaped)","labels":{"genre":"news"},"dedupe":{"status":"unique"}}"#.utf8)
    }

    /// Submits and waits for the completion (which must come within `timeout`).
    static func write(_ sink: any RecordSink, _ line: [UInt8]?, timeout: Double = 30) -> (any Error)?? {
        let done = DispatchSemaphore(value: 0)
        let result = Locked<(any Error)??>(nil)
        sink.submit(line) { error in
            result.withLock { $0 = .some(error) }
            done.signal()
        }
        _ = done.wait(timeout: .now() + timeout)
        return result.withLock { $0 }
    }

    func testRecordsBecomeSearchableRowsOnceEach() throws {
        let conninfo = try freshDatabase()
        let log = CapturedLog()
        let synced = Locked(0)
        let sink = PostgresSink(client: PostgresClient(conninfo: conninfo, node: "desk-a", logger: log.logger()),
                                beforeCommit: { synced.withLock { $0 += 1 } })
        XCTAssertNil(Self.write(sink, Self.line(id: "r1", title: "Envoy Biegun returns", text: "The special envoy met officials in Pyongyang.")) ?? nil)
        XCTAssertEqual(synced.withLock { $0 }, 1, "the stages made their state durable before the commit")
        // Replayed after a crash, on this node or another: no second row.
        XCTAssertNil(Self.write(sink, Self.line(id: "r1", title: "Envoy Biegun returns", text: "The special envoy met officials in Pyongyang.")) ?? nil)
        // A NUL in the text (jsonb refuses U+0000) and an escaped backslash before a "u".
        XCTAssertNil(Self.write(sink, Self.line(id: "r2", title: "Harbour", text: #"odd\u0000byte and a \\u0000 that is text"#)) ?? nil)
        XCTAssertNil(Self.write(sink, nil) ?? nil, "a barrier commits nothing and completes")

        let db = try PostgresConnection(conninfo)
        XCTAssertEqual(try db.execute("SELECT count(*) FROM ingestd_records").rows[0][0], "2")
        let hit = try db.execute("SELECT id, node, site, title, lang, genre, dedupe_status FROM ingestd_records WHERE tsv @@ websearch_to_tsquery('english', $1)",
                                 ["Biegun envoy"])
        XCTAssertEqual(hit.rows, [["r1", "desk-a", "The Courier", "Envoy Biegun returns", "en", "news", "unique"]])
        XCTAssertEqual(try db.execute("SELECT record->>'text' FROM ingestd_records WHERE id = 'r2'").rows[0][0],
                       "odd\u{FFFD}byte and a \\u0000 that is text")
        XCTAssertEqual(try db.execute("SELECT ingested_at = '2026-12-05T10:00:00Z'::timestamptz FROM ingestd_records WHERE id = 'r1'").rows[0][0], "t")
        XCTAssertEqual(try sink.existingIDs(), ["r1", "r2"])
        XCTAssertEqual(try sink.existingIDs(writtenSince: Date(timeIntervalSince1970: 1_900_000_000)), [])
        try sink.close()
    }

    /// The server stops: the submission is held (not acknowledged, not failed), the outage is
    /// logged once, and the record is written when the server is back.
    func testNothingIsAcknowledgedWhileTheDatabaseIsAway() throws {
        let conninfo = try freshDatabase()
        let log = CapturedLog()
        let sink = PostgresSink(client: PostgresClient(conninfo: conninfo, node: "desk-a", logger: log.logger(), maxDelay: 0.5))
        XCTAssertNil(Self.write(sink, Self.line(id: "before", title: "t", text: "first")) ?? nil)
        try server.pause()
        let done = DispatchSemaphore(value: 0)
        let outcome = Locked<(any Error)??>(nil)
        sink.submit(Self.line(id: "during", title: "t", text: "second")) { error in
            outcome.withLock { $0 = .some(error) }
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 2), .timedOut, "acknowledged while the database was away")
        XCTAssertNotNil(sink.writeProblem)
        try server.resume()
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success)
        XCTAssertNil(outcome.withLock { $0 } ?? nil)
        XCTAssertNil(sink.writeProblem)
        let db = try PostgresConnection(conninfo)
        XCTAssertEqual(try db.execute("SELECT id FROM ingestd_records ORDER BY id").rows, [["before"], ["during"]])
        let messages = log.lines.map(\.message)
        XCTAssertEqual(messages.filter { $0.hasPrefix("database unavailable") }.count, 1, "\(messages)")
        XCTAssertEqual(messages.filter { $0.hasPrefix("database available again") }.count, 1, "\(messages)")
        try sink.close()
    }
}
