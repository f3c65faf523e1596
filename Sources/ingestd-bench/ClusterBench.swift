import Foundation
import IngestCore
import IngestPostgres
import IngestStages
import Logging
import PostgresServer

/// `--cluster N [--rate R --seconds S] [--cluster-index M]`: the daemon with the shared dedupe
/// index and the postgres sink (`cluster.postgres`, a real PostgreSQL 15 started in a temporary
/// folder with fsync on) against the local files, on this machine:
///   1. steady rate: drop → done/ latency p50/p99 (done/ = the record committed);
///   2. a flood of N files: docs/s;
///   both alternating local and postgres twice;
///   3. the shared index filled with M documents (default 1,000,000): judgements per second
///      (half near duplicates of indexed documents, half new), one connection and four.
func runClusterBench(binary: URL, repo: URL, work: URL, docs: Int, rate: Double, seconds: Double, indexSize: Int) throws {
    let server = try PostgresServer(fsync: true)
    defer { server.stop() }
    try PostgresConnection(server.conninfo()).execute("CREATE DATABASE bench")
    let conninfo = server.conninfo(database: "bench")
    say("cluster: PostgreSQL at \(server.directory.path) (Unix socket, fsync on, synchronous_commit on)")

    func instance(_ name: String, postgres: Bool) throws -> URL {
        let root = work.appendingPathComponent(name)
        let pipeline = try makeInstance(root, repo: repo)
        guard postgres else { return pipeline }
        var yaml = try String(contentsOf: pipeline, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "\nstages:\n", with: "\ncluster:\n  postgres: \"\(conninfo)\"\n  node: bench-\(name)\nstages:\n")
        yaml = yaml.replacingOccurrences(of: "sink:\n  type: jsonl\n  path: records/records.jsonl\n", with: "sink:\n  type: postgres\n")
        try yaml.write(to: pipeline, atomically: true, encoding: .utf8)
        return pipeline
    }

    func steady(_ label: String, postgres: Bool, round: Int) throws {
        let pipeline = try instance("steady-\(label)-\(round)", postgres: postgres)
        let r = try steadyRun(binary, pipeline: pipeline, rate: rate, seconds: seconds, seed: 700_000 + round * 100_000)
        say(String(format: "cluster run %@ (round %d): %d files at %.0f/s → done/: %d; latency ms p50 %.2f p90 %.2f p99 %.2f max %.2f; daemon peak RSS %.1f MiB",
                   label, round, r.total, rate, r.latencies.count, percentile(r.latencies, 50), percentile(r.latencies, 90),
                   percentile(r.latencies, 99), r.latencies.last ?? .nan, r.rss ?? .nan))
    }

    func flood(_ label: String, postgres: Bool, round: Int) throws {
        let pipeline = try instance("flood-\(label)-\(round)", postgres: postgres)
        let root = pipeline.deletingLastPathComponent()
        _ = try writeDocuments(count: docs, into: root.appendingPathComponent("inbox"), offset: 2_000_000 + round * 100_000)
        let watcher = DoneWatcher(folder: root.appendingPathComponent("done"))
        let t0 = now()
        let daemon = try startDaemon(binary, pipeline: pipeline, log: root.appendingPathComponent("daemon.log"))
        var peak = 0.0
        let deadline = now() + 900
        while watcher.count < docs, now() < deadline {
            peak = max(peak, peakRSS(pid: daemon.processIdentifier) ?? 0)
            usleep(50_000)
        }
        let elapsed = now() - t0
        stopDaemon(daemon)
        say(String(format: "cluster flood %@ (round %d): %d files drained in %.2f s = %.0f docs/s; daemon peak RSS %.1f MiB",
                   label, round, watcher.count, elapsed, Double(watcher.count) / elapsed, peak))
    }

    for round in 1...2 {
        for (label, postgres) in [("local", false), ("postgres", true)] {
            try steady(label, postgres: postgres, round: round)
            try flood(label, postgres: postgres, round: round)
        }
    }

    // 3. The near-duplicate lookup rate with the index in the database.
    guard indexSize > 0 else { return }
    try PostgresConnection(server.conninfo()).execute("CREATE DATABASE bench_index")
    let indexInfo = server.conninfo(database: "bench_index")
    let logger = Logger(label: "bench")
    let client = PostgresClient(conninfo: indexInfo, node: "bench", logger: logger)
    _ = try client.prepare()
    let index = SharedDedupeIndex(client: client, bar: NearDuplicateIndex.bar(threshold: 0.8), near: true, retention: Retention())
    func probe(_ q: Int, indexed n: Int) -> (text: String, near: Bool) {
        if q % 2 == 0 {
            var words = syntheticText((q * 7919) % n).split(separator: " ")
            for k in 0..<7 { words[words.count - 1 - k] = "x\(q)_\(k)" }
            return (words.joined(separator: " "), true)
        }
        return (syntheticText(50_000_000 + q), false)
    }
    func judgements(_ label: String, indexed n: Int, threads: Int, count: Int, offset: Int) throws {
        let probes = (0..<count).map { probe(offset + $0, indexed: n) }
        let found = Locked(0), falseFinds = Locked(0)
        let t0 = now()
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for (i, p) in probes.enumerated() where i % threads == t {
                let signature = MinHashSignature(text: p.text, shingle: 5)!
                let hash = SHA256Digest.hex(of: Array(p.text.utf8))
                guard let v = try? index.judge(id: "probe-\(offset + i)", hash: hash, url: nil, signature: signature) else { continue }
                if v.status != .unique { if p.near { found.withLock { $0 += 1 } } else { falseFinds.withLock { $0 += 1 } } }
            }
        }
        let elapsed = now() - t0
        say(String(format: "cluster index %@: %d judgements on %d connection(s) with %d documents indexed: %.0f/s (%.2f ms each); %d of %d near-duplicate probes found, %d of %d new wrongly matched",
                   label, count, threads, n, Double(count) / elapsed, elapsed / Double(count) * 1000 * Double(threads),
                   found.withLock { $0 }, count / 2, falseFinds.withLock { $0 }, count / 2))
    }
    // A small index first, for the cost of a judgement without size.
    var filled = 0
    func fill(to n: Int) throws {
        let t0 = now()
        var batch: [(id: String, signature: MinHashSignature)] = []
        while filled < n {
            batch.append(("doc-\(filled)", MinHashSignature(text: syntheticText(filled), shingle: 5)!))
            filled += 1
            if batch.count == 5_000 || filled == n {
                try index.preload(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try client.run { db in _ = try db.execute("ANALYZE") }
        say(String(format: "cluster index: filled to %d documents in %.1f s", n, now() - t0))
    }
    try fill(to: 10_000)
    try judgements("10k", indexed: filled, threads: 1, count: 2_000, offset: 0)
    try fill(to: indexSize)
    try judgements("1M", indexed: filled, threads: 1, count: 2_000, offset: 10_000)
    try judgements("1M", indexed: filled, threads: 4, count: 4_000, offset: 20_000)
    let sizes = try client.run { db in
        try db.execute("""
            SELECT pg_size_pretty(pg_total_relation_size('ingestd_dedupe_signatures')),
                   pg_size_pretty(pg_total_relation_size('ingestd_dedupe_bands')), pg_size_pretty(pg_database_size(current_database()))
            """).rows[0]
    }
    say("cluster index: on disk signatures \(sizes[0] ?? "?"), bands \(sizes[1] ?? "?"), database \(sizes[2] ?? "?")")
    // What one judgement's candidate query costs at this size.
    let plan = try client.run { db -> String in
        let p = probe(99_998, indexed: filled)
        let keys = SharedDedupeIndex.bandKeys(MinHashSignature(text: p.text, shingle: 5)!).map(String.init)
        return try db.execute("""
            EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) SELECT s.seq, s.record_id, encode(s.signature, 'hex') FROM ingestd_dedupe_signatures s
            WHERE s.seq IN (SELECT b.seq FROM ingestd_dedupe_bands b WHERE b.key = ANY($1::bigint[])) ORDER BY s.seq DESC LIMIT 32000
            """, ["{" + keys.joined(separator: ",") + "}"]).rows.compactMap { $0[0] }.filter { $0.contains("Execution Time") || $0.contains("Planning Time") }
            .joined(separator: "; ")
    }
    say("cluster index: the candidate query at \(filled) documents: \(plan)")
}
