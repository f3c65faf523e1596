import FlyingFox
import FlyingSocks
import Foundation

/// `/metrics`, `/health` and `/ready` over HTTP/1.1 (FlyingFox: async, epoll, no dependencies).
///
/// Shaped as a swift-service-lifecycle service: `run()` serves until its task is cancelled;
/// `stop()` ends it from outside. What each path answers is the caller's (`MetricsRoutes`), so
/// this file knows nothing of pipelines.
public final class MetricsServer: Sendable {
    public struct Answer: Sendable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]
        public init(status: Int, contentType: String, body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    /// What each path answers. Called on the server's tasks, so each must be cheap and thread-safe.
    public struct Routes: Sendable {
        public var metrics: @Sendable () -> Answer
        public var health: @Sendable () -> Answer
        public var ready: @Sendable () -> Answer
        /// The status file's JSON, for `ingestd status --url`.
        public var status: @Sendable () -> Answer
        public init(metrics: @escaping @Sendable () -> Answer, health: @escaping @Sendable () -> Answer,
                    ready: @escaping @Sendable () -> Answer, status: @escaping @Sendable () -> Answer) {
            self.metrics = metrics
            self.health = health
            self.ready = ready
            self.status = status
        }
    }

    public let host: String
    private let server: HTTPServer

    /// - Parameter host: an IP literal (IPv6 without brackets); `port` 0 picks a free one.
    public init(host: String, port: Int, routes: Routes) throws {
        self.host = host
        let address: any SocketAddress = host.contains(":")
            ? try sockaddr_in6.inet6(ip6: host, port: UInt16(port))
            : try sockaddr_in.inet(ip4: host, port: UInt16(port))
        let table: [(String, @Sendable () -> Answer)] = [("/metrics", routes.metrics), ("/health", routes.health),
                                                         ("/ready", routes.ready), ("/status", routes.status)]
        server = HTTPServer(address: address, timeout: 15, logger: .disabled, handler: PathHandler(table: table))
    }

    /// Serves until the calling task is cancelled or `stop()` is called.
    public func run() async throws {
        try await server.run()
    }

    /// The port bound, once listening (waits up to `timeout` seconds).
    public func waitUntilListening(timeout: TimeInterval = 10) async throws -> Int {
        try await server.waitUntilListening(timeout: timeout)
        switch await server.listeningAddress {
        case .ip4(_, let port), .ip6(_, let port): return Int(port)
        default: throw MetricsServerError(message: "the metrics server has no IP address")
        }
    }

    /// Closes the listening socket and lets open connections finish (up to a second).
    public func stop() async {
        await server.stop(timeout: 1)
    }
}

public struct MetricsServerError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Routes by exact path; GET and HEAD only.
private struct PathHandler: HTTPHandler {
    let table: [(String, @Sendable () -> MetricsServer.Answer)]

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let route = table.first(where: { $0.0 == request.path }) else {
            return HTTPResponse(statusCode: .notFound, headers: [.contentType: "text/plain"],
                                body: Data("not found; try /metrics, /health, /ready or /status\n".utf8))
        }
        guard request.method == .GET || request.method == .HEAD else {
            return HTTPResponse(statusCode: .methodNotAllowed, headers: [.contentType: "text/plain", HTTPHeader("Allow"): "GET, HEAD"],
                                body: Data("GET only\n".utf8))
        }
        let answer = route.1()
        return HTTPResponse(statusCode: HTTPStatusCode(answer.status, phrase: answer.status == 200 ? "OK" : "Service Unavailable"),
                            headers: [.contentType: answer.contentType],
                            body: request.method == .HEAD ? Data() : Data(answer.body))
    }
}
