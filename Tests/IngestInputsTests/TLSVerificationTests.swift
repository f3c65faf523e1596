import Foundation
import Glibc
import IngestCore
import XCTest
@testable import IngestInputs

/// HTTPS against `openssl s_server` on 127.0.0.1 with a self-signed certificate made for the
/// test: refused as untrusted by default, fetched once `ca_path` names that certificate.
final class TLSVerificationTests: XCTestCase {
    private var dir: URL!
    private var server: Process?

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        server?.terminate()
        server?.waitUntilExit()
        try? FileManager.default.removeItem(at: dir)
    }

    private func openssl(_ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    private func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    private func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private func fetch(_ fetcher: HTTPFetcher, _ url: String) -> Result<FetchResponse, FetchFailure> {
        fetcher.fetchAndWait(FetchRequest(url: url, configured: true))
    }

    func testAnUntrustedCertificateIsRefusedAndCAPathTrustsIt() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else {
            return XCTFail("openssl is missing; scripts/ensure-deps installs it")
        }
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        let make = try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        make.waitUntilExit()
        XCTAssertEqual(make.terminationStatus, 0)
        let port = freePort()
        server = try openssl(["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-www", "-quiet"])
        let deadline = Date().addingTimeInterval(10)
        while !accepts(port), Date() < deadline { usleep(50_000) }

        let strict = HTTPFetcher(settings: FetchSettings())
        defer { strict.stop() }
        guard case let .failure(.network(code, message)) = fetch(strict, "https://127.0.0.1:\(port)/") else {
            return XCTFail("a self-signed certificate must not be accepted")
        }
        XCTAssertEqual(code, 60, message) // CURLE_PEER_FAILED_VERIFICATION

        var settings = FetchSettings()
        settings.caPath = cert
        let trusting = HTTPFetcher(settings: settings)
        defer { trusting.stop() }
        XCTAssertEqual(try fetch(trusting, "https://127.0.0.1:\(port)/").get().status, 200)
    }
}
