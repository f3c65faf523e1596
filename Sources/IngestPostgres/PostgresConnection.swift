import CLibPQ
import Glibc

/// One connection to PostgreSQL through libpq: parameterized statements (text format, so a value
/// never becomes SQL), transactions, and errors that carry the server's SQLSTATE. Synchronous and
/// not for two threads at once: the daemon gives each worker its own, on its blocking-work queues.
public final class PostgresConnection: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        /// What was being done ("connect", the statement's first words).
        public var action: String
        public var message: String
        /// The server's SQLSTATE ("23505" unique violation, "40001" serialization failure…), if any.
        public var sqlState: String?
        public var description: String { "\(action): \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "") }

        /// A failure that says nothing about the statement: the server went away or is starting
        /// or stopping (class 08, 57P01–57P03), or the transaction lost a race the server resolves
        /// by aborting one side (40001 serialization, 40P01 deadlock). Running it again can succeed.
        public var isTransient: Bool {
            guard let sqlState else { return action == "connect" }
            return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "40001", "40P01"].contains(sqlState)
        }
    }

    /// What a statement returned: column names and rows of text values (nil for NULL).
    public struct Rows: Sendable {
        public var columns: [String]
        public var rows: [[String?]]
        /// Rows a command touched (INSERT, UPDATE, DELETE), from its status.
        public var affected: Int
    }

    private let connection: OpaquePointer

    /// `conninfo`: a libpq connection string or URI ("postgresql:///ingestd?host=/run/postgresql").
    /// A password belongs in a password file or PGPASSWORD, which libpq reads itself.
    public init(_ conninfo: String) throws {
        guard let c = PQconnectdb(conninfo) else {
            throw Failure(action: "connect", message: "libpq could not allocate a connection", sqlState: nil)
        }
        guard PQstatus(c) == CONNECTION_OK else {
            let message = Self.trimmed(String(cString: PQerrorMessage(c)))
            PQfinish(c)
            throw Failure(action: "connect", message: message, sqlState: nil)
        }
        connection = c
    }

    deinit { PQfinish(connection) }

    /// Runs one statement with `$1`, `$2`… bound to `parameters` as text.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws -> Rows {
        var cStrings: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.flatMap { strdup($0) } }
        defer { for p in cStrings { free(p) } }
        let raw: OpaquePointer? = cStrings.withUnsafeMutableBufferPointer { values in
            values.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(values.count, 1)) { pointers in
                PQexecParams(connection, sql, Int32(parameters.count), nil, parameters.isEmpty ? nil : pointers, nil, nil, 0)
            }
        }
        let result = try succeeded(raw, sql)
        defer { PQclear(result) }
        let n = Int(PQntuples(result)), m = Int(PQnfields(result))
        var columns: [String] = []
        for j in 0..<m { columns.append(String(cString: PQfname(result, Int32(j)))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(n)
        for i in 0..<n {
            var row: [String?] = []
            for j in 0..<m {
                row.append(PQgetisnull(result, Int32(i), Int32(j)) == 1 ? nil : String(cString: PQgetvalue(result, Int32(i), Int32(j))))
            }
            rows.append(row)
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return Rows(columns: columns, rows: rows, affected: affected)
    }

    /// Statements without parameters, several separated by `;` (a migration step), in one round trip.
    public func script(_ sql: String) throws {
        PQclear(try succeeded(PQexec(connection, sql), sql))
    }

    /// The result of `sql` when it succeeded; otherwise it is freed and the failure thrown, with
    /// the server's SQLSTATE when it sent one.
    private func succeeded(_ result: OpaquePointer?, _ sql: String) throws -> OpaquePointer {
        guard let result else {
            throw Failure(action: Self.action(sql), message: Self.trimmed(String(cString: PQerrorMessage(connection))), sqlState: nil)
        }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            defer { PQclear(result) }
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            throw Failure(action: Self.action(sql), message: Self.trimmed(String(cString: PQresultErrorMessage(result))), sqlState: state)
        }
        return result
    }

    /// Whether the connection is lost (the server stopped, the network failed): it cannot be
    /// used again, a new one must be opened.
    public var isBroken: Bool { PQstatus(connection) != CONNECTION_OK }

    /// `body` inside BEGIN … COMMIT; ROLLBACK when it throws (the error is passed on).
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    static func action(_ sql: String) -> String {
        sql.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(3).joined(separator: " ")
    }

    static func trimmed(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

private extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

private extension Set where Element == Character {
    static var whitespacesAndNewlines: Set<Character> { [" ", "\n", "\t", "\r"] }
}
