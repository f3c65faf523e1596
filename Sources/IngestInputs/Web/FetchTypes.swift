import Foundation
import Glibc
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
    public var body: ResponseBody
    /// The addresses connected to while the configured URL's first hop was under way.
    public var trustedAddresses: Set<String>
    public var redirects: Int

    public var etag: String? { headers["etag"] }
    public var lastModified: String? { headers["last-modified"] }
    public var contentType: String? { headers["content-type"] }
}

/// A response body in one block of memory, read where it is by whatever comes next (the feed
/// parser, SHA-256, the write to the spool): never copied into an array or `Data` on the way.
///
/// The block is reserved at the declared size when Content-Length gives one; otherwise it grows
/// with realloc, which glibc does for large blocks with mremap, moving pages rather than
/// copying them, so the old and the new block are never both resident (as they are while an
/// array grows). Written only by the fetcher's network thread, before the response is handed
/// over; read-only from then on.
public final class ResponseBody: RandomAccessCollection, ContiguousBytes, Equatable, @unchecked Sendable {
    private var base: UnsafeMutablePointer<UInt8>?
    public private(set) var count = 0
    private(set) var capacity = 0

    init() {}

    deinit { free(base) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "index out of range")
        return base![position]
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    public static func == (a: ResponseBody, b: ResponseBody) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.base!, b.base!, a.count) == 0)
    }

    /// Room for `bytes` in all, at once.
    func reserve(_ bytes: Int) {
        if bytes > capacity { resize(to: bytes) }
    }

    /// - Parameter limit: the most the body may hold; the caller has checked `count + n` against it.
    func append(_ data: UnsafeRawPointer, _ n: Int, limit: Int) {
        if count + n > capacity { resize(to: Swift.min(Swift.max(count + n, capacity * 2, 16_384), Swift.max(limit, count + n))) }
        (base! + count).update(from: data.assumingMemoryBound(to: UInt8.self), count: n)
        count += n
    }

    private func resize(to bytes: Int) {
        guard let grown = realloc(base, bytes) else { fatalError("out of memory for a \(bytes)-byte response body") }
        base = grown.assumingMemoryBound(to: UInt8.self)
        capacity = bytes
    }
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
