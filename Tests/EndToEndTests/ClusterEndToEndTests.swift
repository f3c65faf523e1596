import Foundation
import IngestPostgres
import PostgresServer
import XCTest

/// Three real daemons on this machine, each with its own drop folder and state, sharing one
/// real PostgreSQL for the dedupe index and the records (`cluster.postgres`, `sink: postgres`).
final class ClusterEndToEndTests: XCTestCase {
    /// `distinctArticle(n)` with one word of its 120 changed: a near duplicate of it (shingle
    /// Jaccard about 0.92, well above the bar of the pipeline's 0.8 threshold, 0.72).
    static func nearCopy(_ n: Int) -> String {
        var words = distinctArticle(n).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        words[60] = "altered"
        return words.joined(separator: " ")
    }

    func testThreeNodesOneDatabaseEveryInputOneRowDuplicatesFlaggedAcrossNodes() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        try PostgresConnection(server.conninfo()).execute("CREATE DATABASE cluster")
        let conninfo = server.conninfo(database: "cluster")
        let nodes = try (0..<3).map { i in
            try DaemonHarness(edits: [
                ("summary_interval: 60s", "summary_interval: 0"),
                ("\nstages:\n", "\ncluster:\n  postgres: \"\(conninfo)\"\n  node: desk-\(i)\nstages:\n"),
                ("sink:\n  type: jsonl\n  path: records/records.jsonl\n", "sink:\n  type: postgres\n"),
            ])
        }
        defer { nodes.forEach { $0.cleanUp() } }
        for n in nodes { try n.start() }

        // 2,100 originals, 900 near copies (30%) each dropped on another node than its original;
        // every third pair at the same instant (both renames back to back), the rest later.
        let originals = 2100, copies = 900
        var drops: [(node: Int, name: String, text: String)] = []
        var late: [(node: Int, name: String, text: String)] = []
        for i in 0..<originals {
            let original = (i % 3, String(format: "o-%04d.txt", i), distinctArticle(5000 + i))
            guard i < copies else { drops.append(original); continue }
            let copy = ((i + 1) % 3, String(format: "c-%04d.txt", i), Self.nearCopy(5000 + i))
            if i % 3 == 0 { drops += [original, copy] } else { drops.append(original); late.append(copy) }
        }
        let all = drops + late
        let inboxes = nodes.map { $0.dir("inbox") }
        let writer = DispatchSemaphore(value: 0)
        Thread {
            for (k, d) in all.enumerated() {
                try? DaemonHarness.drop(d.name, Array(d.text.utf8), into: inboxes[d.node])
                if k % 50 == 49 { usleep(20_000) }
            }
            writer.signal()
        }.start()
        // One node is killed mid-stream (once it has recorded some of its share) and started again.
        try waitUntil("node 1 has recorded some", timeout: 60) { nodes[1].names("done").count >= 30 }
        try nodes[1].kill9()
        let doneAtKill = nodes[1].names("done").count
        Thread.sleep(forTimeInterval: 0.3)
        try nodes[1].start()
        XCTAssertEqual(writer.wait(timeout: .now() + 60), .success)
        let db = try PostgresConnection(conninfo)
        try waitUntil("every input is done", timeout: 120) {
            nodes.map { $0.names("done").count }.reduce(0, +) == all.count
        }
        for n in nodes { XCTAssertEqual(try n.stop(), 0) }

