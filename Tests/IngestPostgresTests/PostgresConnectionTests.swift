import Foundation
import PostgresServer
import XCTest
@testable import IngestPostgres

/// Against a real PostgreSQL 15 started for these tests (Tests/PostgresServer): nothing mocked.
final class PostgresConnectionTests: PostgresTestCase {
    private func connect() throws -> PostgresConnection {
        try PostgresConnection(try server.conninfo())
    }

    func testParametersAreValuesNeverSQL() throws {
        let db = try connect()
        let rows = try db.execute("SELECT $1::text AS a, $2::text AS b, $3::integer + 1 AS c", ["x'; DROP TABLE y; --", nil, "41"])
        XCTAssertEqual(rows.columns, ["a", "b", "c"])
        XCTAssertEqual(rows.rows.first ?? [], ["x'; DROP TABLE y; --", nil, "42"])
    }

    func testErrorsCarryTheServersSQLState() throws {
        let db = try connect()
        try db.execute("CREATE TEMP TABLE t (k text PRIMARY KEY)")
        try db.execute("INSERT INTO t VALUES ($1)", ["a"])
        XCTAssertThrowsError(try db.execute("INSERT INTO t VALUES ($1)", ["a"])) {
            XCTAssertEqual(($0 as? PostgresConnection.Failure)?.sqlState, "23505", "\($0)")
        }
        XCTAssertThrowsError(try PostgresConnection("host=/nonexistent-socket-dir dbname=x connect_timeout=2")) {
            XCTAssertEqual(($0 as? PostgresConnection.Failure)?.action, "connect")
        }
    }

    func testATransactionThatThrowsLeavesNothing() throws {
        let db = try connect()
        try db.execute("CREATE TEMP TABLE u (k text)")
        struct Stop: Error {}
        XCTAssertThrowsError(try db.transaction {
            try db.execute("INSERT INTO u VALUES ('a')")
            throw Stop()
        })
        XCTAssertEqual(try db.execute("SELECT count(*) FROM u").rows.first?.first ?? nil, "0")
        try db.transaction { try db.execute("INSERT INTO u VALUES ('b')") }
        XCTAssertEqual(try db.execute("SELECT count(*) FROM u").rows.first?.first ?? nil, "1")
    }

    func testMigrationsApplyOnceAndANewerSchemaIsRefused() throws {
        let db = try connect()
        try db.execute("CREATE DATABASE migrate_test")
        let m = try PostgresConnection(try server.conninfo(database: "migrate_test"))
        let first = try SchemaMigrations.apply(m)
        XCTAssertEqual(first.from, 0)
        XCTAssertEqual(first.to, SchemaMigrations.latest)
        let again = try SchemaMigrations.apply(m)
        XCTAssertEqual(again.from, SchemaMigrations.latest, "applied once")
        // A record row: generated columns and full-text search over title and text.
        let record = #"{"title":"Envoy Biegun returns to Pyongyang","text":"The US special envoy met officials.","site":"Courier","labels":{"genre":"news"},"dedupe":{"status":"unique"}}"#
        try m.execute("INSERT INTO ingestd_records (id, node, ingested_at, record) VALUES ($1, $2, now(), $3::jsonb)", ["r1", "desk-a", record])
        let hit = try m.execute("SELECT id, site, genre, dedupe_status FROM ingestd_records WHERE tsv @@ websearch_to_tsquery('english', $1)", ["Biegun envoy"])
        XCTAssertEqual(hit.rows.first ?? [], ["r1", "Courier", "news", "unique"])
        XCTAssertTrue(try m.execute("SELECT id FROM ingestd_records WHERE tsv @@ websearch_to_tsquery('english', $1)", ["harbour"]).rows.isEmpty)
        // A schema from a newer ingestd.
        try m.execute("INSERT INTO ingestd_schema (version) VALUES ($1::integer)", [String(SchemaMigrations.latest + 1)])
        XCTAssertThrowsError(try SchemaMigrations.apply(m)) {
            XCTAssertEqual($0 as? SchemaMigrations.Newer, SchemaMigrations.Newer(database: SchemaMigrations.latest + 1, known: SchemaMigrations.latest))
        }
    }
}
