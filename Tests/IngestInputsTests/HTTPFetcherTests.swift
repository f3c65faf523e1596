import Foundation
import IngestCore
import LoopbackHTTP
import XCTest
@testable import IngestInputs

/// The fetcher against real HTTP servers this test starts on loopback addresses.
final class HTTPFetcherTests: XCTestCase {
    private func fetch(_ fetcher: HTTPFetcher, _ request: FetchRequest) -> Result<FetchResponse, FetchFailure> {
        fetcher.fetchAndWait(request)
    }

    private func configured(_ url: String) -> FetchRequest { FetchRequest(url: url, configured: true) }

    func testPageThenConditionalGetGives304() throws {
        let server = try LoopbackHTTPServer { request, reply in
            if request.headers["if-none-match"] == "\"v1\"" { reply.respond(304, [("ETag", "\"v1\"")]); return }
            reply.respond(200, [("ETag", "\"v1\""), ("Last-Modified", "Tue, 26 Feb 2019 10:00:00 GMT"), ("Content-Type", "text/html")],
                          text: "<html><title>x</title></html>")
        }
        defer { server.stop() }
        let fetcher = HTTPFetcher(settings: FetchSettings())
        defer { fetcher.stop() }
        let first = try fetch(fetcher, configured(server.base + "/a")).get()
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.etag, "\"v1\"")
        XCTAssertEqual(first.lastModified, "Tue, 26 Feb 2019 10:00:00 GMT")
        XCTAssertEqual(String(decoding: first.body, as: UTF8.self), "<html><title>x</title></html>")
        XCTAssertEqual(first.trustedAddresses, ["127.0.0.1"])
        XCTAssertTrue(server.served[0].headers["user-agent"]?.hasPrefix("ingestd/") ?? false)
        XCTAssertNotNil(server.served[0].headers["accept-encoding"])

