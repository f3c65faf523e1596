import Foundation

/// How every URL source fetches: one set for the pipeline (`sources.fetch` in the pipeline file).
public struct FetchSettings: Sendable, Equatable {
    /// Sent on every request. It must name ingestd; site owners expect a contact too
    /// ("ingestd/0.1 (+mailto:desk@example.org)"), which only the user can give.
    public var userAgent = "ingestd/0.1"

    /// Whether `userAgent` says how to reach whoever runs the crawler (a URL or an address).
    public var userAgentHasContact: Bool { userAgent.contains("@") || userAgent.contains("http") }
    public var connectTimeout: Double = 10
    /// The whole transfer, redirects included.
    public var totalTimeout: Double = 60
    /// Below this many bytes per second for `lowSpeedTime` seconds the transfer is given up:
    /// a server that trickles a body forever cannot hold a connection.
    public var lowSpeedBytesPerSecond = 100
    public var lowSpeedTime: Double = 20
    /// The body as delivered, after gzip/deflate/br decoding: a small compressed body cannot
    /// expand past this.
    public var maxBodyBytes = 20_000_000
    public var maxRedirects = 5
    /// Let feed links and redirects reach loopback, private, link-local and metadata addresses.
    public var allowPrivateNetworks = false
    /// Extra trusted CA certificates (a folder prepared with c_rehash, or a PEM file); the system
    /// store is used otherwise. Verification is always on.
    public var caPath: String?
    /// Connections to one host at a time (libcurl queues the rest).
    public var perHostConnections = 2

    public init() {}
}
