import Foundation
import IngestCore
import IngestPostgres

/// The dedupe index of a cluster (`cluster.postgres`): the same three checks as the local
/// indexes — text hash, canonical URL, MinHash near duplicates with the same 64 values, 16
/// bands of 4 and band keys — kept in PostgreSQL, so every node judges against what every
/// node has seen.
///
/// One document is judged in one transaction, and no two near-identical documents can both come
/// out unique, whichever nodes see them at once:
/// - exact keys: `INSERT … ON CONFLICT (kind, key)` on the primary key. Of two transactions
///   inserting the same key, the second waits for the first to commit and then finds its row.
/// - near duplicates: the transaction takes `pg_advisory_xact_lock` on each of its 16 band
///   keys, in ascending order (so two transactions never wait on each other in a cycle), then
///   reads the candidates sharing a band, verifies them and inserts its own signature. Two
///   documents that LSH could pair share a band key, so the second waits for the first's commit
///   and then reads its signature (READ COMMITTED: each statement sees what committed before it).
/// A document judged again under its own id (an input replayed after a crash) finds its own
/// claims and comes out as it did the first time — unique, or a near duplicate of the earliest
/// match among the signatures older than its own — without a second entry.
///
/// Retention is applied in the database: `max_age` by the `seen_at` of the rows (the database's
/// clock, one for every node), `max_entries` by deleting the oldest rows beyond it, at most once
/// a minute by whichever node judges a document then.
public final class SharedDedupeIndex: Sendable {
    let client: PostgresClient
    let bar: Double
    let near: Bool
    let retention: Retention
    /// Candidates read per judgement at most (a band shared by very many documents).
    static let maxCandidates = 16 * NearDuplicateIndex.maxChain
    private let lastTrim = Locked<Double>(0)
    /// Judgements committed since the last `flush()`.
    private let unflushed = Locked(false)

    public init(client: PostgresClient, bar: Double, near: Bool, retention: Retention) {
        self.client = client
        self.bar = bar
        self.near = near
        self.retention = retention
    }

    /// The verdict for document `id` with text hash `hash`, canonical URL `url` and `signature`;
    /// its claims are committed with it.
    public func judge(id: String, hash: String, url: String?, signature: MinHashSignature?) throws -> DedupeVerdict {
        trimIfDue()
        defer { unflushed.withLock { $0 = true } }
        return try client.run { db in
            try db.transaction {
                // Not flushed to disk at commit (a WAL flush per document was most of what a
                // judgement cost): `flush()`, before the sink commits the records, flushes them
                // all at once, so no acknowledged input's claim can be lost; a database crash
                // before it loses only claims of inputs that are run again.
                try db.execute("SET LOCAL synchronous_commit TO off")
                if let owner = try claim(db, kind: "text", key: hash, id: id), owner != id {
                    return DedupeVerdict(status: .duplicate, of: owner, similarity: 1.0)
                }
                if let url, let owner = try claim(db, kind: "url", key: url, id: id), owner != id {
                    return DedupeVerdict(status: .duplicate, of: owner, similarity: nil)
                }
                guard near, let signature else { return DedupeVerdict(status: .unique) }
                return try nearJudgement(db, signature, id: id)
            }
        }
    }

    /// Makes every judgement committed so far durable: a transaction that commits synchronously
    /// flushes the write-ahead log up to its own commit, which comes after theirs. Called by the
    /// stage's `sync()`, before the sink commits a batch of records (one flush per batch).
    func flush() throws {
        guard unflushed.withLock({ u -> Bool in defer { u = false }; return u }) else { return }
        try client.run { db in try db.transaction { _ = try db.execute("SELECT txid_current()") } }
    }