        // Every input exactly one row, written by the node it was dropped on.
        let rows = try db.execute("""
            SELECT node, record->'origin'->>'path', record->'dedupe'->>'status', record->'dedupe'->>'of', id FROM ingestd_records
            """).rows
        XCTAssertEqual(rows.count, all.count, "one row per input")
        var byName: [String: (node: String, status: String, of: String?, id: String)] = [:]
        for r in rows {
            let name = URL(fileURLWithPath: r[1] ?? "").lastPathComponent
            XCTAssertNil(byName[name], "\(name) has two rows")
            byName[name] = (r[0] ?? "", r[2] ?? "", r[3], r[4] ?? "")
        }
        for d in all { XCTAssertEqual(byName[d.name]?.node, "desk-\(d.node)", d.name) }
        for (i, n) in nodes.enumerated() {
            XCTAssertEqual(n.names("done"), all.filter { $0.node == i }.map(\.name).sorted(), "node \(i)")
            XCTAssertEqual(n.names("failed"), [])
            XCTAssertEqual(n.names("processing"), [])
        }
        // Each pair: one unique, the other flagged naming it, whichever node saw which first;
        // nothing else flagged (what one node alone finds on the same stream).
        var flaggedRight = 0, wronglyFlagged = 0
        for i in 0..<originals {
            let o = byName[String(format: "o-%04d.txt", i)]!
            guard i < copies else {
                if o.status != "unique" { wronglyFlagged += 1 }
                continue
            }
            let c = byName[String(format: "c-%04d.txt", i)]!
            let statuses = [o.status, c.status].sorted()
            if statuses == ["near_duplicate", "unique"], (o.status == "unique" ? c.of == o.id : o.of == c.id) {
                flaggedRight += 1
            } else {
                XCTFail("pair \(i): original \(o.status) of \(o.of ?? "-"), copy \(c.status) of \(c.of ?? "-")")
            }
        }
        XCTAssertEqual(flaggedRight, copies, "recall: every near copy flagged")
        XCTAssertEqual(wronglyFlagged, 0, "precision: no other document flagged")

        // One node alone over the same stream (`ingestd once`, the local index): the same pairs.
        let alone = nodes[0].root.appendingPathComponent("alone")
        try FileManager.default.createDirectory(at: alone, withIntermediateDirectories: true)
        for d in all { try Data(d.text.utf8).write(to: alone.appendingPathComponent(d.name)) }
        let list = alone.appendingPathComponent("list.txt")
        try all.map { alone.appendingPathComponent($0.name).path }.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let local = try DaemonHarness(edits: [])
        defer { local.cleanUp() }
        let once = try DaemonHarness.run(["once", "--pipeline", local.pipeline.path, "--log-level", "error", "--files-from", list.path])
        XCTAssertEqual(once.status, 0, once.err)
        var single: [String: String] = [:]
        for line in once.out.split(separator: "\n") {
            guard let r = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let path = (r["origin"] as? [String: Any])?["path"] as? String,
                  let status = (r["dedupe"] as? [String: Any])?["status"] as? String else { continue }
            single[URL(fileURLWithPath: path).lastPathComponent] = status
        }
        XCTAssertEqual(single.count, all.count)
        let singlePairs = (0..<copies).filter {
            [single[String(format: "o-%04d.txt", $0)], single[String(format: "c-%04d.txt", $0)]].compactMap { $0 }.sorted() == ["near_duplicate", "unique"]
        }.count
        let singleWrong = (copies..<originals).filter { single[String(format: "o-%04d.txt", $0)] != "unique" }.count
        XCTAssertEqual(flaggedRight, singlePairs, "the cluster finds what one node finds over the same stream")
        XCTAssertEqual(wronglyFlagged, singleWrong)
        // The records are searchable from any node's pipeline file; migrations are already applied.
        let search = try DaemonHarness.run(["search", "report 5007", "--pipeline", nodes[2].pipeline.path, "--json"])
        XCTAssertEqual(search.status, 0, search.err)
        let titles = search.out.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["title"] as? String
        }
        XCTAssertEqual(titles, ["Report 5007 on local affairs", "Report 5007 on local affairs"], "the original and its near copy")
        XCTAssertEqual(try DaemonHarness.run(["search", "nowhere to be found", "--pipeline", nodes[0].pipeline.path]).status, 1)
        let migrate = try DaemonHarness.run(["db", "migrate", "--pipeline", nodes[0].pipeline.path])
        XCTAssertEqual(migrate.status, 0, migrate.err)
        XCTAssertTrue(migrate.out.contains("nothing to do"), migrate.out)
        let kills = nodes[1].logLines().filter { ($0["msg"] as? String) == "ingestd started" }.count
        XCTAssertEqual(kills, 2, "node 1 was killed and started again")
        XCTAssertLessThan(doneAtKill, all.filter { $0.node == 1 }.count, "the kill must land while node 1 still has work")
        XCTAssertGreaterThan(doneAtKill, 0, "and after it began")
    }
}
