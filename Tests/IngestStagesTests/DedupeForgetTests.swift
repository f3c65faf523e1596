import Foundation
import XCTest
import IngestCore
@testable import IngestStages

/// `forget`: a document dedupe passed on that got no record (a later stage rejected or dropped
/// it) gives up its claims, in memory and in the logs.
final class DedupeForgetTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("dedupe-forget-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private var exactLog: URL { dir.appendingPathComponent("dedupe-exact.log") }
    private var nearLog: URL { dir.appendingPathComponent("dedupe-near.log") }

    private func stage(_ policy: String = "annotate", state: URL?) throws -> DedupeStage {
        DedupeStage(policy: .init(rawValue: policy)!, exact: try ExactIndex(directory: state),
                    urls: try ExactIndex(directory: state, fileName: "dedupe-url.log"),
                    near: try NearDuplicateIndex(directory: state, bar: NearDuplicateIndex.bar(threshold: 0.8)), shingle: 5)
    }

    private func doc(_ id: String, _ text: String, url: String? = nil) -> Document {
        var d = Document(id: id, origin: Origin(kind: .file, path: "/in/\(id)", size: 1, sha256: "x"), raw: [])
        d.text = text
        d.origin.canonicalURL = url
        return d
    }

    private static let story = [
        "The regional water board voted on Thursday to raise the reservoir wall by four metres, ending a dispute that has divided farmers and town councils for most of the past decade.",
        "Board members said the higher wall would store enough water for two dry summers, and that construction crews could begin clearing the access road before the end of the year.",
        "Farmers downstream had argued that the project would flood grazing land, while councils in the valley said the towns could not face another summer of hosepipe bans and empty wells.",
        "Under the plan approved on Thursday, landowners whose fields are flooded will be paid at market rates, and a new pipeline will carry water to three villages that rely on tankers today.",
        "The chair of the board told reporters that the decision was not easy, but that the region could no longer wait for rain, and promised a public meeting in each affected village.",
    ].joined(separator: "\n\n")
    /// Nearly `story`: another headline and a furniture line.
    private static let rescrape = "Reservoir wall to rise four metres\n\n" + story + "\n\nShare this story"
    private static let url = "https://example.org/news/reservoir"

    private func status(_ s: DedupeStage, _ id: String, _ text: String, url: String? = nil) throws -> (StageVerdict, DedupeVerdict?) {
        var d = doc(id, text, url: url)
        let verdict = try s.processSynchronously(&d)
        return (verdict, d.dedupe)
    }

    private func frames(_ file: URL) throws -> [(offset: Int, payload: [UInt8])] {
        let b = Array(try Data(contentsOf: file))
        var out: [(Int, [UInt8])] = []
        var at = FramedLog.headerSize
        while at + 8 <= b.count {
            let n = Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
            out.append((at, Array(b[(at + 8)..<(at + 8 + n)])))
            at += 8 + n
        }
        return out
    }

    private func version(_ file: URL) throws -> Int {
        let b = Array(try Data(contentsOf: file).prefix(FramedLog.headerSize))
        return Int(b[8]) | Int(b[9]) << 8
    }

    /// The signature of a text that shares no word with that of another `n`.
    private func signature(_ n: Int) -> MinHashSignature { Self.signature(n) }
    private static func signature(_ n: Int) -> MinHashSignature {
        MinHashSignature(text: (0..<30).map { "w\(n)x\($0)" }.joined(separator: " "), shingle: 5)!
    }

    // MARK: in memory

    func testForgetReleasesTheExactURLAndNearClaimsSoTheNextDocumentOwnsThem() throws {
        for state in [nil, dir] as [URL?] {
            let s = try stage("drop", state: state)
            XCTAssertEqual(try status(s, "a", Self.story, url: Self.url).1, DedupeVerdict(status: .unique))
            // Without forget, each of these is a duplicate of a (dropped under policy: drop).
            XCTAssertEqual(try status(s, "probe", Self.story).0, .drop(reason: "duplicate", of: "a"))
            s.forget("probe")  // dropped by dedupe itself: owns nothing, releases nothing
            s.forget("a")
            XCTAssertEqual(try status(s, "b", Self.story).1, DedupeVerdict(status: .unique), "text released")
            XCTAssertEqual(try status(s, "c", "A different story entirely, on another subject.", url: Self.url).1,
                           DedupeVerdict(status: .unique), "URL released")
            s.forget("b")
            XCTAssertEqual(try status(s, "d", Self.rescrape).1, DedupeVerdict(status: .unique), "near entry released")
            // b released the text too: e claims it, and is near d, the live owner of the near entry.
            XCTAssertEqual(try status(s, "e", Self.story).0, .drop(reason: "near_duplicate", of: "d"))
            s.close()
            if let state { try FileManager.default.removeItem(at: state) }
        }
    }

    func testForgetTouchesOnlyTheClaimsOfThatID() throws {
        let s = try stage(state: nil)
        _ = try status(s, "a", Self.story, url: Self.url)
        XCTAssertEqual(try status(s, "b", Self.story, url: Self.url).1?.of, "a")
        XCTAssertEqual(try status(s, "n", Self.rescrape).1?.status, .nearDuplicate)  // n is indexed too
        s.forget("b")
        s.forget("n")
        s.forget("never-seen")
        XCTAssertEqual(try status(s, "c", Self.story).1, DedupeVerdict(status: .duplicate, of: "a", similarity: 1.0))
        XCTAssertEqual(try status(s, "d", "Another text.", url: Self.url).1, DedupeVerdict(status: .duplicate, of: "a", similarity: nil))
        let near = try status(s, "e", Self.rescrape + "\n\nMore on this later").1
        XCTAssertEqual(near?.status, .nearDuplicate)
        XCTAssertEqual(near?.of, "a")
    }

    func testADocumentReprocessedUnderTheSameIDAfterItsForgetOwnsItsClaimsAgain() throws {
        let near = try NearDuplicateIndex(directory: nil, bar: 0.72)
        XCTAssertNil(near.matchAndInsert(signature(1), id: "a"))
        near.forget("a")
        XCTAssertNil(near.match(signature(1)))
        XCTAssertNil(near.matchAndInsert(signature(1), id: "a"), "indexed afresh, not its own released entry")
        XCTAssertEqual(near.matchAndInsert(signature(1), id: "b")?.id, "a", "the new entry is not released")

        let exact = try ExactIndex(directory: nil)
        XCTAssertEqual(exact.claim(hash: "k", id: "a"), "a")
        exact.forget("a")
        XCTAssertNil(exact.owner(of: "k"))
        XCTAssertEqual(exact.claim(hash: "k", id: "a"), "a")
        XCTAssertEqual(exact.claim(hash: "k", id: "b"), "a")
    }

    func testConcurrentForgetsAndClaimsKeepEachKeyWithOneLiveOwner() throws {
        let exact = try ExactIndex(directory: nil)
        let near = try NearDuplicateIndex(directory: nil, bar: 0.72)
        DispatchQueue.concurrentPerform(iterations: 400) { i in
            let id = "d\(i)"
            _ = exact.claim(hash: "k\(i % 20)", id: id)
            _ = near.matchAndInsert(Self.signature(i % 20), id: id)
            if i % 2 == 0 { exact.forget(id); near.forget(id) }
        }
        for k in 0..<20 {
            if k % 2 == 1 { XCTAssertNotNil(exact.owner(of: "k\(k)")); XCTAssertNotNil(near.match(signature(k))) }
            if let owner = exact.owner(of: "k\(k)") { XCTAssertEqual(Int(owner.dropFirst())! % 2, 1, "a forgotten id owns nothing") }
            if let m = near.match(signature(k)) { XCTAssertEqual(Int(m.id.dropFirst())! % 2, 1) }
        }
    }

    // MARK: in the logs

    func testReleasesSurviveAReopenOfTheStateFolder() throws {
        do {
            let s = try stage(state: dir)
            _ = try status(s, "a", Self.story, url: Self.url)
            _ = try status(s, "keep", "A story that nobody forgets.", url: "https://example.org/kept")
            try s.sync()
            s.forget("a")
            try s.sync()
            s.close()
        }
        for file in ["dedupe-exact.log", "dedupe-url.log", "dedupe-near.log"] {
            let url = dir.appendingPathComponent(file)
            XCTAssertEqual(try version(url), 3, file)
            XCTAssertEqual(try frames(url).last?.payload.first, 0, "\(file) ends with a release frame")
        }
        do {
            let s = try stage("drop", state: dir)
            XCTAssertEqual(try status(s, "b", Self.story).1, DedupeVerdict(status: .unique), "text and near entry released")
            XCTAssertEqual(try status(s, "c", "Other text.", url: Self.url).1, DedupeVerdict(status: .unique), "URL released")
            XCTAssertEqual(try status(s, "e", "A story that nobody forgets.").0, .drop(reason: "duplicate", of: "keep"))
            try s.sync()
            s.close()
        }
        // Once more: the new owners, loaded after the releases, keep what a gave up.
        let s = try stage("drop", state: dir)
        XCTAssertEqual(try status(s, "f", Self.story).0, .drop(reason: "duplicate", of: "b"))
        XCTAssertEqual(try status(s, "g", "Third text.", url: Self.url).0, .drop(reason: "duplicate", of: "c"))
        XCTAssertEqual(try status(s, "h", Self.rescrape).0, .drop(reason: "near_duplicate", of: "b"))
    }

    func testClaimsAndReleasesAreReplayedInLogOrder() throws {
        do {
            let exact = try ExactIndex(directory: dir)
            let near = try NearDuplicateIndex(directory: dir, bar: 0.72)
            XCTAssertEqual(exact.claim(hash: "k", id: "a"), "a")
            XCTAssertNil(near.matchAndInsert(signature(1), id: "a"))
            exact.forget("a"); near.forget("a")
            XCTAssertEqual(exact.claim(hash: "k", id: "b"), "b")
            XCTAssertNil(near.matchAndInsert(signature(1), id: "b"))
            exact.forget("b"); near.forget("b")
            // a re-processed (same id) after its release: claims again, and stays.
            XCTAssertEqual(exact.claim(hash: "k", id: "a"), "a")
            XCTAssertNil(near.matchAndInsert(signature(1), id: "a"))
            // A release of an id that does not own the key releases nothing.
            exact.forget("b"); near.forget("b")
            try exact.sync(); try near.sync()
            exact.close(); near.close()
        }
        let exact = try ExactIndex(directory: dir)
        let near = try NearDuplicateIndex(directory: dir, bar: 0.72)
        XCTAssertEqual(exact.owner(of: "k"), "a")
        XCTAssertEqual(exact.count, 1)
        XCTAssertEqual(near.count, 1)
        XCTAssertEqual(near.match(signature(1))?.id, "a")
        XCTAssertNil(near.matchAndInsert(signature(1), id: "a"), "its own entry after the reload")
    }

    func testALogWithReleasesIsCompactedToItsLiveClaimsOnly() throws {
        do {
            let exact = try ExactIndex(directory: dir)
            let near = try NearDuplicateIndex(directory: dir, bar: 0.72)
            for i in 0..<10 {
                XCTAssertEqual(exact.claim(hash: "k\(i)", id: "id\(i)"), "id\(i)")
                XCTAssertNil(near.matchAndInsert(signature(i), id: "id\(i)"))
            }
            for i in 0..<8 { exact.forget("id\(i)"); near.forget("id\(i)") }
            try exact.sync(); try near.sync()
            exact.close(); near.close()
        }
        XCTAssertEqual(try frames(exactLog).count, 18)
        XCTAssertEqual(try frames(nearLog).count, 18)
        for round in 0..<2 {
            let exact = try ExactIndex(directory: dir)
            let near = try NearDuplicateIndex(directory: dir, bar: 0.72)
            XCTAssertEqual(exact.opening?.entries, round == 0 ? 18 : 2)
            XCTAssertEqual(exact.count, 2)
            XCTAssertEqual(near.count, 2)
            XCTAssertEqual(try frames(exactLog).map { String(decoding: $0.payload, as: UTF8.self).split(separator: " ").first },
                           ["k8", "k9"], "rewritten with the live claims only, no release frames")
            XCTAssertEqual(try frames(nearLog).count, 2)
            XCTAssertFalse(try frames(nearLog).contains { $0.payload.first == 0 })
            for i in 0..<10 {
                XCTAssertEqual(exact.owner(of: "k\(i)"), i < 8 ? nil : "id\(i)")
                XCTAssertEqual(near.match(signature(i))?.id, i < 8 ? nil : "id\(i)")
            }
            exact.close(); near.close()
        }
    }

    func testAVersion2LogWithoutReleasesLoadsAndIsRewrittenAsVersion3() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var keys = FramedLog.header(.keys)
        keys[8] = 2
        for (k, id) in [("k1", "a"), ("k2", "b")] {
            FramedLog.appendFrame(to: &keys) { $0.append(contentsOf: "\(k) \(id) 1764800000".utf8) }
        }
        try Data(keys).write(to: exactLog)
        var sigs = FramedLog.header(.signatures)
        sigs[8] = 2
        FramedLog.appendFrame(to: &sigs) { out in
            out.append(1); out.append(contentsOf: "a".utf8)
            out.append(contentsOf: [0, 0, 0, 0])
            for v in signature(1).values { out += [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)] }
        }
        try Data(sigs).write(to: nearLog)

        let exact = try ExactIndex(directory: dir)
        let near = try NearDuplicateIndex(directory: dir, bar: 0.72)
        XCTAssertEqual(exact.opening?.version, 2)
        XCTAssertEqual(exact.owner(of: "k1"), "a")
        XCTAssertEqual(exact.owner(of: "k2"), "b")
        XCTAssertEqual(near.match(signature(1))?.id, "a")
        XCTAssertEqual(try version(exactLog), 3, "rewritten before a release could be appended under version 2")
        XCTAssertEqual(try version(nearLog), 3)
        XCTAssertEqual(try frames(exactLog).count, 2)
        XCTAssertEqual(try frames(nearLog).count, 1)
        exact.forget("a"); near.forget("a")
        try exact.sync(); try near.sync()
        exact.close(); near.close()

        let reopened = try ExactIndex(directory: dir)
        XCTAssertEqual(reopened.opening?.version, 3)
        XCTAssertNil(reopened.owner(of: "k1"))
        XCTAssertEqual(reopened.owner(of: "k2"), "b")
        XCTAssertNil(try NearDuplicateIndex(directory: dir, bar: 0.72).match(signature(1)))
    }
}
