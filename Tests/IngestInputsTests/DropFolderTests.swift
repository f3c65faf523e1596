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
    private var settings: DropFolderSettings!
    private let logger = Logger(label: "test")

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("drop-\(UUID().uuidString)")
        settings = DropFolderSettings(inbox: root.appendingPathComponent("inbox"), processing: root.appendingPathComponent("processing"),
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
        for n in [".hidden", "a.tmp", "b.part", "c.crdownload"] { XCTAssertTrue(EntryName(n).isIgnored, n) }
        for n in ["a.txt", "tmp.txt", "part", "a.html"] { XCTAssertFalse(EntryName(n).isIgnored, n) }
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
            XCTAssertEqual(ClaimName.original(of: c.claimName, in: settings.processing).display, c.name)
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

    /// A hard link arrives with a create event only (no close-write, no moved-to); it is taken
    /// at once, for the reader to refuse (a link grants reading a file the dropper may not).
    func testAHardLinkIsDeliveredAtOnce() throws {
        let folder = DropFolder(settings: settings, logger: logger)
        let got = Deliveries()
        try folder.start { got.add($0) }
        folder.grant(10)
        let outside = root.appendingPathComponent("outside.txt")
        try Data("text".utf8).write(to: outside)
        XCTAssertEqual(link(outside.path, settings.inbox.appendingPathComponent("linked.txt").path), 0)
        XCTAssertEqual(got.wait(for: 1, timeout: 5).map(\.name), ["linked.txt"])
        folder.stop()
    }

    /// More events than the kernel queue holds while the source is busy: the queue overflows
    /// (IN_Q_OVERFLOW), events are lost, and the rescan must still find every file.
    func testAnOverflowRescansTheInboxAndFindsFilesWhoseEventsWereLost() throws {
        let limit = Int((try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16_384
        try XCTSkipIf(limit > 40_000, "max_queued_events is \(limit): too many files to overflow it here")
        let count = limit / 2 + 200  // a create and a close-write each
        let folder = DropFolder(settings: settings, logger: logger)
        let got = Deliveries()
        try folder.start { got.add($0) }
        folder.grant(count + 10)
        let busy = DispatchSemaphore(value: 0)
        folder.onQueue { busy.wait() }  // the source reads no events until released
        for i in 0..<count {
            let fd = open(settings.inbox.appendingPathComponent("f\(i).txt").path, O_WRONLY | O_CREAT, 0o644)
            XCTAssertGreaterThanOrEqual(fd, 0)
            close(fd)
        }
        busy.signal()
        XCTAssertEqual(Set(got.wait(for: count, timeout: 60).map(\.name)).count, count)
        folder.stop()
    }

    private func rawPath(_ folder: URL, _ name: [UInt8]) -> [CChar] {
        (Array(folder.path.utf8) + [UInt8(ascii: "/")] + name + [0]).map { CChar(bitPattern: $0) }
    }

    /// A 250-byte name does not fit behind a claim stamp, and a Latin-1 name is not UTF-8: both
    /// are claimed under a stand-in, and their exact names survive a restart mid-flight.
    func testNamesThatDoNotFitAClaimKeepTheirExactBytesAcrossARestart() throws {
        try FileManager.default.createDirectory(at: settings.inbox, withIntermediateDirectories: true)
        let long = Array((String(repeating: "x", count: 245) + ".html").utf8)
        let latin1 = Array("na".utf8) + [0xEF] + Array("ve.txt".utf8)
        for name in [long, latin1] {
            let fd = open(rawPath(settings.inbox, name), O_WRONLY | O_CREAT, 0o644)
            XCTAssertGreaterThanOrEqual(fd, 0)
            close(fd)
        }
        var folder = DropFolder(settings: settings, logger: logger)
        let got = Deliveries()
        try folder.start { got.add($0) }
        folder.grant(10)
        let claims = got.wait(for: 2)
        XCTAssertEqual(Set(claims.map(\.nameBytes)), [long, latin1])
        for c in claims {
            XCTAssertLessThanOrEqual(c.claimName.utf8.count, 244, "room for .error.json in failed/")
            XCTAssertTrue(FileManager.default.fileExists(atPath: c.path.path))
        }
        let standIn = try XCTUnwrap(claims.first { $0.nameBytes == long }?.claimName)
        XCTAssertTrue(standIn.hasSuffix("….html"), standIn)
        XCTAssertEqual(names(settings.processing).filter { $0.hasSuffix(".name") }.count, 2, "the exact names are saved beside the claims")
        folder.stop()

        // A crash before the acknowledgement: the next start recovers the exact names.
        folder = DropFolder(settings: settings, logger: logger)
        let again = Deliveries()
        try folder.start { again.add($0) }
        let recovered = again.wait(for: 2)
        XCTAssertEqual(Set(recovered.map(\.nameBytes)), [long, latin1])
        XCTAssertTrue(recovered.allSatisfy(\.recovered))
        for c in recovered { folder.acknowledge(c, outcome: .recorded(id: "x")) }
        folder.close()
        folder.stop()
        XCTAssertEqual(names(settings.processing), [], "claims and saved names are gone")
        var st = stat()
        XCTAssertEqual(lstat(rawPath(settings.done, long), &st), 0)
        XCTAssertEqual(lstat(rawPath(settings.done, latin1), &st), 0)
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

final class SettleCheckTests: XCTestCase {
    private let check = SettleCheck(settleTime: 2)
    private let second = 1_000_000_000

    private func look(size: Int = 10, modified: Int, regular: Bool = true) -> SettleCheck.Look {
        SettleCheck.Look(isRegular: regular, size: size, modified: modified, inode: 7, links: 1)
    }

    func testTheKernelsAnswerWinsWhenThereIsOne() {
        let now = 100 * second
        XCTAssertFalse(check.isSettled(look(modified: 0), before: nil, writers: .some, now: now), "open for writing")
        XCTAssertTrue(check.isSettled(look(modified: now), before: nil, writers: .none, now: now), "closed, however recent")
    }

    func testWithoutItAFileMustKeepItsSizeAndTimeForTheSettleTime() {
        let now = 100 * second
        XCTAssertFalse(check.isSettled(look(modified: now - second), before: nil, writers: .unknown, now: now))
        XCTAssertTrue(check.isSettled(look(modified: now - 3 * second), before: nil, writers: .unknown, now: now))
        XCTAssertFalse(check.isSettled(look(size: 20, modified: now - 3 * second), before: look(size: 10, modified: now - 3 * second),
                                       writers: .unknown, now: now), "it grew since the last look")
        // A clock ahead of ours (a tar from a skewed machine): unchanged over one interval is enough.
        let future = look(modified: now + 3600 * second)
        XCTAssertFalse(check.isSettled(future, before: nil, writers: .unknown, now: now))
        XCTAssertTrue(check.isSettled(future, before: future, writers: .unknown, now: now + 2 * second))
    }

    func testWhatIsNotARegularFileNeedsNoWaiting() {
        XCTAssertTrue(check.isSettled(look(modified: 0, regular: false), before: nil, writers: .some, now: 0))
    }

    /// The lease probe on a file this process owns: refused while it is open for writing.
    func testTheLeaseProbeSeesAWriter() throws {
        let enabled = (try? String(contentsOfFile: "/proc/sys/fs/leases-enable", encoding: .utf8))?.hasPrefix("1") ?? false
        try XCTSkipUnless(enabled, "file leases are off on this machine (fs.leases-enable)")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("settle-\(UUID().uuidString)").path
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let cPath = path.utf8CString.map { $0 }
        XCTAssertEqual(SettleCheck.writers(cPath), .some)
        close(fd)
        XCTAssertEqual(SettleCheck.writers(cPath), .none)
    }
}
