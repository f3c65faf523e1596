import Foundation
import IngestBuiltins
import IngestCore
import IngestPostgres
import LogCapture
import XCTest
@testable import IngestStages

/// The cluster's dedupe index against a real PostgreSQL: the verdicts of the local index, and no
/// two near-identical documents both unique when nodes judge them at the same moment.
final class SharedDedupeTests: PostgresTestCase {
    /// An invented article of `words` words from a small vocabulary, the same for a seed.
    static func article(seed: UInt64, words: Int = 300) -> [String] {
        let vocabulary = ["summit", "envoy", "talks", "nuclear", "sanctions", "leader", "delegation", "statement", "minister",
                          "officials", "agreement", "missile", "peninsula", "border", "trade", "meeting", "press", "report",
                          "policy", "security", "council", "economy", "aid", "visit", "hotel", "dinner", "walked", "said",
                          "the", "a", "of", "to", "and", "in", "on", "with", "after", "before", "would", "could", "not",
                          "progress", "denuclearization", "relief", "framework", "steps", "negotiators", "weekend", "hanoi"]
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<words).map { _ in
            state = MinHashSignature.splitmix(state)
            return vocabulary[Int(state % UInt64(vocabulary.count))] + (state % 7 == 0 ? "s" : "")
        }
    }

    /// The article with one word in `every` replaced: a near duplicate (Jaccard about 0.9 at 100).
    static func variant(_ words: [String], every: Int = 100, mark: String) -> [String] {
        words.enumerated().map { $0.offset % every == every / 2 ? "\(mark)\($0.offset)" : $0.element }
    }

    private static func document(_ id: String, _ words: [String]) -> Document {
        var d = Document(id: id, origin: Origin(kind: .file, path: "/in/\(id)", size: 1, sha256: "x"), raw: [])
        d.text = words.joined(separator: " ")
        return d
    }

    private func stage(_ conninfo: String?, node: String = "desk-a", maxAge: String? = nil, maxEntries: Int? = nil) throws -> DedupeStage {
        let yaml = """
            \(conninfo.map { "cluster: {postgres: \"\($0)\", node: \(node)}" } ?? "")
            stages:
              - use: normalize
              - use: dedupe
            \(maxAge.map { "    max_age: \($0)" } ?? "")
            \(maxEntries.map { "    max_entries: \($0)" } ?? "")
            """
        let base = URL(fileURLWithPath: "/nonexistent-shared-dedupe")
        let config = try PipelineLoader.parse(yaml: yaml, file: base.appendingPathComponent("p.yaml"), displayName: "p.yaml",
                                              baseDirectory: base, registry: BuiltinComponents.registry)
        let built = try config.stages[1].builder.build(StageContext(stateDirectory: nil, pipelineName: "t", logger: CapturedLog().logger(),
                                                                    cluster: config.cluster))
        return try XCTUnwrap(built as? DedupeStage)
    }

    private static func judge(_ stage: DedupeStage, _ id: String, _ words: [String]) throws -> DedupeVerdict {
        var d = Self.document(id, words)
        _ = try stage.processSynchronously(&d)
        return try XCTUnwrap(d.dedupe)
    }

    /// The same stream, one document after another: the shared index says what the local one says.
    func testTheSharedIndexGivesTheLocalVerdicts() throws {
        let shared = try stage(try freshDatabase())
        let local = try stage(nil)
        defer { shared.close(); local.close() }
        XCTAssertNotNil(shared.shared)
        var stream: [(String, [String])] = []
        for g in 0..<12 {
            let a = Self.article(seed: UInt64(g))
            stream.append(("g\(g)-a", a))
            stream.append(("g\(g)-near", Self.variant(a, mark: "x")))
            stream.append(("g\(g)-copy", a.map { $0.uppercased() }))
            stream.append(("g\(g)-far", Self.variant(a, every: 3, mark: "y")))
        }
        var statuses: [DedupeVerdict.Status: Int] = [:]
        for (id, words) in stream {
            let l = try Self.judge(local, id, words), s = try Self.judge(shared, id, words)
            XCTAssertEqual(s, l, id)
            statuses[s.status, default: 0] += 1
        }
        // The verdicts are not all the same kind: the comparison above covers each.
        XCTAssertEqual(statuses[.duplicate], 12)
        XCTAssertEqual(statuses[.nearDuplicate], 12)
        XCTAssertEqual(statuses[.unique], 24)
    }

    /// 30 groups of four near copies and an exact copy, each group judged at the same instant by
    /// five threads on two nodes: in each group exactly one is unique and the others lead to it.
    func testNodesJudgingAtOnceNeverCallTwoCopiesUnique() throws {
        let conninfo = try freshDatabase()
        let nodes = [try stage(conninfo, node: "desk-a"), try stage(conninfo, node: "desk-b")]
        defer { nodes.forEach { $0.close() } }
        let verdicts = Locked<[String: DedupeVerdict]>([:])
        let failures = Locked<[String]>([])
        for g in 0..<30 {
            let a = Self.article(seed: 1000 + UInt64(g))
            let group: [(id: String, words: [String])] = (0..<4).map { ("g\(g)-\($0)", Self.variant(a, mark: "m\($0)-")) }
                + [("g\(g)-copy", Self.variant(a, mark: "m0-"))]
            // One thread each (concurrentPerform would run only as many as there are cores), all
            // released at the same instant.
            let go = DispatchSemaphore(value: 0)
            let finished = DispatchGroup()
            for (t, item) in group.enumerated() {
                finished.enter()
                let node = nodes[t % 2]
                Thread.detachNewThread {
                    go.wait()
                    do {
                        let v = try Self.judge(node, item.id, item.words)
                        verdicts.withLock { $0[item.id] = v }
                    } catch { failures.withLock { $0.append("\(item.id): \(error)") } }
                    finished.leave()
                }
            }
            for _ in group { go.signal() }
            XCTAssertEqual(finished.wait(timeout: .now() + 60), .success)
            let seen = verdicts.withLock { $0 }
            let ids = group.map(\.id)
            let unique = ids.filter { seen[$0]?.status == .unique }
            XCTAssertEqual(unique.count, 1, "group \(g): \(ids.map { "\($0)=\(seen[$0].map { "\($0.status)" } ?? "-")" })")
            // Each other one names a document of its own group (the exact copy may name the near
            // copy it repeats), and the names lead to the unique one.
            for id in ids where !unique.contains(id) {
                var at = id, steps = 0
                while let of = seen[at]?.of, steps < 5 {
                    XCTAssertTrue(ids.contains(of) && of != at, "\(at) names \(of)")
                    at = of
                    steps += 1
                }
                XCTAssertEqual(at, unique.first, "\(id) leads to the group's unique document")
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
    }

    /// An input replayed after a crash comes out as before, without a second entry; a forgotten
    /// document leaves its keys to the next one.
    func testReplayAndForget() throws {
        let conninfo = try freshDatabase()
        let s = try stage(conninfo)
        defer { s.close() }
        let a = Self.article(seed: 7)
        XCTAssertEqual(try Self.judge(s, "r1", a).status, .unique)
        XCTAssertEqual(try Self.judge(s, "r1", a).status, .unique, "replayed under its own id")
        let db = try PostgresConnection(conninfo)
        XCTAssertEqual(try db.execute("SELECT count(*) FROM ingestd_dedupe_signatures").rows[0][0], "1")
        XCTAssertEqual(try db.execute("SELECT count(*), min(node) FROM ingestd_dedupe_exact").rows[0], ["1", "desk-a"])
        XCTAssertEqual(try Self.judge(s, "r2", a), DedupeVerdict(status: .duplicate, of: "r1", similarity: 1.0))
        s.forget("r1")
        XCTAssertEqual(try Self.judge(s, "r3", a).status, .unique, "r1 got no record: r3 owns the text now")
        let near = try Self.judge(s, "r4", Self.variant(a, mark: "q"))
        XCTAssertEqual(near.status, .nearDuplicate)
        XCTAssertEqual(near.of, "r3")
        XCTAssertEqual(try Self.judge(s, "r4", Self.variant(a, mark: "q")), near, "replayed: the first verdict again")
        XCTAssertEqual(try db.execute("SELECT count(*) FROM ingestd_dedupe_signatures WHERE record_id = 'r4'").rows[0][0], "1")
    }

    /// max_age is applied by the database's clock: a row older than it no longer matches.
    func testMaxAgeIsAppliedInTheDatabase() throws {
        let conninfo = try freshDatabase()
        let s = try stage(conninfo, maxAge: "1h")
        defer { s.close() }
        let a = Self.article(seed: 9)
        XCTAssertEqual(try Self.judge(s, "old", a).status, .unique)
        XCTAssertEqual(try Self.judge(s, "recent", Self.variant(a, mark: "v")).of, "old")
        let db = try PostgresConnection(conninfo)
        try db.execute("UPDATE ingestd_dedupe_exact SET seen_at = now() - interval '2 hours'")
        try db.execute("UPDATE ingestd_dedupe_signatures SET seen_at = now() - interval '2 hours'")
        XCTAssertEqual(try Self.judge(s, "new", a).status, .unique, "both the text claim and the signatures are past max_age")
        XCTAssertEqual(try db.execute("SELECT record_id FROM ingestd_dedupe_exact WHERE kind = 'text' ORDER BY 1").rows, [["new"], ["recent"]])
    }

    /// max_entries is applied in the database: the oldest rows beyond it are deleted (by a node
    /// judging a document, at most once a minute), and a deleted row no longer matches.
    func testMaxEntriesTrimsTheOldestRowsInTheDatabase() throws {
        let conninfo = try freshDatabase()
        let first = try stage(conninfo, maxEntries: 3)
        let articles = (0..<6).map { Self.article(seed: 500 + UInt64($0)) }
        // The first judgement trims (nothing yet), the next ones within the minute do not.
        for (i, a) in articles.enumerated() { XCTAssertEqual(try Self.judge(first, "e\(i)", a).status, .unique) }
        first.close()
        let db = try PostgresConnection(conninfo)
        XCTAssertEqual(try db.execute("SELECT count(*) FROM ingestd_dedupe_signatures").rows[0][0], "6")
        // Another node's first judgement trims to the 3 newest, then adds its own.
        let second = try stage(conninfo, node: "desk-b", maxEntries: 3)
        defer { second.close() }
        XCTAssertEqual(try Self.judge(second, "new", Self.article(seed: 900)).status, .unique)
        XCTAssertEqual(try db.execute("SELECT record_id FROM ingestd_dedupe_signatures ORDER BY seq").rows, [["e3"], ["e4"], ["e5"], ["new"]])
        XCTAssertEqual(try db.execute("SELECT count(*) FROM ingestd_dedupe_bands b WHERE NOT EXISTS (SELECT 1 FROM ingestd_dedupe_signatures s WHERE s.seq = b.seq)").rows[0][0], "0", "bands go with their signature")
        XCTAssertEqual(try db.execute("SELECT record_id FROM ingestd_dedupe_exact WHERE kind = 'text' ORDER BY record_id").rows,
                       [["e3"], ["e4"], ["e5"], ["new"]])
        XCTAssertEqual(try Self.judge(second, "again", Self.variant(articles[0], mark: "w")).status, .unique, "a trimmed document no longer matches")
        XCTAssertEqual(try Self.judge(second, "again5", Self.variant(articles[5], mark: "w")).of, "e5")
    }

    func testSignaturesAreStoredByteForByte() throws {
        let values: [UInt16] = (0..<64).map { UInt16($0 * 1031 % 65_536) }
        XCTAssertEqual(SharedDedupeIndex.values(hex: "\\x" + SharedDedupeIndex.hex(values)), values)
        XCTAssertEqual(SharedDedupeIndex.hex([0x1234]), "3412", "little-endian, as the local log")
        XCTAssertNil(SharedDedupeIndex.values(hex: "\\x12"))
    }
}
