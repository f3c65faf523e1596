import Foundation
import IngestCore

/// `ingestd tail`: the daemon's JSON log lines, from the journal, a file or stdin, as readable
/// lines, filtered.
public enum LogTail {
    public enum Input: Sendable {
        case file(String)
        case standardInput
        /// `journalctl -u UNIT -o json -f`: the last lines, then new ones as they come.
        case journal(unit: String)
    }

    public static func run(_ input: Input, follow: Bool, filter: LogFilter, style: TerminalStyle) -> Int32 {
        // A reader gone (`ingestd tail | head`) is then a write error, which ends the loop below
        // with status 0 as tail(1) does, instead of a signal or a loop reading on for nobody.
        signal(SIGPIPE, SIG_IGN)
        let renderer = LogRenderer(style: style)
        let show: ([String]) throws -> Void = { lines in
            var out = ""
            for raw in lines {
                guard let line = LogLineParser.parse(raw), filter.shows(line) else { continue }
                out += renderer.render(line) + "\n"
            }
            if !out.isEmpty { try Output.writeChecked(out) }
        }
        do {
            switch input {
            case .file(let path) where follow:
                let follower: FileFollower
                do { follower = try FileFollower(path: path, fromStart: true) } catch {
                    Output.error("ingestd tail: \(error)")
                    return 2
                }
                while true {
                    try show(follower.poll())
                    follower.wait()
                }
            case .file(let path):
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else {
                    Output.error("ingestd tail: cannot open \(path): \(String(cString: strerror(errno)))")
                    return 2
                }
                defer { close(fd) }
                let reader = LineReader(fileDescriptor: fd)
                while let lines = reader.nextBatch() { try show(lines) }
                return 0
            case .standardInput:
                let reader = LineReader(fileDescriptor: 0)
                while let lines = reader.nextBatch() { try show(lines) }
                return 0
            case .journal(let unit):
                return try followJournal(unit: unit, show)
            }
        } catch let e as POSIXFailure where e.code == EPIPE {
            return 0
        } catch {
            Output.error("ingestd tail: \(error)")
            return 1
        }
    }

    /// `journalctl -f` never ends by itself: it is terminated on every way out of here (the
    /// reader of our output gone, an error, SIGINT/SIGTERM/SIGHUP to this process alone), so no
    /// journalctl is left following the journal for nobody.
    private static func followJournal(unit: String, _ show: ([String]) throws -> Void) throws -> Int32 {
        let journal = Process()
        journal.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        journal.arguments = ["journalctl", "-u", unit, "-o", "json", "-f"]
        let pipe = Pipe()
        journal.standardOutput = pipe
        do { try journal.run() } catch {
            Output.error("ingestd tail: cannot run journalctl (\(error)); give a log FILE, or - to read stdin")
            return 2
        }
        let stops = [SIGINT, SIGTERM, SIGHUP].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                journal.terminate()
                exit(128 + sig)
            }
            source.resume()
            return source
        }
        defer {
            for source in stops { source.cancel() }
            if journal.isRunning { journal.terminate() }
            journal.waitUntilExit()
        }
        let reader = LineReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor)
        while let lines = reader.nextBatch() { try show(lines) }
        journal.waitUntilExit()
        return journal.terminationStatus == 0 ? 0 : 2
    }
}

/// stdout and stderr for the commands that print for a person, unbuffered by Foundation so a
/// follower's lines appear as they come.
enum Output {
    static func write(_ text: String) { try? FileIO.writeAll(1, Array(text.utf8)) }
    /// For a follower, which must stop when nobody reads its output any more (EPIPE).
    static func writeChecked(_ text: String) throws { try FileIO.writeAll(1, Array(text.utf8)) }
    static func error(_ text: String) { try? FileIO.writeAll(2, Array((text + "\n").utf8)) }
}
