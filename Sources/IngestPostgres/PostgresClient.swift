import Dispatch
import Foundation
import IngestCore
import Logging

/// The connections of one node to the cluster's database, shared by the components that use it
/// (the dedupe stage, the postgres sink, the feed schedule): idle connections are kept for the
/// next caller, one per thread that uses them at once.
///
/// `run` retries what it is given when the database is away — the server stopped or restarted,
/// the network failed, a deadlock or serialization race — with exponential backoff (0.1 s
/// doubling to 5 s), forever, holding the calling thread: the daemon's workers then stop taking
/// documents, which is the backpressure. The outage is logged once when it starts and once when
/// it ends. A failure that is about the statement (a constraint, a type) is thrown at once.
public final class PostgresClient: Sendable {
    public struct Closed: Error, CustomStringConvertible {
        public var description: String { "the database client was closed while waiting for the database to come back" }
    }

    public let conninfo: String
    public let node: String
    private let logger: Logger
    private let idle = Locked<[PostgresConnection]>([])
    /// When the current outage began and why, nil while the database answers.
    private let outage = Locked<(began: DispatchTime, reason: String)?>(nil)
    private let closed = Locked(false)
    /// Signalled by `close()`, so a backoff wait ends at once.
    private let wake = DispatchSemaphore(value: 0)
    let maxDelay: Double

    public init(conninfo: String, node: String, logger: Logger, maxDelay: Double = 5) {
        self.conninfo = conninfo
        self.node = node
        self.logger = logger
        self.maxDelay = maxDelay
    }

    /// A component's client for `cluster` (its log lines carry `key: name`, e.g. `stage: dedupe`),
    /// connected once and its schema brought up to date (`prepare`), or the reason it cannot be.
    public static func prepared(for cluster: ClusterSettings, component key: String, _ name: String, logger: Logger) throws -> PostgresClient {
        var logger = logger
        logger[metadataKey: key] = .string(name)
        let client = PostgresClient(conninfo: cluster.postgres, node: cluster.node, logger: logger)
        do { _ = try client.prepare() } catch { throw Unusable(component: "\(key) \(name)", reason: "\(error)") }
        return client
    }

    /// A component could not use the cluster's database at start-up; the start is refused with this.
    public struct Unusable: Error, CustomStringConvertible {
        public var component: String
        public var reason: String
        public var description: String { "\(component): cannot use cluster.postgres: \(reason)" }
    }

    /// Connects once and brings the schema up to date: at start-up, where a database that cannot
    /// be reached or is newer than this ingestd refuses the start with the reason (systemd then
    /// restarts the unit), rather than a daemon that waits without saying so.
    public func prepare() throws -> (from: Int, to: Int) {
        let db = try PostgresConnection(conninfo)
        let versions = try SchemaMigrations.apply(db)
        if versions.from != versions.to {
            logger.notice("database schema migrated", metadata: ["from": "\(versions.from)", "to": "\(versions.to)"])
        }
        checkIn(db)
        return versions
    }

    /// `body` on a connection of its own; run again on a fresh connection after a transient
    /// failure (see the type's comment), so `body` must be one transaction or idempotent.
    public func run<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        var delay = 0.1
        while true {
            do {
                return try once(body)
            } catch is Transient {
                if wake.wait(timeout: .now() + delay * Double.random(in: 0.8...1.2)) == .success {
                    wake.signal()
                    throw Closed()
                }
                delay = min(delay * 2, maxDelay)
            }
        }
    }

    /// Why the database cannot be used now (an outage under way), or nil: what `/ready` says.
    public var problem: String? { outage.withLock { $0.map { "database unavailable: \($0.reason)" } } }

    /// `body` once, on a connection of its own: for callers that must not wait out an outage
    /// (the fetch schedule, which tries again at its next turn). A transient failure is logged
    /// as the start of an outage, as in `run`, and thrown.
    public func attempt<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        do { return try once(body) } catch let transient as Transient { throw transient.failure }
    }

    /// A failure `run` waits out: the database away, or a race it resolved by aborting.
    private struct Transient: Error { let failure: PostgresConnection.Failure }

    private func once<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        if closed.withLock({ $0 }) { throw Closed() }
        var connection: PostgresConnection?
        do {
            let db = try checkOut()
            connection = db
            let value = try body(db)
            checkIn(db)
            endOutage()
            return value
        } catch let failure as PostgresConnection.Failure where failure.isTransient || connection?.isBroken == true {
            // A broken connection is dropped (deinit closes it) with the idle ones, likely broken
            // too; a healthy one that lost a race goes back.
            if let connection, !connection.isBroken { checkIn(connection) } else { idle.withLock { $0.removeAll() } }
            beginOutage(failure)
            throw Transient(failure: failure)
        } catch {
            if let connection, !connection.isBroken { checkIn(connection) }
            throw error
        }
    }

    /// Ends every wait in `run` (it throws `Closed`) and closes the idle connections.
    public func close() {
        let first = closed.withLock { c -> Bool in defer { c = true }; return !c }
        if first { wake.signal() }
        idle.withLock { $0.removeAll() }
    }

    private func checkOut() throws -> PostgresConnection {
        if let db = idle.withLock({ $0.popLast() }) { return db }
        return try PostgresConnection(conninfo)
    }

    private func checkIn(_ db: PostgresConnection) {
        if closed.withLock({ $0 }) { return }
        idle.withLock { $0.append(db) }
    }

    private func beginOutage(_ failure: PostgresConnection.Failure) {
        let first = outage.withLock { o -> Bool in
            guard o == nil else { return false }
            o = (.now(), failure.description)
            return true
        }
        if first {
            logger.error("database unavailable; holding documents and retrying with backoff",
                         metadata: ["reason": .string(failure.description), "node": .string(node)])
        }
    }

    private func endOutage() {
        guard let began = outage.withLock({ o -> DispatchTime? in defer { o = nil }; return o?.began }) else { return }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9
        logger.notice("database available again; resuming",
                      metadata: ["down_seconds": .stringConvertible((seconds * 10).rounded() / 10), "node": .string(node)])
    }
}
