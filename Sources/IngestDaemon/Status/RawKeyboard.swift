import Foundation

/// The terminal in non-canonical mode without echo while `top` runs, put back on exit.
final class RawKeyboard {
    private var saved = termios()

    init?() {
        guard tcgetattr(0, &saved) == 0 else { return nil }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(0, TCSANOW, &raw) == 0 else { return nil }
    }

    func restore() { tcsetattr(0, TCSANOW, &saved) }

    /// One key, or nil when none came within `timeout` seconds.
    func read(timeout: Double) -> UInt8? {
        var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        guard poll(&fds, 1, Int32(max(0, timeout) * 1000)) > 0 else { return nil }
        var byte: UInt8 = 0
        return Glibc.read(0, &byte, 1) == 1 ? byte : nil
    }
}
