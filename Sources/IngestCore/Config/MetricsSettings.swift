import Foundation

/// `metrics:` — where `/metrics`, `/health` and `/ready` are served. Absent: no HTTP endpoint
/// (as Vector and Fluent Bit ship theirs off); the status file in the state folder is written
/// either way.
public struct MetricsSettings: Sendable, Equatable {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 9464

    /// An IP literal (IPv6 without brackets).
    public var host: String
    /// 0: any free port (the bound one is logged).
    public var port: Int

    public init(host: String = MetricsSettings.defaultHost, port: Int = MetricsSettings.defaultPort) {
        self.host = host
        self.port = port
    }

    public var isLoopback: Bool { host.hasPrefix("127.") || host == "::1" }

    /// `127.0.0.1:9464`, `[::1]:9464`.
    public var listen: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Reads `metrics:` of the top-level map; nil when it is absent (or wrong, with the problem reported).
    static func read(_ top: inout ConfigMap) -> MetricsSettings? {
        guard var m = top.map("metrics") else { return nil }
        var settings = MetricsSettings()
        if let value = m.value("listen"), let text = value.string() {
            switch parse(listen: text) {
            case .success(let parsed): settings = parsed
            case .failure(let problem): value.error(problem.message)
            }
        }
        m.reportUnknownKeys()
        return settings
    }

    struct ListenProblem: Error { let message: String }

    /// `HOST:PORT` where HOST is an IPv4 literal, `[IPv6]` or `localhost`.
    static func parse(listen text: String) -> Result<MetricsSettings, ListenProblem> {
        let bad = ListenProblem(message: "expected HOST:PORT (e.g. 127.0.0.1:9464 or [::1]:9464), found '\(text)'")
        guard let colon = text.lastIndex(of: ":") else { return .failure(bad) }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (0...65_535).contains(port) else {
            return .failure(ListenProblem(message: "the port must be 0–65535 (0: any free port), found '\(portText)'"))
        }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, host, &v6) == 1 else { return .failure(bad) }
        } else if host == "localhost" {
            host = defaultHost
        } else {
            var v4 = in_addr()
            guard inet_pton(AF_INET, host, &v4) == 1 else {
                return .failure(ListenProblem(message: "the host must be an IP address (127.0.0.1, [::1], 0.0.0.0) or localhost, found '\(host)'"))
            }
        }
        return .success(MetricsSettings(host: host, port: port))
    }
}
