import Foundation
import IngestCore

/// One GET.
public struct FetchRequest: Sendable {
    public var url: String
    public var headers: [(String, String)] = []
    /// Validators from the last 200, sent back as If-None-Match / If-Modified-Since.
    public var etag: String?
    public var lastModified: String?
    /// A URL the user configured: its first connection may go to any address (the user chose
    /// it), and the addresses it connects to are reported so links found in it may go there too.
    public var configured: Bool
    /// Addresses this request may connect to whatever `AddressPolicy` says (those of the feed a
    /// link came from).
    public var trustedAddresses: Set<String> = []

    public init(url: String, configured: Bool) {
        self.url = url
        self.configured = configured
    }
}

public struct FetchResponse: Sendable, Equatable {
    public var status: Int
    /// Where the last redirect led.
    public var finalURL: String
    /// The final response's headers, names lower-cased (the last value of a repeated name).
    public var headers: [String: String]
    public var body: [UInt8]
    /// The addresses connected to while the configured URL's first hop was under way.
    public var trustedAddresses: Set<String>
    public var redirects: Int

    public var etag: String? { headers["etag"] }
    public var lastModified: String? { headers["last-modified"] }
    public var contentType: String? { headers["content-type"] }
}

/// Why a fetch produced no response.
public enum FetchFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The address a link or redirect led to is not public and private networks are not allowed.
    case refusedAddress(String, AddressPolicy.Kind)
    case unsupportedScheme(String)
    case tooLarge(limit: Int)
    case tooManyRedirects(limit: Int)
    /// The connection ended before the body reached its Content-Length.
    case truncated(received: Int, declared: Int?)
    case timedOut(String)
    /// DNS, connection, TLS or protocol trouble: libcurl's code and message.
    case network(code: Int, message: String)

    public var description: String {
        switch self {
        case let .refusedAddress(address, kind):
            return "refused to connect to \(address) (\(kind.rawValue) address); set sources.fetch.allow_private_networks: true to allow it"
        case let .unsupportedScheme(url): return "only http and https URLs are fetched: \(url)"
        case let .tooLarge(limit): return "the body is larger than max_document_bytes (\(limit) bytes, after decompression)"
        case let .tooManyRedirects(limit): return "more than \(limit) redirects"
        case let .truncated(received, declared):
            return "the body ended after \(received) of \(declared.map(String.init) ?? "more") bytes (Content-Length); "
                + "the connection was cut"
        case let .timedOut(what): return "timed out: \(what)"
        case let .network(code, message): return "network error \(code): \(message)"
        }
    }

    public var isRefusedAddress: Bool {
        if case .refusedAddress = self { return true }
        return false
    }

    /// Worth trying again later (network trouble and timeouts; not refusals or limits).
    public var isTransient: Bool {
        switch self {
        case .timedOut, .network, .truncated: return true
        default: return false
        }
    }
}
