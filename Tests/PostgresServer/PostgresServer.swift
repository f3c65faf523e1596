import Foundation

/// A real PostgreSQL 15 for the tests: `initdb` into a temporary folder, `pg_ctl start` listening
/// only on a Unix socket in that folder (no TCP at all), stopped and removed by `stop()`. As root
/// (CI here), the server runs as `nobody`, since PostgreSQL refuses to run as root.
public final class PostgresServer: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: URL
    public let port = 5432
    public let user = "ingestd"
    private var running = false

    /// libpq's connection string for database `database` (created by `createDatabase`, or `postgres`).
    public func conninfo(database: String = "postgres") -> String {
        "host=\(directory.appendingPathComponent("socket").path) port=\(port) user=\(user) dbname=\(database)"
    }

    static let bin: String = {
        for dir in ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"]
        where FileManager.default.isExecutableFile(atPath: dir + "/pg_ctl") { return dir }
        return "/usr/local/bin"
    }()

    public static var available: Bool { FileManager.default.isExecutableFile(atPath: bin + "/initdb") }

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ingestd-pg-\(UUID().uuidString.prefix(8))")
        let data = directory.appendingPathComponent("data"), socket = directory.appendingPathComponent("socket")
        try FileManager.default.createDirectory(at: socket, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        if getuid() == 0 {
            for url in [directory, data, socket] { chown(url.path, 65534, 65534) }
        }
        try run(Self.bin + "/initdb", ["-D", data.path, "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        try run(Self.bin + "/pg_ctl", ["-D", data.path, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "60",
                                        "-o", "-k \(socket.path) -c listen_addresses='' -p \(port) -c fsync=off", "start"])
        running = true
    }

    deinit { stop() }

    public func stop() {
        guard running else { return }
        running = false
        try? run(Self.bin + "/pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// `tool args…`, as `nobody` when this process is root; throws with its output when it fails.
    private func run(_ tool: String, _ args: [String]) throws {
        let p = Process()
        if getuid() == 0 {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", tool] + args
        } else {
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = args
        }
        // A file, not a pipe: the server pg_ctl starts would hold a pipe open, and reading it to
        // its end would wait for the server to stop.
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("ingestd-pg-out-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL) }
        let out = try FileHandle(forWritingTo: outURL)
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        p.currentDirectoryURL = URL(fileURLWithPath: "/")
        try p.run()
        p.waitUntilExit()
        try? out.close()
        let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        guard p.terminationStatus == 0 else {
            throw Failure(description: "\(URL(fileURLWithPath: tool).lastPathComponent) failed (\(p.terminationStatus)): \(text)")
        }
    }
}
