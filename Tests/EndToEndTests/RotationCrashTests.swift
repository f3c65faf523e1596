import Foundation
import IngestCore
import XCTest

/// kill -9 the daemon while it rotates the records file every few records and compresses the
/// segments in the background: afterwards every input has exactly one record across the live
/// file and all segments, and the manifest lists each segment with its true count and hash.
final class RotationCrashTests: XCTestCase {
    /// `gzip -dc FILE`, the way a downstream reader would read a segment.
    private func gunzip(_ file: URL) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-dc", file.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Failure("gzip -dc \(file.lastPathComponent) exited \(p.terminationStatus)") }
        return Array(data)
    }

    private func objects(_ bytes: [UInt8]) throws -> [[String: Any]] {
        try String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
            guard let obj = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else { throw Failure("not an object: \($0)") }
            return obj
        }
    }

    func testExactlyOneRecordPerFileAcrossSegmentsAndThreeKill9sDuringRotation() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/bin/gzip"), "gzip is needed to read the segments back")
        let h = try DaemonHarness(edits: [
            ("summary_interval: 60s", "summary_interval: 0"),
            ("  path: records/records.jsonl\n", "  path: records/records.jsonl\n  rotate: {max_bytes: 16KB, compress: gzip}\n"),
        ])
        defer { h.cleanUp() }
        let total = 900
        let names = (0..<total).map { String(format: "doc-%04d.txt", $0) }

        try h.start()
        let writerDone = h.streamDistinctArticles(names)
        var segmentsAtKill: [Int] = []
        for pause in [0.8, 0.6, 0.9] {
            Thread.sleep(forTimeInterval: pause)
            try h.kill9()
            segmentsAtKill.append(h.names("records").filter { $0.hasPrefix("records-") }.count)
            try h.start()
        }
        XCTAssertEqual(writerDone.wait(timeout: .now() + 60), .success)
        try waitUntil("every file is done", timeout: 180) { h.names("done").count == total }
        XCTAssertEqual(try h.stop(), 0)

        XCTAssertTrue(segmentsAtKill.last ?? 0 > 0, "the kills must land while segments are being made: \(segmentsAtKill)")
        let folder = h.dir("records")
        let files = h.names("records")
        let segments = files.filter { $0.hasPrefix("records-") }
        // After a clean stop every segment is finished: compressed, listed, nothing temporary.
        XCTAssertTrue(segments.allSatisfy { $0.hasSuffix(".jsonl.gz") }, "\(segments)")
        XCTAssertEqual(Set(files), Set(segments + ["records.jsonl", "manifest.json"]))
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("manifest.json")))
                                     as? [String: Any])
        let entries = try XCTUnwrap(manifest["segments"] as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["file"] as? String ?? "" }, segments)

        var records: [[String: Any]] = []
        for entry in entries {
            let url = folder.appendingPathComponent(entry["file"] as! String)
            let stored = try FileIO.read(url)
            XCTAssertEqual(entry["sha256"] as? String, SHA256Digest.hex(of: stored))
            XCTAssertEqual(entry["bytes"] as? Int, stored.count)
            let inSegment = try objects(try gunzip(url))
            XCTAssertEqual(entry["count"] as? Int, inSegment.count)
            XCTAssertEqual(entry["first"] as? String, inSegment.first?["ingested_at"] as? String)
            XCTAssertEqual(entry["last"] as? String, inSegment.last?["ingested_at"] as? String)
            records += inSegment
        }
        records += try h.recordLines()
        let origins = records.map { URL(fileURLWithPath: ($0["origin"] as! [String: Any])["path"] as! String).lastPathComponent }
        XCTAssertEqual(records.count, total, "one record per file across all segments, no more, no less")
        XCTAssertEqual(Set(origins), Set(names))
        XCTAssertEqual(Set(records.compactMap { $0["id"] as? String }).count, total)
        XCTAssertEqual(h.names("done"), names)
        XCTAssertEqual(h.names("processing"), [])
        XCTAssertTrue(records.allSatisfy { ($0["dedupe"] as? [String: Any])?["status"] as? String == "unique" })
    }
}