    /// The owner of `key` after claiming it for `id`: `id` when it was free (or its owner's row
    /// was older than `max_age`), the earlier owner otherwise.
    private func claim(_ db: PostgresConnection, kind: String, key: String, id: String) throws -> String? {
        let taken = try db.execute("""
            INSERT INTO ingestd_dedupe_exact AS e (kind, key, record_id, node, seen_at) VALUES ($1, $2, $3, $4, now())
            ON CONFLICT (kind, key) DO UPDATE SET record_id = EXCLUDED.record_id, node = EXCLUDED.node, seen_at = EXCLUDED.seen_at
            WHERE $5::double precision IS NOT NULL AND e.seen_at < now() - make_interval(secs => $5::double precision)
            RETURNING record_id
            """, [kind, key, id, client.node, retention.maxAge.map { String($0) }])
        if let owner = taken.rows.first?.first ?? nil { return owner }
        return try db.execute("SELECT record_id FROM ingestd_dedupe_exact WHERE kind = $1 AND key = $2", [kind, key])
            .rows.first?.first ?? nil
    }

    private func nearJudgement(_ db: PostgresConnection, _ signature: MinHashSignature, id: String) throws -> DedupeVerdict {
        let keys = Self.bandKeys(signature)
        let array = Self.arrayLiteral(keys.map(String.init))
        let sorted = Self.arrayLiteral(Set(keys).sorted().map(String.init))
        try db.execute("SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) WITH ORDINALITY AS u(k, n) ORDER BY n", [sorted])
        let candidates = try db.execute("""
            SELECT s.seq, s.record_id, encode(s.signature, 'hex') FROM ingestd_dedupe_signatures s
            WHERE s.seq IN (SELECT b.seq FROM ingestd_dedupe_bands b WHERE b.key = ANY($1::bigint[]))
              AND ($2::double precision IS NULL OR s.seen_at >= now() - make_interval(secs => $2::double precision))
            ORDER BY s.seq DESC LIMIT $3
            """, [array, retention.maxAge.map { String($0) }, String(Self.maxCandidates)])
        var matches: [(seq: Int64, id: String, similarity: Double)] = []
        var own: Int64?
        for row in candidates.rows {
            guard let seqText = row[0], let seq = Int64(seqText), let owner = row[1], let hex = row[2],
                  let values = Self.values(hex: hex) else { continue }
            if owner == id { own = seq; continue }
            let similarity = signature.similarity(to: values[...])
            if similarity >= bar { matches.append((seq, owner, similarity)) }
        }
        // Judged before (an input replayed after a crash): the verdict of the first time, from
        // the signatures that were there before its own; nothing is inserted again.
        let best = matches.filter { own == nil || $0.seq < own! }.min { $0.seq < $1.seq }
        if own == nil, let seq = try db.execute("""
            INSERT INTO ingestd_dedupe_signatures (record_id, node, signature, seen_at) VALUES ($1, $2, decode($3, 'hex'), now())
            ON CONFLICT (record_id) DO NOTHING RETURNING seq
            """, [id, client.node, Self.hex(signature.values)]).rows.first?.first ?? nil {
            try db.execute("INSERT INTO ingestd_dedupe_bands (key, seq) SELECT DISTINCT k, $2::bigint FROM unnest($1::bigint[]) k",
                           [array, seq])
        }
        guard let best else { return DedupeVerdict(status: .unique) }
        return DedupeVerdict(status: .nearDuplicate, of: best.id, similarity: (best.similarity * 1000).rounded() / 1000)
    }

    /// Adds signatures in bulk, unjudged (a benchmark's index of a million documents, or an
    /// import): one statement per call, the signatures and their band keys as arrays.
    public func preload(_ entries: [(id: String, signature: MinHashSignature)]) throws {
        func quoted(_ items: [String]) -> String { Self.arrayLiteral(items.map { "\"\($0)\"" }) }
        let ids = quoted(entries.map(\.id))
        let signatures = quoted(entries.map { Self.hex($0.signature.values) })
        let keys = quoted(entries.map { Self.arrayLiteral(Self.bandKeys($0.signature).map(String.init)) })
        try client.run { db in
            try db.execute("""
                WITH s AS (
                    INSERT INTO ingestd_dedupe_signatures (record_id, node, signature, seen_at)
                    SELECT id, $1, decode(sig, 'hex'), now() FROM unnest($2::text[], $3::text[]) AS u(id, sig)
                    ON CONFLICT (record_id) DO NOTHING RETURNING seq, record_id)
                INSERT INTO ingestd_dedupe_bands (key, seq)
                SELECT DISTINCT k.key, s.seq FROM s JOIN unnest($2::text[], $4::text[]) AS u(id, keys) ON u.id = s.record_id,
                     unnest(u.keys::bigint[]) AS k(key)
                """, [client.node, ids, signatures, keys])
        }
    }

