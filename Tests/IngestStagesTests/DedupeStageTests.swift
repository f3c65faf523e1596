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

    private func stage(_ policy: String = "annotate", state: URL?, near: Bool = true) throws -> DedupeStage {
        DedupeStage(policy: .init(rawValue: policy)!, exact: try ExactIndex(directory: state),
                    urls: try ExactIndex(directory: state, fileName: "dedupe-url.log"),
                    near: near ? try NearDuplicateIndex(directory: state, bar: NearDuplicateIndex.bar(threshold: 0.8)) : nil, shingle: 5)
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
        XCTAssertEqual(try s.processSynchronously(&a), .keep)
        XCTAssertEqual(try s.processSynchronously(&b), .keep)
        XCTAssertEqual(try s.processSynchronously(&c), .keep)
        XCTAssertEqual(a.dedupe, DedupeVerdict(status: .unique))
        XCTAssertEqual(b.dedupe, DedupeVerdict(status: .duplicate, of: "a", similarity: 1.0))
        XCTAssertEqual(c.dedupe?.status, .unique)
    }

    func testDropPolicyDropsDuplicatesAndNamesTheOriginal() throws {
        let s = try stage("drop", state: nil)
        var a = doc("a", "Story."), b = doc("b", "Story.")
        XCTAssertEqual(try s.processSynchronously(&a), .keep)
        XCTAssertEqual(try s.processSynchronously(&b), .drop(reason: "duplicate", of: "a"))
    }

    func testReprocessingTheSameDocumentAfterACrashFindsItselfUnique() throws {
        let s = try stage(state: nil)
        var first = doc("a", "Story.")
        var again = doc("a", "Story.")
        _ = try s.processSynchronously(&first)
        _ = try s.processSynchronously(&again)
        XCTAssertEqual(again.dedupe?.status, .unique)
    }

    func testTheIndexPersistsAcrossReopenAfterSync() throws {
        do {
            let s = try stage(state: dir)
            var a = doc("a", "Persistent story.")
            _ = try s.processSynchronously(&a)
            try s.sync()
            s.close()
        }
        let reopened = try stage(state: dir)
        var b = doc("b", "Persistent story.")
        _ = try reopened.processSynchronously(&b)
        XCTAssertEqual(b.dedupe, DedupeVerdict(status: .duplicate, of: "a", similarity: 1.0))
    }

    func testATornLastIndexLineIsDroppedAtOpen() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("dedupe-exact.log")
        try Data("aaaa id1\nbbbb i".utf8).write(to: log)
        let index = try ExactIndex(directory: dir)
        XCTAssertEqual(index.count, 1)
        XCTAssertEqual(index.claim(hash: "aaaa", id: "other"), "id1")
        // An old headerless log: its whole lines are rewritten framed, the torn one set aside.
        XCTAssertEqual(Array(try Data(contentsOf: log).prefix(8)), FramedLog.magic)
        XCTAssertEqual(index.opening?.repair?.offset, 9)
        XCTAssertEqual(try index.opening?.repair.map { try Data(contentsOf: $0.movedTo) }, Data("bbbb i".utf8))
    }

    func testConcurrentEqualDocumentsYieldExactlyOneUnique() throws {
        let s = try stage(state: dir)
        let results = Locked<[DedupeVerdict.Status]>([])
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            var d = Document(id: "d\(i)", origin: Origin(kind: .file, path: "/in/d\(i)", size: 1, sha256: "x"), raw: [])
            d.text = "Exactly the same wire story."
            _ = try? s.processSynchronously(&d)
            results.withLock { $0.append(d.dedupe!.status) }
        }
        let statuses = results.withLock { $0 }
        XCTAssertEqual(statuses.filter { $0 == .unique }.count, 1)
        XCTAssertEqual(statuses.filter { $0 == .duplicate }.count, 63)
    }

    // MARK: near duplicates and canonical URLs

    /// A made-up wire story of about 180 words, and a variant generator.
    private static let story: [String] = [
        "The regional water board voted on Thursday to raise the reservoir wall by four metres, ending a dispute that has divided farmers and town councils for most of the past decade.",
        "Board members said the higher wall would store enough water for two dry summers, and that construction crews could begin clearing the access road before the end of the year.",
        "Farmers downstream had argued that the project would flood grazing land, while councils in the valley said the towns could not face another summer of hosepipe bans and empty wells.",
        "Under the plan approved on Thursday, landowners whose fields are flooded will be paid at market rates, and a new pipeline will carry water to three villages that rely on tankers today.",
        "The chair of the board told reporters that the decision was not easy, but that the region could no longer wait for rain, and promised a public meeting in each affected village.",
        "Work on the wall is expected to take three years and to cost about 60 million, most of it paid by the national water fund, with the rest raised through a levy on large users.",
    ]

    private func text(_ paragraphs: [String]) -> String { paragraphs.joined(separator: "\n\n") }

    func testARescrapedCopyWithAnotherHeadlineAndAFurnitureLineIsANearDuplicate() throws {
        let s = try stage(state: nil)
        var a = doc("a", text(Self.story))
        var b = doc("b", text(["Reservoir wall to rise four metres"] + Self.story + ["Share this story"]))
        _ = try s.processSynchronously(&a)
        _ = try s.processSynchronously(&b)
        XCTAssertEqual(a.dedupe?.status, .unique)
        XCTAssertEqual(b.dedupe?.status, .nearDuplicate)
        XCTAssertEqual(b.dedupe?.of, "a")
        XCTAssertGreaterThanOrEqual(b.dedupe?.similarity ?? 0, 0.75)
        XCTAssertLessThan(b.dedupe?.similarity ?? 1, 1.0)
    }

    func testATrimmedCopyWithACorrectionIsANearDuplicateAndTheDropPolicyDropsIt() throws {
        let s = try stage("drop", state: nil)
        var a = doc("a", text(Self.story))
        var b = doc("b", text(Array(Self.story.dropLast()) + ["Correction: an earlier version misstated the height of the wall."]))
        _ = try s.processSynchronously(&a)
        guard case .drop(let reason, let of) = try s.processSynchronously(&b) else { return XCTFail("not dropped: \(String(describing: b.dedupe))") }
        XCTAssertEqual(reason, "near_duplicate")
        XCTAssertEqual(of, "a")
    }

    func testDifferentStoriesOnTheSameSubjectAreNotMerged() throws {
        let s = try stage(state: nil)
        var a = doc("a", text(Self.story))
        let other = [
            "The regional water board postponed on Thursday a vote on the reservoir wall, after farmers asked for a new survey of the grazing land that the higher water would cover.",
            "Councils in the valley criticised the delay, saying towns faced another summer of hosepipe bans, while the board said a decision would come before the end of the year.",
            "Landowners said the compensation offered so far was well below market rates, and three villages that depend on tankers asked the national water fund to step in.",
            "The chair of the board said the region needed the water but could not ignore the survey, and promised public meetings before any construction begins on the access road.",
        ]
        var b = doc("b", text(other))
        var c = doc("c", text(Array(Self.story.prefix(3)) + other.suffix(2)))
        _ = try s.processSynchronously(&a); _ = try s.processSynchronously(&b); _ = try s.processSynchronously(&c)
        XCTAssertEqual(b.dedupe?.status, .unique)
        XCTAssertEqual(c.dedupe?.status, .unique, "half of one story and half of another is a different document")
    }

    func testTheSameCanonicalURLIsADuplicate() throws {
        let s = try stage(state: nil)
        var a = doc("a", "First version of the story.")
        a.origin.canonicalURL = "https://www.Example.org:443/news/story-1/?utm_source=x&id=7#top"
        var b = doc("b", "Second, rewritten version of the story.")
        b.origin.canonicalURL = "http://example.org/news/story-1?id=7&fbclid=abc"
        _ = try s.processSynchronously(&a); _ = try s.processSynchronously(&b)
        XCTAssertEqual(b.dedupe, DedupeVerdict(status: .duplicate, of: "a", similarity: nil))
    }

    func testURLCanonicalization() {
        XCTAssertEqual(URLCanonicalizer.canonical("HTTPS://WWW.Example.ORG:443/a/b/?utm_medium=m&z=1&a=2#frag"), "//example.org/a/b?a=2&z=1")
        XCTAssertEqual(URLCanonicalizer.canonical("http://example.org:80/"), "//example.org/")
        XCTAssertEqual(URLCanonicalizer.canonical("https://example.org:8443/x"), "//example.org:8443/x")
        XCTAssertNil(URLCanonicalizer.canonical("ftp://example.org/x"))
        XCTAssertNil(URLCanonicalizer.canonical("not a url"))
    }

    func testTheNearDuplicateIndexPersistsAndATornRecordIsCut() throws {
        do {
            let s = try stage(state: dir)
            var a = doc("a", text(Self.story))
            _ = try s.processSynchronously(&a)
            try s.sync()
            s.close()
        }
        let log = dir.appendingPathComponent("dedupe-near.log")
        let whole = try Data(contentsOf: log)
        let entry = FramedLog.frameOverhead + 1 + 1 + 4 + 128
        XCTAssertEqual(whole.count, FramedLog.headerSize + entry)
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([5, 65, 66]))
        try handle.close()

        let reopened = try stage(state: dir)
        var b = doc("b", text(["Another headline"] + Self.story))
        _ = try reopened.processSynchronously(&b)
        XCTAssertEqual(b.dedupe?.status, .nearDuplicate)
        XCTAssertEqual(b.dedupe?.of, "a")
        reopened.close()
        XCTAssertEqual(try Data(contentsOf: log).count, whole.count + entry, "the torn record was cut before b was appended")
    }

    func testConcurrentNearIdenticalDocumentsYieldExactlyOneUnique() throws {
        let s = try stage(state: nil)
        let results = Locked<[DedupeVerdict.Status]>([])
        let base = Self.story
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            var d = Document(id: "d\(i)", origin: Origin(kind: .file, path: "/in/d\(i)", size: 1, sha256: "x"), raw: [])
            d.text = (["Headline number \(i)"] + base).joined(separator: "\n\n")
            _ = try? s.processSynchronously(&d)
            results.withLock { $0.append(d.dedupe!.status) }
        }
        let statuses = results.withLock { $0 }
        XCTAssertEqual(statuses.filter { $0 == .unique }.count, 1)
        XCTAssertEqual(statuses.filter { $0 == .nearDuplicate }.count, 31)
    }

    func testSignaturesEstimateJaccard() {
        let a = MinHashSignature(text: text(Self.story), shingle: 5)!
        XCTAssertEqual(a.similarity(to: a), 1.0, accuracy: 0.0001)
        XCTAssertNil(MinHashSignature(text: "too short", shingle: 5))
        let unrelated = MinHashSignature(text: "Completely different words about a football match played in heavy rain on Saturday afternoon before a small crowd of loyal supporters.", shingle: 5)!
        XCTAssertLessThan(a.similarity(to: unrelated), 0.1)
    }

    // MARK: retention

    /// A clock the test moves by hand.
    final class Clock: @unchecked Sendable {
        private let now = Locked(1_000_000.0)
        func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
        var read: @Sendable () -> Double { { [now] in now.withLock { $0 } } }
    }

    func testExactIndexForgetsBeyondMaxEntriesAndMaxAge() throws {
        let count = try ExactIndex(directory: nil, retention: Retention(maxEntries: 2))
        XCTAssertEqual(count.claim(hash: "k1", id: "a"), "a")
        XCTAssertEqual(count.claim(hash: "k2", id: "b"), "b")
        XCTAssertEqual(count.claim(hash: "k1", id: "x"), "a", "still remembered")
        XCTAssertEqual(count.claim(hash: "k3", id: "c"), "c")
        XCTAssertEqual(count.claim(hash: "k1", id: "d"), "d", "k1 was the oldest of three: forgotten")

        let clock = Clock()
        let age = try ExactIndex(directory: nil, retention: Retention(maxAge: 3600, clock: clock.read))
        XCTAssertEqual(age.claim(hash: "k1", id: "a"), "a")
        clock.advance(3000)
        XCTAssertEqual(age.claim(hash: "k1", id: "b"), "a")
        clock.advance(700)
        XCTAssertEqual(age.claim(hash: "k1", id: "c"), "c", "an hour and more later the first is forgotten")
    }

    func testNearIndexForgetsBeyondTheWindowAndTheLogIsCompactedAtOpen() throws {
        let clock = Clock()
        let retention = Retention(maxAge: 86_400, clock: clock.read)
        let sig = MinHashSignature(text: text(Self.story), shingle: 5)!
        do {
            let index = try NearDuplicateIndex(directory: dir, bar: 0.72, retention: retention)
            for i in 0..<10 {
                _ = index.matchAndInsert(MinHashSignature(text: "unrelated document number \(i) " + String(repeating: "w\(i) ", count: 20), shingle: 5)!, id: "old\(i)")
            }
            XCTAssertNil(index.matchAndInsert(sig, id: "a"))
            XCTAssertEqual(index.match(sig)?.id, "a")
            clock.advance(90_000)
            XCTAssertNil(index.match(sig), "a day later the story no longer matches")
            XCTAssertNil(index.matchAndInsert(sig, id: "b"))
            index.close()
        }
        let log = dir.appendingPathComponent("dedupe-near.log")
        let before = try Data(contentsOf: log).count
        let reopened = try NearDuplicateIndex(directory: dir, bar: 0.72, retention: retention)
        XCTAssertEqual(reopened.count, 1)
        XCTAssertEqual(reopened.match(sig)?.id, "b")
        XCTAssertLessThan(try Data(contentsOf: log).count, before / 4, "the eleven expired records were dropped from the file")
    }

    func testRetentionAppliesWhenTheExactIndexIsReloaded() throws {
        var exact = try ExactIndex(directory: dir, retention: Retention(maxEntries: 1))
        XCTAssertEqual(exact.claim(hash: "k1", id: "a"), "a")
        XCTAssertEqual(exact.claim(hash: "k2", id: "b"), "b")
        try exact.sync()
        exact.close()
        exact = try ExactIndex(directory: dir, retention: Retention(maxEntries: 1))
        XCTAssertEqual(exact.count, 1)
        XCTAssertEqual(exact.claim(hash: "k2", id: "c"), "b")
    }
}

