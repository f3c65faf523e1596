import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn, its stdin, stdout and stderr on pipes.
struct ChildSpawn {
    let pid: pid_t
    /// The parent's ends: write to `stdin`, read `stdout` and `stderr`.
    let stdin: Int32
    let stdout: Int32
    let stderr: Int32

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// No shell: argv goes to the program as given. The environment is cleared but `PATH` and
    /// `LANG` (from the daemon's own) and `environment`, so a plugin sees no credentials the
    /// daemon was started with.
    static func start(_ argv: [String], environment extra: [String: String]) throws -> ChildSpawn {
        guard let program = argv.first, !program.isEmpty else { throw Failure(description: "the command is empty") }
        var env: [String: String] = [:]
        let own = ProcessInfo.processInfo.environment
        for key in ["PATH", "LANG"] { if let v = own[key] { env[key] = v } }
        for (k, v) in extra { env[k] = v }
        let path = try resolve(program, searchPath: env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")

        // O_CLOEXEC from creation: a plugin spawned by another thread at the same moment must
        // not inherit these ends (it would hold a pipe open and hide this child's exit).
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        var opened: [Int32] = []
        defer { for fd in opened { close(fd) } }
        for i in 0..<3 {
            var fds: [Int32] = [-1, -1]
            guard pipe2(&fds, O_CLOEXEC) == 0 else { throw Failure(description: "pipe2: \(String(cString: strerror(errno)))") }
            opened += fds
            switch i {
            case 0: inPipe = fds
            case 1: outPipe = fds
            default: errPipe = fds
            }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears CLOEXEC on 0, 1, 2 only; everything else the daemon holds stays closed.
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        // Descriptors opened without CLOEXEC (by a library, by curl) would leak into the plugin;
        // closefrom shuts them all. Not exported by the Glibc module, hence the lookup.
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The daemon ignores SIGPIPE, SIGTERM… (it handles them through Dispatch) and a child
        // inherits ignored signals and the blocked mask: reset both so SIGTERM stops a plugin.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGIO, SIGXFSZ, SIGVTALRM, SIGPROF, SIGPWR, SIGCHLD] {
            sigaddset(&defaults, sig)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // Its own process group: Ctrl-C at a terminal reaches the daemon alone, which then stops
        // its plugins in order (stdin closed, answers drained) instead of having them die mid-document.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else { throw Failure(description: "cannot start \(path): \(String(cString: strerror(rc)))") }

        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        opened = []
        return ChildSpawn(pid: pid, stdin: inPipe[1], stdout: outPipe[0], stderr: errPipe[0])
    }

    /// Like a shell's lookup, but in the child's PATH (posix_spawnp would search the daemon's).
    static func resolve(_ program: String, searchPath: String) throws -> String {
        if program.contains("/") { return program }
        for dir in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(dir)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw Failure(description: "\(program) is not found in PATH (\(searchPath))")
    }

    /// pipe2 is glibc's (since 2.9) but, like closefrom, not exported by the Glibc module.
    private static func pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32 {
        typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
        let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2")!
        return unsafeBitCast(symbol, to: Pipe2.self)(fds, flags)
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    private static let closeFromAction: CloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()
}
