import Foundation
import IngestPostgres
import PostgresServer
import XCTest

/// A test class with a real PostgreSQL 15 of its own (started in class set-up, stopped in
/// tear-down) and a fresh database per test, its schema migrated.
class PostgresTestCase: XCTestCase {
    nonisolated(unsafe) static var servers: [ObjectIdentifier: PostgresServer] = [:]
    nonisolated(unsafe) static var startFailures: [ObjectIdentifier: String] = [:]

    override class func setUp() {
        super.setUp()
        do { servers[ObjectIdentifier(self)] = try PostgresServer() } catch {
            startFailures[ObjectIdentifier(self)] = "\(error)"
        }
    }

    override class func tearDown() {
        servers.removeValue(forKey: ObjectIdentifier(self))?.stop()
        super.tearDown()
    }

    var server: PostgresServer {
        get throws {
            guard let s = Self.servers[ObjectIdentifier(type(of: self))] else {
                XCTFail("PostgreSQL 15 did not start (scripts/ensure-deps installs it): \(Self.startFailures[ObjectIdentifier(type(of: self))] ?? "?")")
                throw XCTSkip("no server")
            }
            return s
        }
    }

    /// A new database with ingestd's schema; its connection string.
    func freshDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try PostgresConnection(try server.conninfo()).execute("CREATE DATABASE \(name)")
        let conninfo = try server.conninfo(database: name)
        try SchemaMigrations.apply(try PostgresConnection(conninfo))
        return conninfo
    }
}
