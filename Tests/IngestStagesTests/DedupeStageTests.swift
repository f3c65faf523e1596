import Foundation
import Logging
import XCTest
import IngestCore
@testable import IngestStages

final class DedupeStageTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("dedupe-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func stage(_ policy: String = "annotate", state: URL?) throws -> DedupeStage {
        DedupeStage(policy: .init(rawValue: policy)!, index: try ExactIndex(directory: state))
    }

    private func doc(_ id: String, _ text: String) -> Document {
        var d = Document(id: id, origin: Origin(kind: .file, path: "/in/\(id)", size: 1, sha256: "x"), raw: [])
        d.text = text
        return d
    }

    func testFirstIsUniqueLaterEqualTextIsADuplicateOfTheFirst() throws {
        let s = try stage(state: nil)
        var a = doc("a", "The same story.\n\nTwo paragraphs.")
        var b = doc("b", "the  SAME story.\nTwo paragraphs.")
        var c = doc("c", "Another story.")
        XCTAssertEqual(try s.process(&a), .keep)
        XCTAssertEqual(try s.process(&b), .keep)
        XCTAssertEqual(try s.process(&c), .keep)
        XCTAssertEqual(a.dedupe, DedupeVerdict(status: .unique))
        XCTAssertEqual(b.dedupe, DedupeVerdict(status: .duplicate, of: "a", similarity: 1.0))
        XCTAssertEqual(c.dedupe?.status, .unique)
    }

    func testDropPolicyDropsDuplicatesAndNamesTheOriginal() throws {
        let s = try stage("drop", state: nil)
        var a = doc("a", "Story."), b = doc("b", "Story.")
        XCTAssertEqual(try s.process(&a), .keep)
        XCTAssertEqual(try s.process(&b), .drop(reason: "duplicate", of: "a"))
    }

    func testReprocessingTheSameDocumentAfterACrashFindsItselfUnique() throws {
        let s = try stage(state: nil)
        var first = doc("a", "Story.")
        var again = doc("a", "Story.")
        _ = try s.process(&first)
        _ = try s.process(&again)
        XCTAssertEqual(again.dedupe?.status, .unique)
    }

    func testTheIndexPersistsAcrossReopenAfterSync() throws {
        do {
            let s = try stage(state: dir)
            var a = doc("a", "Persistent story.")
            _ = try s.process(&a)
            try s.sync()
            s.close()
        }
        let reopened = try stage(state: dir)
        var b = doc("b", "Persistent story.")
        _ = try reopened.process(&b)
        XCTAssertEqual(b.dedupe, DedupeVerdict(status: .duplicate, of: "a", similarity: 1.0))
    }

    func testATornLastIndexLineIsDroppedAtOpen() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("dedupe-exact.log")
        try Data("aaaa id1\nbbbb i".utf8).write(to: log)
        let index = try ExactIndex(directory: dir)
        XCTAssertEqual(index.count, 1)
        XCTAssertEqual(try String(contentsOf: log, encoding: .utf8), "aaaa id1\n")
        XCTAssertEqual(index.claim(hash: "aaaa", id: "other"), "id1")
    }

    func testConcurrentEqualDocumentsYieldExactlyOneUnique() throws {
        let s = try stage(state: dir)
        let results = Locked<[DedupeVerdict.Status]>([])
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            var d = Document(id: "d\(i)", origin: Origin(kind: .file, path: "/in/d\(i)", size: 1, sha256: "x"), raw: [])
            d.text = "Exactly the same wire story."
            _ = try? s.process(&d)
            results.withLock { $0.append(d.dedupe!.status) }
        }
        let statuses = results.withLock { $0 }
        XCTAssertEqual(statuses.filter { $0 == .unique }.count, 1)
        XCTAssertEqual(statuses.filter { $0 == .duplicate }.count, 63)
    }
}