    /// Releases what `id` claimed (it got no record): another document may own those keys now.
    func forget(_ id: String) {
        _ = try? client.run { db in
            try db.transaction {
                try db.execute("DELETE FROM ingestd_dedupe_exact WHERE record_id = $1", [id])
                try db.execute("DELETE FROM ingestd_dedupe_signatures WHERE record_id = $1", [id])
            }
        }
    }

    /// Entries by index, for `/metrics` (estimates from the planner's statistics: a count(*) of
    /// a table of millions at every scrape would cost more than it tells).
    var entries: [(index: String, entries: Int)] {
        let rows = (try? client.run { db in
            try db.execute("""
                SELECT relname, greatest(reltuples, 0)::bigint FROM pg_class
                WHERE relname IN ('ingestd_dedupe_exact', 'ingestd_dedupe_signatures')
                """).rows
        }) ?? []
        var out: [(String, Int)] = []
        for row in rows {
            let n = Int(row[1] ?? "") ?? 0
            out.append((row[0] == "ingestd_dedupe_exact" ? "exact" : "near", n))
        }
        return out
    }

    /// Deletes rows beyond `max_entries` (per kind), at most once a minute per node.
    private func trimIfDue() {
        guard let maxEntries = retention.maxEntries else { return }
        let now = Date().timeIntervalSince1970
        let due = lastTrim.withLock { last -> Bool in
            guard now - last >= 60 else { return false }
            last = now
            return true
        }
        guard due else { return }
        _ = try? client.run { db in
            for kind in ["text", "url"] {
                try db.execute("""
                    DELETE FROM ingestd_dedupe_exact WHERE kind = $1 AND seen_at < (
                        SELECT seen_at FROM ingestd_dedupe_exact WHERE kind = $1 ORDER BY seen_at DESC OFFSET $2 LIMIT 1)
                    """, [kind, String(maxEntries - 1)])
            }
            try db.execute("DELETE FROM ingestd_dedupe_signatures WHERE seq <= (SELECT max(seq) FROM ingestd_dedupe_signatures) - $1",
                           [String(maxEntries)])
        }
    }

    /// A signature's values as hex, each little-endian, as the local log stores them.
    public static func hex(_ values: [UInt16]) -> String {
        SHA256Digest.hex(values.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] })
    }

    /// The signature's 16 band keys as `ingestd_dedupe_bands.key` holds them (the local index's keys).
    public static func bandKeys(_ signature: MinHashSignature) -> [Int64] {
        (0..<NearDuplicateIndex.bands).map { Int64(bitPattern: NearDuplicateIndex.key(signature, band: $0)) }
    }

    /// A PostgreSQL array literal (`{a,b}`) of items already in its syntax.
    static func arrayLiteral(_ items: [String]) -> String { "{" + items.joined(separator: ",") + "}" }

    /// The values of a signature as PostgreSQL prints a bytea (`\x` and hex), little-endian.
    static func values(hex: String) -> [UInt16]? {
        var bytes = Array(hex.utf8)
        if bytes.starts(with: [0x5C, 0x78]) { bytes.removeFirst(2) }
        guard bytes.count == MinHashSignature.permutations * 4 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var values = [UInt16]()
        values.reserveCapacity(MinHashSignature.permutations)
        var i = 0
        while i < bytes.count {
            guard let a = nibble(bytes[i]), let b = nibble(bytes[i + 1]), let c = nibble(bytes[i + 2]), let d = nibble(bytes[i + 3]) else { return nil }
            values.append(UInt16(a << 4 | b) | UInt16(c << 4 | d) << 8)
            i += 4
        }
        return values
    }
}
