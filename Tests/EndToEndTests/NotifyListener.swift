import Foundation

/// A stand-in for systemd's notification socket: an AF_UNIX datagram socket bound in a
/// temporary folder, keeping every message the daemon sends to `$NOTIFY_SOCKET`.
final class NotifyListener: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init(in folder: URL) throws {
        path = folder.appendingPathComponent("notify.sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(errno)") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw Failure("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw Failure("bind \(path): \(errno)") }
        // A short receive timeout lets the reading thread notice `stop`.
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !lock.withLock({ stopped }) {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 {
                    let message = String(decoding: buffer[0..<n], as: UTF8.self)
                    lock.withLock { received.append(message) }
                }
            }
            finished.signal()
        }.start()
    }

    /// Every message so far, one per datagram.
    var messages: [String] { lock.withLock { received } }

    /// How many datagrams carried `assignment` (e.g. "WATCHDOG=1") as one of their lines.
    func count(_ assignment: String) -> Int {
        messages.filter { $0.split(separator: "\n").contains { $0 == assignment } }.count
    }

    func stop() {
        lock.withLock { stopped = true }
        finished.wait()
        close(fd)
        unlink(path)
    }
}
