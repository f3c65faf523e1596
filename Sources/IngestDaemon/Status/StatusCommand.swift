import Foundation
import IngestCore

/// `ingestd status` (one screen) and `ingestd top` (the same, redrawn until q or Ctrl-C).
public enum StatusCommand {
    /// Prints one screen; 0 when a status was read, 1 when none could be.
    public static func status(from origin: StatusOrigin, json: Bool = false) -> Int32 {
        do {
            let snapshot = try origin.read()
            if json {
                print(String(decoding: try snapshot.json(), as: UTF8.self))
            } else {
                print(StatusScreen.render(snapshot, processAlive: origin.processAlive(snapshot)), terminator: "")
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("ingestd status: \(error)\n".utf8))
            return 1
        }
    }

    /// Redraws every `interval` seconds: the screen is cleared first on a terminal, and keys are
    /// read without echo so `q` quits at once; elsewhere (a pipe) each screen is appended.
    /// `count` stops after that many screens (scripts, tests). A status that cannot be read is
    /// shown as such and tried again: the daemon may be restarting.
    public static func top(from origin: StatusOrigin, interval: Double, count: Int?) -> Int32 {
        let tty = isatty(1) == 1
        let keys = isatty(0) == 1 ? RawKeyboard() : nil
        defer { keys?.restore() }
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signal(SIGINT, SIG_IGN)
        let quit = Locked(false)
        interrupt.setEventHandler { quit.withLock { $0 = true } }
        interrupt.resume()
        defer { interrupt.cancel(); signal(SIGINT, SIG_DFL) }

        var shown = 0
        while !quit.withLock({ $0 }) {
            var screen: String
            do {
                let snapshot = try origin.read()
                screen = StatusScreen.render(snapshot, processAlive: origin.processAlive(snapshot))
            } catch {
                screen = "ingestd top: \(error)\n"
            }
            screen += "\n(\(Timestamp.rfc3339(Date())); every \(StatusScreen.rate(interval)) s\(keys != nil ? "; q quits" : ""))\n"
            FileHandle.standardOutput.write(Data(((tty ? "\u{1B}[H\u{1B}[2J" : "") + screen).utf8))
            shown += 1
            if let count, shown >= count { break }
            // Wait for the next redraw, a key or Ctrl-C, whichever is first.
            let deadline = Date().addingTimeInterval(interval)
            while Date() < deadline, !quit.withLock({ $0 }) {
                if let keys, let key = keys.read(timeout: min(0.1, deadline.timeIntervalSinceNow)), key == UInt8(ascii: "q") || key == 3 {
                    quit.withLock { $0 = true }
                } else if keys == nil {
                    usleep(50_000)
                }
            }
        }
        return 0
    }
}
