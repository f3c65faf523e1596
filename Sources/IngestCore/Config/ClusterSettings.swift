import Foundation

/// `cluster:` — several nodes sharing one PostgreSQL database for the dedupe index, the feed
/// schedule and the records. Absent: everything stays in local files (the single-node default).
public struct ClusterSettings: Sendable, Equatable {
    /// A libpq connection string or URI. Never a password: that comes from a password file
    /// (`~/.pgpass`, `PGPASSFILE`) or `PGPASSWORD`, which libpq reads itself.
    public var postgres: String
    /// This node's name in shared rows (records, leases); the host name by default.
    public var node: String

    public init(postgres: String, node: String = ClusterSettings.hostName) {
        self.postgres = postgres
        self.node = node
    }

    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(cString: buffer)
        return name.isEmpty ? "localhost" : name
    }

    /// Reads `cluster:` of the top-level map; nil when it is absent (or wrong, with the problem reported).
    static func read(_ top: inout ConfigMap) -> ClusterSettings? {
        guard var m = top.map("cluster") else { return nil }
        let value = m.value("postgres")
        let node = m.value("node")
        m.reportUnknownKeys()
        guard let value else {
            m.error("cluster: needs postgres: a connection string, e.g. \"postgresql:///ingestd?host=/run/postgresql\"")
            return nil
        }
        guard let conninfo = value.string() else { return nil }
        if let problem = passwordProblem(conninfo) {
            value.error(problem)
            return nil
        }
        var settings = ClusterSettings(postgres: conninfo)
        if let node, let name = node.string() {
            if name.isEmpty || name.count > 63 || name.contains(where: { $0.isWhitespace || $0.isNewline }) {
                node.error("a node name is 1 to 63 characters without spaces, found '\(name)'")
            } else {
                settings.node = name
            }
        }
        return settings
    }

    /// Why `conninfo` cannot be used as written, or nil: a password in a file the whole desk
    /// reads (and `ingestd validate` prints) is the one thing refused.
    static func passwordProblem(_ conninfo: String) -> String? {
        let advice = "keep the password out of the pipeline file: put it in a password file (~/.pgpass, or PGPASSFILE) or PGPASSWORD"
        let lower = conninfo.lowercased()
        if lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://") {
            let rest = conninfo[conninfo.index(conninfo.firstIndex(of: ":")!, offsetBy: 3)...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
                return "the URL carries a password (user:password@); " + advice
            }
            if let query = conninfo.split(separator: "?", maxSplits: 1).dropFirst().first,
               query.split(separator: "&").contains(where: { $0.lowercased().hasPrefix("password=") }) {
                return "the URL carries password=; " + advice
            }
            return nil
        }
        // key=value form: a `password` keyword anywhere (keywords are separated by spaces).
        for word in lower.split(whereSeparator: { $0 == " " || $0 == "\t" }) where word.hasPrefix("password") {
            let key = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            if key.trimmingCharacters(in: .whitespaces) == "password" { return "the connection string carries password=; " + advice }
        }
        return nil
    }
}
