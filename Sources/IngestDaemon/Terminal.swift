import Foundation
import Glibc

/// ANSI colours, or none: a pipe or a file gets the plain text.
public struct TerminalStyle: Sendable {
    public var colored: Bool

    public init(colored: Bool) { self.colored = colored }

    public func paint(_ text: String, _ sgr: String) -> String {
        colored ? "\u{1B}[\(sgr)m\(text)\u{1B}[0m" : text
    }

    public func dim(_ text: String) -> String { paint(text, "2") }

    /// `--color auto|always|never` against whether the output is a terminal.
    public static func resolve(_ choice: String, fileDescriptor: Int32) -> TerminalStyle {
        switch choice {
        case "always": return TerminalStyle(colored: true)
        case "never": return TerminalStyle(colored: false)
        default: return TerminalStyle(colored: Terminal.isTerminal(fileDescriptor) && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        }
    }
}

/// What the commands that draw for a person (tail, test, the progress bar of once) ask of the terminal.
public enum Terminal {
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Columns of the terminal on `fd`, or nil when it is not one.
    public static func columns(_ fd: Int32) -> Int? {
        guard isTerminal(fd) else { return nil }
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else {
            return ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) }
        }
        return Int(size.ws_col)
    }
}
