import ArgumentParser
import Foundation
import IngestBuiltins
import IngestDaemon

/// Where `status` and `top` find the daemon: one of --state, --pipeline (with --data-dir), --url.
struct StatusSource: ParsableArguments {
    @Option(name: .long, help: "The pipeline file the daemon runs (its state_dir holds status.json).")
    var pipeline: String?

    @Option(name: .long, help: "Folder that relative paths in the pipeline resolve against (as for run).")
    var dataDir: String?

    @Option(name: .long, help: "The daemon's state folder (holds status.json).")
    var state: String?

    @Option(name: .long, help: "The daemon's metrics address, e.g. http://127.0.0.1:9464 (reads /status).")
    var url: String?

    func validate() throws {
        let given = [pipeline, state, url].compactMap { $0 }.count
        if given != 1 { throw ValidationError("give one of --pipeline FILE, --state DIR or --url http://HOST:PORT") }
        if dataDir != nil, pipeline == nil { throw ValidationError("--data-dir goes with --pipeline") }
    }

    func origin() throws -> StatusOrigin {
        if let url { return .url(url) }
        if let state { return .stateDirectory(URL(fileURLWithPath: state)) }
        return try .pipeline(URL(fileURLWithPath: pipeline!), dataDir: dataDir.map { URL(fileURLWithPath: $0) },
                             registry: BuiltinComponents.registry)
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a running daemon's counts, rates, queue, stages and per-URL health on one screen.",
        discussion: """
        Examples:
          ingestd status --pipeline /etc/ingestd/news.yaml --data-dir /var/lib/ingestd
          ingestd status --state /var/lib/ingestd/state
          ingestd status --url http://127.0.0.1:9464
        Reads STATE/status.json (written every 2 s) or /status of the metrics endpoint.
        Exit status 0 when a status was read, 1 when none could be.
        """)

    @OptionGroup var source: StatusSource

    @Flag(name: .long, help: "Print the status as JSON (the status file's format, ingestd.status/1).")
    var json = false

    func run() throws {
        let origin: StatusOrigin
        do { origin = try source.origin() } catch {
            FileHandle.standardError.write(Data("ingestd status: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let code = StatusCommand.status(from: origin, json: json)
        if code != 0 { throw ExitCode(code) }
    }
}

struct Top: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The status screen, redrawn every second or two until q or Ctrl-C (like vector top).",
        discussion: """
        Example:
          ingestd top --url http://127.0.0.1:9464
        On a terminal the screen is cleared before each redraw; in a pipe each screen is appended.
        """)

    @OptionGroup var source: StatusSource

    @Option(name: .long, help: "Seconds between redraws (0.5–60).")
    var interval: Double = 1

    @Option(name: .long, help: "Stop after this many screens (default: until q or Ctrl-C).")
    var count: Int?

    func validate() throws {
        if !(0.5...60).contains(interval) { throw ValidationError("--interval must be 0.5–60 seconds") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        let origin: StatusOrigin
        do { origin = try source.origin() } catch {
            FileHandle.standardError.write(Data("ingestd top: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let code = StatusCommand.top(from: origin, interval: interval, count: count)
        if code != 0 { throw ExitCode(code) }
    }
}
