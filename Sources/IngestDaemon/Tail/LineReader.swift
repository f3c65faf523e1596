import Glibc

/// Lines from a file descriptor (stdin, a pipe from journalctl, a file), a read(2) at a time,
/// so a follower can print and flush each batch as it arrives.
final class LineReader {
    private let fd: Int32
    private var partial: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var ended = false

    init(fileDescriptor: Int32) { fd = fileDescriptor }

    /// The complete lines of the next read; nil at the end (a last line without its newline is
    /// returned before that).
    func nextBatch() -> [String]? {
        guard !ended else { return nil }
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 {
                ended = true
                guard !partial.isEmpty else { return nil }
                defer { partial = [] }
                return [String(decoding: partial, as: UTF8.self)]
            }
            var lines: [String] = []
            var start = 0
            for i in 0..<n where buffer[i] == UInt8(ascii: "\n") {
                partial.append(contentsOf: buffer[start..<i])
                lines.append(String(decoding: partial, as: UTF8.self))
                partial.removeAll(keepingCapacity: true)
                start = i + 1
            }
            partial.append(contentsOf: buffer[start..<n])
            if !lines.isEmpty { return lines }
        }
    }
}