        var again = configured(server.base + "/a")
        again.etag = first.etag
        again.lastModified = first.lastModified
        let second = try fetch(fetcher, again).get()
        XCTAssertEqual(second.status, 304)
        XCTAssertTrue(second.body.isEmpty)
        XCTAssertEqual(server.served[1].headers["if-modified-since"], "Tue, 26 Feb 2019 10:00:00 GMT")
    }

    func testStatusesComeBackAsResponsesWithTheirHeaders() throws {
        let server = try LoopbackHTTPServer { request, reply in
            if request.path == "/busy" { reply.respond(503, [("Retry-After", "120")], text: "later"); return }
            reply.respond(404, text: "no")
        }
        defer { server.stop() }
        let fetcher = HTTPFetcher(settings: FetchSettings())
        defer { fetcher.stop() }
        XCTAssertEqual(try fetch(fetcher, configured(server.base + "/gone")).get().status, 404)
        let busy = try fetch(fetcher, configured(server.base + "/busy")).get()
        XCTAssertEqual(busy.status, 503)
        XCTAssertEqual(busy.headers["retry-after"], "120")
    }

    func testARedirectChainIsFollowedUpToFiveHops() throws {
        let server = try LoopbackHTTPServer { request, reply in
            // /hop/N redirects to /hop/N-1; /hop/0 is the page.
            let n = Int(request.path.split(separator: "/").last ?? "0") ?? 0
            if n == 0 { reply.respond(200, text: "arrived"); return }
            reply.respond(302, [("Location", "/hop/\(n - 1)")])
        }
        defer { server.stop() }
        let fetcher = HTTPFetcher(settings: FetchSettings())
        defer { fetcher.stop() }
        let ok = try fetch(fetcher, configured(server.base + "/hop/5")).get()
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(ok.redirects, 5)
        XCTAssertEqual(ok.finalURL, server.base + "/hop/0")
        XCTAssertEqual(String(decoding: ok.body, as: UTF8.self), "arrived")
        XCTAssertEqual(fetch(fetcher, configured(server.base + "/hop/6")), .failure(.tooManyRedirects(limit: 5)))
    }

    func testARedirectToAnotherLoopbackAddressIsRefusedUnlessPrivateNetworksAreAllowed() throws {
        let other = try LoopbackHTTPServer(address: "127.0.0.2") { _, reply in reply.respond(200, text: "internal") }
        defer { other.stop() }
        let server = try LoopbackHTTPServer { _, reply in reply.respond(301, [("Location", other.base + "/admin")]) }
        defer { server.stop() }

        let strict = HTTPFetcher(settings: FetchSettings())
        defer { strict.stop() }
        XCTAssertEqual(fetch(strict, configured(server.base + "/x")), .failure(.refusedAddress("127.0.0.2", .loopback)))
        XCTAssertTrue(other.served.isEmpty, "no request reached the other address")

        var settings = FetchSettings()
        settings.allowPrivateNetworks = true
        let open = HTTPFetcher(settings: settings)
        defer { open.stop() }
        let reached = try fetch(open, configured(server.base + "/x")).get()
        XCTAssertEqual(String(decoding: reached.body, as: UTF8.self), "internal")
    }

    func testALinkFromAFeedReachesOnlyTheFeedsOwnAddressesWhenNotPublic() throws {
        let other = try LoopbackHTTPServer(address: "127.0.0.2") { _, reply in reply.respond(200, text: "item") }
        defer { other.stop() }
        let fetcher = HTTPFetcher(settings: FetchSettings())
        defer { fetcher.stop() }
        // A link (not configured by the user) to 127.0.0.2, found in a feed served from 127.0.0.1.
        var link = FetchRequest(url: other.base + "/item", configured: false)
        link.trustedAddresses = ["127.0.0.1"]
        XCTAssertEqual(fetch(fetcher, link), .failure(.refusedAddress("127.0.0.2", .loopback)))
        // The same link when the feed itself was on 127.0.0.2.
        link.trustedAddresses = ["127.0.0.2"]
        XCTAssertEqual(try fetch(fetcher, link).get().status, 200)
    }

    func testAReusedConnectionIsCheckedToo() throws {
        let other = try LoopbackHTTPServer(address: "127.0.0.2", keepAlive: true) { _, reply in reply.respond(200, text: "internal") }
        defer { other.stop() }
        let fetcher = HTTPFetcher(settings: FetchSettings())
        defer { fetcher.stop() }
        // The user configured a page there: its connection stays in libcurl's cache...
        XCTAssertEqual(try fetch(fetcher, configured(other.base + "/page")).get().status, 200)
        XCTAssertEqual(try fetch(fetcher, configured(other.base + "/page")).get().status, 200)
        XCTAssertEqual(other.connections, 1, "the second request reused the connection")
        // ...and a link found elsewhere to the same host would reuse it without a new socket.
        var link = FetchRequest(url: other.base + "/secret", configured: false)
        link.trustedAddresses = ["127.0.0.1"]
        XCTAssertEqual(fetch(fetcher, link), .failure(.refusedAddress("127.0.0.2", .loopback)))
        XCTAssertEqual(other.served.map(\.path), ["/page", "/page"], "the link's request never went out")
    }

    func testAConfiguredURLReportsItsAddressOnAReusedConnection() throws {
        let server = try LoopbackHTTPServer(address: "127.0.0.2", keepAlive: true) { _, reply in reply.respond(200, text: "x") }
        defer { server.stop() }
        let fetcher = HTTPFetcher(settings: FetchSettings())
        defer { fetcher.stop() }
        _ = fetch(fetcher, configured(server.base + "/robots.txt"))
        let feed = try fetch(fetcher, configured(server.base + "/feed.xml")).get()
        XCTAssertEqual(server.connections, 1)
        XCTAssertEqual(feed.trustedAddresses, ["127.0.0.2"], "links from this feed may go back to its own address")
    }

    func testANameThatResolvesToLoopbackIsRefusedLikeTheLiteral() throws {
        let server = try LoopbackHTTPServer { _, reply in reply.respond(200, text: "internal") }
        defer { server.stop() }
        let fetcher = HTTPFetcher(settings: FetchSettings())
        defer { fetcher.stop() }
        // "localhost" is checked on the address it resolved to, not on its spelling.
        let link = FetchRequest(url: "http://localhost:\(server.port)/", configured: false)
        guard case let .failure(.refusedAddress(address, kind)) = fetch(fetcher, link) else { return XCTFail("expected a refusal") }
        XCTAssertTrue(["127.0.0.1", "::1"].contains(address), address)
        XCTAssertEqual(kind, .loopback)
        XCTAssertTrue(server.served.isEmpty)
    }

    func testHTTPSIsNeverDowngradedToPlainHTTP() throws {
        let server = try LoopbackHTTPServer { _, reply in reply.respond(200, text: "plain") }
        defer { server.stop() }
        var settings = FetchSettings()
        settings.totalTimeout = 2
        let fetcher = HTTPFetcher(settings: settings)
        defer { fetcher.stop() }
        // A plain-HTTP server behind an https URL: the TLS handshake never completes (this server
        // waits for an HTTP request that never comes), so the transfer fails and nothing is read.
        switch fetch(fetcher, configured("https://127.0.0.1:\(server.port)/")) {
        case .failure(.network), .failure(.timedOut): break
        case let other: XCTFail("expected a TLS failure, got \(other)")
        }
    }

    func testOnlyHTTPAndHTTPSAreFetchedRedirectsIncluded() throws {
        let fetcher = HTTPFetcher(settings: FetchSettings())
        defer { fetcher.stop() }
        XCTAssertEqual(fetch(fetcher, configured("file:///etc/passwd")), .failure(.unsupportedScheme("file:///etc/passwd")))
        XCTAssertEqual(fetch(fetcher, configured("ftp://127.0.0.1/x")), .failure(.unsupportedScheme("ftp://127.0.0.1/x")))
        let server = try LoopbackHTTPServer { _, reply in reply.respond(302, [("Location", "file:///etc/passwd")]) }
        defer { server.stop() }
        guard case .failure(.unsupportedScheme) = fetch(fetcher, configured(server.base + "/x")) else {
            return XCTFail("a redirect to file:// must not be followed")
        }
    }

    /// Issue 15 item 16: a body that ends before its Content-Length is a failed transfer (to be
    /// retried), not a shorter document.
    func testABodyShorterThanItsContentLengthIsATransientFailure() throws {
        let server = try LoopbackHTTPServer { _, reply in
            reply.write(Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n".utf8))
            reply.write(Array(repeating: UInt8(ascii: "x"), count: 400))
        }
        defer { server.stop() }
        let fetcher = HTTPFetcher(settings: FetchSettings())
        defer { fetcher.stop() }
        switch fetch(fetcher, configured(server.base + "/cut")) {
        case let .failure(failure):
            XCTAssertTrue(failure.isTransient, "\(failure)")
            XCTAssertTrue(failure.description.contains("400 of 1000"), failure.description)
        case let .success(response):
            XCTFail("a cut body came back as a response: \(response.status), \(response.body.count) bytes")
        }
    }

    /// Issue 15 item 15: a body is one block of memory, of the declared size when there is a
    /// Content-Length (an array grown by doubling held the old and the new copy at once), and it
    /// arrives whole either way.
    func testALargeBodyIsOneBlockReservedFromItsContentLengthAndWholeWithoutOne() throws {
        let body = (0..<3_000_001).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        let server = try LoopbackHTTPServer { request, reply in
            if request.path == "/declared" { reply.respond(200, body: body); return }
            reply.write(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8))
            for start in stride(from: 0, to: body.count, by: 65_536) {
                let piece = body[start..<min(start + 65_536, body.count)]
                reply.write(Array((String(piece.count, radix: 16) + "\r\n").utf8) + piece + Array("\r\n".utf8))
            }
            reply.write(Array("0\r\n\r\n".utf8))
        }
        defer { server.stop() }
        let fetcher = HTTPFetcher(settings: FetchSettings())
        defer { fetcher.stop() }
        let declared = try fetch(fetcher, configured(server.base + "/declared")).get()
        XCTAssertEqual(declared.body.capacity, body.count, "reserved once, at the declared size")
        XCTAssertTrue(declared.body.elementsEqual(body))
        let chunked = try fetch(fetcher, configured(server.base + "/chunked")).get()
        XCTAssertTrue(chunked.body.elementsEqual(body))
        XCTAssertEqual(chunked.body.withUnsafeBytes { SHA256Digest.hex(of: $0) }, SHA256Digest.hex(of: body))
        XCTAssertEqual(chunked.body, declared.body)
    }

    func testAnIPv6LiteralURLIsFetched() throws {
        let server = try LoopbackHTTPServer(address: "::1") { _, reply in reply.respond(200, text: "six") }
        defer { server.stop() }
        let fetcher = HTTPFetcher(settings: FetchSettings())
        defer { fetcher.stop() }
        let response = try fetch(fetcher, configured(server.base + "/")).get()
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "six")
        XCTAssertEqual(response.trustedAddresses, ["::1"])
    }

    func testAnEndlessSlowBodyIsCutOffByTheLowSpeedLimit() throws {
        let server = try LoopbackHTTPServer { _, reply in
            reply.write(Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".utf8))
            while reply.write(Array("<p>drip</p>".utf8)) { usleep(200_000) }
        }
        defer { server.stop() }
        var settings = FetchSettings()
        settings.lowSpeedBytesPerSecond = 1_000
        settings.lowSpeedTime = 1
        let fetcher = HTTPFetcher(settings: settings)
        defer { fetcher.stop() }
        let started = Date()
        guard case .failure(.timedOut) = fetch(fetcher, configured(server.base + "/slow")) else { return XCTFail("expected a timeout") }
        XCTAssertLessThan(Date().timeIntervalSince(started), 15)
    }

    func testAGzipBombStopsAtTheLimitAfterDecompression() throws {
        let bomb = try gzip(zeros: 30_000_000)
        XCTAssertLessThan(bomb.count, 100_000, "the compressed body is small")
        let server = try LoopbackHTTPServer { _, reply in
            reply.respond(200, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], body: bomb)
        }
        defer { server.stop() }
        var settings = FetchSettings()
        settings.maxBodyBytes = 1_000_000
        let fetcher = HTTPFetcher(settings: settings)
        defer { fetcher.stop() }
        XCTAssertEqual(fetch(fetcher, configured(server.base + "/bomb")), .failure(.tooLarge(limit: 1_000_000)))
        XCTAssertLessThanOrEqual(fetcher.openConnections.now, 1)
    }

    func testManyTransfersShareOneThreadAndRespectThePerHostLimit() throws {
        let server = try LoopbackHTTPServer { _, reply in usleep(50_000); reply.respond(200, text: "ok") }
        defer { server.stop() }
        var settings = FetchSettings()
        settings.perHostConnections = 2
        let fetcher = HTTPFetcher(settings: settings)
        defer { fetcher.stop() }
        let group = DispatchGroup()
        let statuses = ResultsBox()
        for i in 0..<8 {
            group.enter()
            fetcher.fetch(configured(server.base + "/\(i)")) { result in
                statuses.add((try? result.get().status) ?? -1)
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(statuses.all, Array(repeating: 200, count: 8))
        XCTAssertLessThanOrEqual(fetcher.openConnections.peak, 2)
    }

    private final class ResultsBox: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int] = []
        func add(_ v: Int) { lock.lock(); values.append(v); lock.unlock() }
        var all: [Int] { lock.lock(); defer { lock.unlock() }; return values }
    }

    /// gzip from Debian's essential gzip package: `count` zero bytes, compressed.
    private func gzip(zeros count: Int) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c", "-9"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writer = Thread {
            let block = Data(count: 1 << 20)
            var left = count
            while left > 0 {
                let n = min(left, block.count)
                input.fileHandleForWriting.write(block.prefix(n))
                left -= n
            }
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }
}

extension HTTPFetcher {
    /// The fetch, waited for (tests only): fails the test if it never completes.
    func fetchAndWait(_ request: FetchRequest, file: StaticString = #filePath, line: UInt = #line) -> Result<FetchResponse, FetchFailure> {
        final class Box: @unchecked Sendable { var value: Result<FetchResponse, FetchFailure>? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        fetch(request) { box.value = $0; done.signal() }
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success, "the fetch never completed", file: file, line: line)
        return box.value ?? .failure(.network(code: -2, message: "no result"))
    }
}