/// Signatures are stored in users' indexes (state/dedupe-near.log): the tokenizer, the word and
/// shingle hashes and the permutations must not change under them.
final class MinHashSignatureStabilityTests: XCTestCase {
    func testTheSignatureOfAFixedTextIsStable() {
        let text = "Élise Moreau’s ferry crossed the ÉCOLE bay at dawn; the harbour board, 12 members strong, voted 7–5 to re\u{00AD}open the pier."
        let s = MinHashSignature(text: text, shingle: 3)!
        // Values written by the first released tokenizer and signature code; a change here
        // means every index on disk silently stops matching.
        XCTAssertEqual(Array(s.values.prefix(12)), [315, 4505, 3487, 7163, 1496, 182, 2707, 4564, 2942, 703, 1092, 5887])
        XCTAssertEqual(s.values.count, MinHashSignature.permutations)
    }

    func testTokensFromTheSinkEqualTheWordList() {
        let text = "Kim Jong-un’s DPRK: ÉCOLE naïve cafe\u{0301}s 中文 한국어 re\u{00AD}open ١٢٣ x"
        struct Collect: Tokenizer.Sink {
            var tokens: [String] = []
            mutating func token(_ bytes: UnsafeBufferPointer<UInt8>) { tokens.append(String(decoding: bytes, as: UTF8.self)) }
        }
        var sink = Collect()
        Tokenizer.scan(text, into: &sink)
        XCTAssertEqual(sink.tokens, Tokenizer.words(text))
        XCTAssertEqual(Tokenizer.words(text), ["kim", "jong", "un", "s", "dprk", "école", "naïve", "cafe\u{0301}s", "中", "文", "한국어", "reopen", "١٢٣", "x"])
    }
}
