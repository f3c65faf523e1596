import Foundation
import Glibc

/// A small HTTP/1.1 server for tests and benchmarks, bound to a loopback address (127.0.0.0/8 or ::1 only), one thread
/// per connection, one request per connection. Each request goes to `handler`, which writes
/// whatever bytes it likes (slow, endless, malformed) through the `Reply`.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String] // names lower-cased
        public var arrived = Date()
    }

    public final class Reply: @unchecked Sendable {
        let fd: Int32
        let keepAlive: Bool
        init(fd: Int32, keepAlive: Bool) { self.fd = fd; self.keepAlive = keepAlive }

        /// False once the client has gone.
        @discardableResult
        public func write(_ bytes: [UInt8]) -> Bool {
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return false }
                sent += n
            }
            return true
        }

        public func respond(_ status: Int, _ headers: [(String, String)] = [], body: [UInt8] = []) {
            var head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Status")\r\n" + (keepAlive ? "" : "Connection: close\r\n")
            for (k, v) in headers { head += "\(k): \(v)\r\n" }
            head += "Content-Length: \(body.count)\r\n\r\n"
            write(Array(head.utf8) + body)
        }

        public func respond(_ status: Int, _ headers: [(String, String)] = [], text: String) {
            respond(status, headers, body: Array(text.utf8))
        }
    }

    public let address: String
    public private(set) var port: Int = 0
    private let listener: Int32
    private let handler: @Sendable (Request, Reply) -> Void
    /// Serve several requests per connection (HTTP/1.1 keep-alive) instead of one.
    private let keepAlive: Bool
    private let log = NSLock()
    private var requests: [Request] = []

    /// - Parameter address: an address in 127.0.0.0/8, or "::1".
    public init(address: String = "127.0.0.1", port: Int = 0, keepAlive: Bool = false,
                handler: @escaping @Sendable (Request, Reply) -> Void) throws {
        precondition(address.hasPrefix("127.") || address == "::1", "tests talk to loopback only")
        self.address = address
        self.handler = handler
        self.keepAlive = keepAlive
        let v6 = address.contains(":")
        listener = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        // sockaddr_in6 is the larger of the two: room for either, and getsockname fills the port in.
        var storage = sockaddr_in6()
        var len: socklen_t
        if v6 {
            storage.sin6_family = sa_family_t(AF_INET6)
            _ = inet_pton(AF_INET6, address, &storage.sin6_addr)
            storage.sin6_port = in_port_t(UInt16(port).bigEndian)
            len = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    $0.pointee.sin_family = sa_family_t(AF_INET)
                    $0.pointee.sin_addr.s_addr = inet_addr(address)
                    $0.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
                }
            }
            len = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } }
        guard bound == 0, listen(listener, 128) == 0 else {
            close(listener)
            throw NSError(domain: "LoopbackHTTPServer", code: Int(errno), userInfo: [NSLocalizedDescriptionKey: "cannot listen on \(address):\(port)"])
        }
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        // The port sits at the same offset in sockaddr_in and sockaddr_in6.
        self.port = Int(UInt16(bigEndian: storage.sin6_port))
        let fd = listener
        Thread.detachNewThread { [weak self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                guard let self else { close(client); return }
                Thread.detachNewThread { self.serve(client) }
            }
        }
    }

    public var base: String { address.contains(":") ? "http://[\(address)]:\(port)" : "http://\(address):\(port)" }

    /// Every request served so far, in order.
    public var served: [Request] { log.lock(); defer { log.unlock() }; return requests }

    public func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    /// Connections served so far (a reused keep-alive connection counts once).
    public var connections: Int { log.lock(); defer { log.unlock() }; return accepted }
    private var accepted = 0

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        log.lock(); accepted += 1; log.unlock()
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        repeat {
            while buffer.headerEnd == nil {
                let n = recv(fd, &chunk, chunk.count, 0)
                if n <= 0 { return }
                buffer += chunk[0..<n]
            }
            let end = buffer.headerEnd!
            let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
            buffer.removeFirst(end + 4)
            let parts = lines[0].split(separator: " ")
            guard parts.count >= 2 else { return }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let request = Request(method: String(parts[0]), path: String(parts[1]), headers: headers)
            log.lock(); requests.append(request); log.unlock()
            handler(request, Reply(fd: fd, keepAlive: keepAlive))
        } while keepAlive
    }
}

private extension Array where Element == UInt8 {
    /// Where the blank line that ends the request's headers starts.
    var headerEnd: Int? {
        guard count >= 4 else { return nil }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 { return i }
        return nil
    }
}
