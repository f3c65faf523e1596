import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// Whether the server fsyncs its commits: off for the tests (nothing to keep), on for the
    /// benchmarks (durability is part of what a commit costs).
    public let fsync: Bool

    public init(fsync: Bool = false) throws {
        self.fsync = fsync
        Self.stopOrphans()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ingestd-pg-\(UUID().uuidString.prefix(8))")
        let data = directory.appendingPathComponent("data"), socket = directory.appendingPathComponent("socket")
        try FileManager.default.createDirectory(at: socket, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        if getuid() == 0 {
            for url in [directory, data, socket] { chown(url.path, 65534, 65534) }
        }
        try run(Self.bin + "/initdb", ["-D", data.path, "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        try String(getpid()).write(to: directory.appendingPathComponent("owner.pid"), atomically: true, encoding: .utf8)
        try start()
    }

    /// Servers left by a test process that was killed (a timeout, ^C): their owner is gone, so
    /// they are stopped and their folders removed, rather than piling up in /tmp.
    static func stopOrphans() {
        let tmp = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? [] where name.hasPrefix("ingestd-pg-") {
            let dir = tmp.appendingPathComponent(name)
            guard let text = try? String(contentsOf: dir.appendingPathComponent("owner.pid"), encoding: .utf8),
                  let owner = Int32(text), kill(owner, 0) != 0, errno == ESRCH else { continue }
            if let pidText = try? String(contentsOf: dir.appendingPathComponent("data/postmaster.pid"), encoding: .utf8),
               let line = pidText.split(separator: "\n").first, let pid = Int32(line) {
                kill(pid, SIGKILL)
            }
            try? FileManager.default.removeItem(at: dir)
        }
    }

    private func start() throws {
        let data = directory.appendingPathComponent("data"), socket = directory.appendingPathComponent("socket")
        try run(Self.bin + "/pg_ctl", ["-D", data.path, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "60",
                                        "-o", "-k \(socket.path) -c listen_addresses='' -p \(port) -c fsync=\(fsync ? "on" : "off") -c max_connections=200",
                                        "start"])
        running = true
    }

    /// Stops the server as a crash or an operator would (`-m fast`: sessions are cut), keeping
    /// its data, for a test of what clients do while it is away; `resume()` starts it again.
    public func pause() throws {
        try run(Self.bin + "/pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "fast", "-w", "stop"])
        running = false
    }

    public func resume() throws { try start() }

    deinit { stop() }

    public func stop() {
        guard running else { try? FileManager.default.removeItem(at: directory); return }
        running = false
        try? run(Self.bin + "/pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// `tool args…`, as `nobody` when this process is root; throws with its output when it fails.
    /// Spawned with posix_spawn and reaped with waitpid: Foundation's `Process` never reported
    /// `pg_ctl start` as ended (its child, the server, lives on), so the tests hung in set-up.
    private func run(_ tool: String, _ args: [String]) throws {
        // From `/`: as nobody, the tools cannot read root's working folder.
        let argv = ["/usr/bin/env", "-C", "/"]
            + (getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", tool] : [tool]) + args
        // A file, not a pipe: the server pg_ctl starts would hold a pipe open.
        let outPath = directory.appendingPathComponent("tool-\(UUID().uuidString.prefix(8)).out").path
        let fd = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot create \(outPath)") }
        defer { close(fd); unlink(outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        posix_spawn_file_actions_adddup2(&actions, fd, 2)
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for a in cArgs { free(a) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ)
        guard spawned == 0 else { throw Failure(description: "cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0, code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw Failure(description: "\(URL(fileURLWithPath: tool).lastPathComponent) failed (status \(status)): \(text)")
        }
    }
}
