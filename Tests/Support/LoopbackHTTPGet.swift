import Foundation
import Glibc

/// One HTTP/1.1 GET to a loopback address, for tests that read a daemon's endpoints: the
/// status, the headers (names lower-cased) and the body. `Connection: close`, so the body
/// is what comes before the server closes.
public enum LoopbackHTTPGet {
    public struct Answer {
        public var status: Int
        public var headers: [String: String]
        public var body: String
    }

    public static func get(port: Int, path: String, address: String = "127.0.0.1", method: String = "GET") throws -> Answer {
        precondition(address.hasPrefix("127."), "tests talk to loopback only")
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(address)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw failure("connect to \(address):\(port)") }
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: \(address):\(port)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { throw failure("send") }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 { throw failure("recv") }
            if n == 0 { break }
            response += chunk[0..<n]
        }
        guard let end = response.firstRange(of: [13, 10, 13, 10]) else { throw failure("no complete answer") }
        let head = String(decoding: response[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = head[0].split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw failure("bad status line \(head[0])") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Answer(status: status, headers: headers, body: String(decoding: response[end.upperBound...], as: UTF8.self))
    }

    private static func failure(_ what: String) -> NSError {
        NSError(domain: "LoopbackHTTPGet", code: Int(errno), userInfo: [NSLocalizedDescriptionKey: "\(what) failed: \(String(cString: strerror(errno)))"])
    }
}
