import CCurl
import Foundation
import Glibc
import XCTest
@testable import IngestInputs

/// libcurl through the typed shim, against a one-shot HTTP server this test starts on 127.0.0.1.
final class CurlBindingTests: XCTestCase {
    func testTheBuildSpeaksHTTPAndHTTPS() {
        let info = CurlLibrary.info
        XCTAssertFalse(info.version.isEmpty)
        XCTAssertTrue(info.protocols.contains("http"), "\(info.protocols)")
        XCTAssertTrue(info.protocols.contains("https"), "\(info.protocols)")
        XCTAssertTrue(info.zlib, "gzip decoding")
        XCTAssertTrue(CurlLibrary.decodedEncodings.starts(with: ["gzip", "deflate"]), "\(CurlLibrary.decodedEncodings)")
    }

    func testAnEasyTransferFromALoopbackServer() throws {
        // The server: bind 127.0.0.1 on a free port, answer one request, close.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        XCTAssertEqual(withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }, 0)
        XCTAssertEqual(listen(fd, 1), 0)
        XCTAssertEqual(withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }, 0)
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let served = expectation(description: "served")
        Thread.detachNewThread {
            let client = accept(fd, nil, nil)
            var request = [UInt8](repeating: 0, count: 4096)
            _ = read(client, &request, request.count)
            let response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world"
            _ = response.withCString { write(client, $0, strlen($0)) }
            close(client)
            served.fulfill()
        }

        CurlLibrary.prepare()
        let handle = curl_easy_init()!
        defer { curl_easy_cleanup(handle) }
        final class Body { var bytes: [UInt8] = [] }
        let body = Body()
        XCTAssertEqual(ingestd_curl_easy_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:\(port)/x"), CURLE_OK)
        XCTAssertEqual(ingestd_curl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), CURLE_OK)
        XCTAssertEqual(ingestd_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, 5_000), CURLE_OK)
        XCTAssertEqual(ingestd_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(body).toOpaque()), CURLE_OK)
        XCTAssertEqual(ingestd_curl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let b = Unmanaged<Body>.fromOpaque(user!).takeUnretainedValue()
            data!.withMemoryRebound(to: UInt8.self, capacity: size * count) { b.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: size * count)) }
            return size * count
        }, CURLE_OK)
        XCTAssertEqual(curl_easy_perform(handle), CURLE_OK)
        var status = 0
        XCTAssertEqual(ingestd_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), CURLE_OK)
        var ip: UnsafeMutablePointer<CChar>?
        XCTAssertEqual(ingestd_curl_easy_getinfo_string(handle, CURLINFO_PRIMARY_IP, &ip), CURLE_OK)
        XCTAssertEqual(status, 200)
        XCTAssertEqual(String(decoding: body.bytes, as: UTF8.self), "hello world")
        XCTAssertEqual(ip.map { String(cString: $0) }, "127.0.0.1")
        XCTAssertFalse(AddressPolicy.allows(ip.map { String(cString: $0) } ?? "", privateNetworks: false),
                       "the address actually connected to is what the policy checks")
        wait(for: [served], timeout: 5)
    }
}
