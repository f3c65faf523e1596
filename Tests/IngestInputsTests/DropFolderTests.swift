import Foundation
import Logging
import XCTest
import IngestCore
@testable import IngestInputs

/// Collects what a source delivers, and lets a test wait for it without sleeping blindly.
final class Deliveries: @unchecked Sendable {
    private let lock = NSCondition()
    private var claims: [Claim] = []

    func add(_ c: Claim) { lock.lock(); claims.append(c); lock.broadcast(); lock.unlock() }

    /// Waits until at least `n` claims arrived (or the timeout passed) and returns them all.
    func wait(for n: Int, timeout: TimeInterval = 5) -> [Claim] {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while claims.count < n, lock.wait(until: deadline) {}
        return claims
    }
}

final class DropFolderTests: XCTestCase {
    private var root: URL!
    private var settings: PipelineConfig.DropFolder!
    private let logger = Logger(label: "test")

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("drop-\(UUID().uuidString)")
        settings = PipelineConfig.DropFolder(inbox: root.appendingPathComponent("inbox"), processing: root.appendingPathComponent("processing"),
                                             done: root.appendingPathComponent("done"), failed: root.appendingPathComponent("failed"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func drop(_ name: String, _ text: String = "some text") throws {
        // Written under an ignored name, then renamed: the way users are told to drop files.
        let tmp = settings.inbox.appendingPathComponent(".\(name).tmp")
        try Data(text.utf8).write(to: tmp)
        try FileManager.default.moveItem(at: tmp, to: settings.inbox.appendingPathComponent(name))
    }

    private func names(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    func testIgnoredNames() {
        for n in [".hidden", "a.tmp", "b.part", "c.crdownload"] { XCTAssertTrue(DropFolder.isIgnored(n), n) }
        for n in ["a.txt", "tmp.txt", "part", "a.html"] { XCTAssertFalse(DropFolder.isIgnored(n), n) }
    }

    func testStartupScanThenInotifyEventsAreClaimedIntoProcessing() throws {
        try FileManager.default.createDirectory(at: settings.inbox, withIntermediateDirectories: true)
        try drop("before.txt")
        try Data("still writing".utf8).write(to: settings.inbox.appendingPathComponent("later.part"))
        let folder = DropFolder(settings: settings, logger: logger)
        let got = Deliveries()
        try folder.start { got.add($0) }
        folder.grant(10)
        XCTAssertEqual(got.wait(for: 1).map(\.name), ["before.txt"])

        try drop("after.txt")
        let claims = got.wait(for: 2)
        XCTAssertEqual(claims.map(\.name), ["before.txt", "after.txt"])
        for c in claims {
            XCTAssertTrue(FileManager.default.fileExists(atPath: c.path.path))
            XCTAssertEqual(c.path.deletingLastPathComponent().lastPathComponent, "processing")
            XCTAssertTrue(c.claimName.hasSuffix("-" + c.name))
            XCTAssertEqual(DropFolder.originalName(of: c.claimName), c.name)
        }
        // The .part file is still waiting; renaming it makes it visible.
        XCTAssertEqual(names(settings.inbox), ["later.part"])
        try FileManager.default.moveItem(at: settings.inbox.appendingPathComponent("later.part"),
                                         to: settings.inbox.appendingPathComponent("later.txt"))
        XCTAssertEqual(got.wait(for: 3).last?.name, "later.txt")
        folder.stop()
    }

    func testNoMoreClaimsThanCreditsAndAcknowledgingReleasesOne() throws {
        try FileManager.default.createDirectory(at: settings.inbox, withIntermediateDirectories: true)
        for i in 0..<5 { try drop("f\(i).txt") }
        let folder = DropFolder(settings: settings, logger: logger)
        let got = Deliveries()
        try folder.start { got.add($0) }
        folder.grant(2)
        let first = got.wait(for: 2)
        XCTAssertEqual(got.wait(for: 3, timeout: 0.3).count, 2, "backpressure: only two credits were granted")
        XCTAssertEqual(folder.backlog, 3)
        XCTAssertEqual(names(settings.inbox).count, 3)

        folder.acknowledge(first[0], outcome: .recorded(id: "x"))
        XCTAssertEqual(got.wait(for: 3).count, 3)
        folder.acknowledge(first[1], outcome: .rejected(Rejection(.binary, "looks like a PNG image", stage: "normalize")))
        XCTAssertEqual(got.wait(for: 4).count, 4)
        folder.stop()

        XCTAssertEqual(names(settings.done), [first[0].name])
        XCTAssertEqual(names(settings.failed), [first[1].name, first[1].name + ".error.json"])
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: settings.failed.appendingPathComponent(first[1].name + ".error.json"))) as! [String: Any]
        XCTAssertEqual(sidecar["reason"] as? String, "binary")
        XCTAssertEqual(sidecar["stage"] as? String, "normalize")
        XCTAssertEqual(sidecar["message"] as? String, "looks like a PNG image")
        XCTAssertNotNil(sidecar["time"] as? String)
    }

    func testAFileDeletedBetweenEventAndClaimIsSkippedAndTheNextOneStillArrives() throws {
        let folder = DropFolder(settings: settings, logger: logger)
        let got = Deliveries()
        try folder.start { got.add($0) }
        // No credits yet: the event is remembered but the file not claimed.
        try drop("gone.txt")
        XCTAssertEqual(got.wait(for: 1, timeout: 0.3).count, 0)
        try FileManager.default.removeItem(at: settings.inbox.appendingPathComponent("gone.txt"))
        folder.grant(5)
        try drop("kept.txt")
        XCTAssertEqual(got.wait(for: 1).map(\.name), ["kept.txt"])
        XCTAssertEqual(got.wait(for: 2, timeout: 0.3).count, 1)
        XCTAssertNil(folder.claim(EntryName("never-existed.txt")))
        folder.stop()
    }

    func testClaimsLeftInProcessingAreRecoveredFirstAndFlagged() throws {
        try FileManager.default.createDirectory(at: settings.processing, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: settings.processing.appendingPathComponent("0000000000000001-old.txt"))
        let folder = DropFolder(settings: settings, logger: logger)
        let got = Deliveries()
        try folder.start { got.add($0) }
        let claims = got.wait(for: 1)
        XCTAssertEqual(claims.first?.name, "old.txt")
        XCTAssertEqual(claims.first?.claimName, "0000000000000001-old.txt")
        XCTAssertEqual(claims.first?.recovered, true)
        folder.stop()
    }

    func testAFullBacklogIsForgottenAndRescannedSoMemoryStaysBounded() throws {
        try FileManager.default.createDirectory(at: settings.inbox, withIntermediateDirectories: true)
        for i in 0..<12 { try drop(String(format: "n%02d.txt", i)) }
        let folder = DropFolder(settings: settings, logger: logger, maxRemembered: 4)
        let got = Deliveries()
        try folder.start { got.add($0) }
        XCTAssertEqual(folder.backlog, 4)
        folder.grant(100)
        XCTAssertEqual(Set(got.wait(for: 12).map(\.name)).count, 12)
        folder.stop()
    }
}

final class DropFolderOverflowTests: XCTestCase {
    /// A hard link makes a file appear without a close-write or moved-to event, just as events
    /// are lost when the kernel queue overflows; the overflow rescan must still find it.
    func testAnOverflowRescansTheInboxAndFindsFilesWhoseEventsWereLost() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("overflow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let settings = PipelineConfig.DropFolder(inbox: root.appendingPathComponent("inbox"), processing: root.appendingPathComponent("processing"),
                                                 done: root.appendingPathComponent("done"), failed: root.appendingPathComponent("failed"))
        let folder = DropFolder(settings: settings, logger: Logger(label: "test"))
        let got = Deliveries()
        try folder.start { got.add($0) }
        folder.grant(10)
        let outside = root.appendingPathComponent("outside.txt")
        try Data("text".utf8).write(to: outside)
        XCTAssertEqual(link(outside.path, settings.inbox.appendingPathComponent("linked.txt").path), 0)
        XCTAssertEqual(got.wait(for: 1, timeout: 0.3).count, 0, "no event announces a hard link")
        folder.onQueue { folder.handle(.overflow) }
        XCTAssertEqual(got.wait(for: 1).map(\.name), ["linked.txt"])
        folder.stop()
    }
}
