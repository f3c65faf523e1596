import Dispatch
import Foundation
import IngestCore
import IngestPostgres
import Logging

/// Writes each record as a row of `ingestd_records` (the record as jsonb; generated columns and
/// a full-text index, see `SchemaMigrations`) and acknowledges it only after the row committed.
///
/// Group commit as the JSON Lines sink does it: what was submitted while a batch was being
/// written goes in the next one, one transaction and one round trip (`jsonb_array_elements`
/// over the batch). The row is keyed by the record id with `ON CONFLICT DO NOTHING`: an input
/// replayed after a crash, on this node or another, finds its row and adds nothing. While the
/// database is away the batch is retried with backoff (`PostgresClient.run`) and nothing is
/// acknowledged; submissions wait, and the daemon stops claiming when its in-flight bound is
/// reached.
public final class PostgresSink: RecordSink, @unchecked Sendable {
    // Mutable state below is touched only under `state`.
    private struct State {
        var pending: [([UInt8]?, @Sendable ((any Error)?) -> Void)] = []
        var scheduled = false
    }
    private let state = Locked(State())
    private let queue = DispatchQueue(label: "ingestd.sink.postgres")
    private let client: PostgresClient
    private let beforeCommit: @Sendable () throws -> Void
    private let commitStart = Locked<UInt64?>(nil)
    /// Records per transaction at most.
    static let maxBatch = 512

    public init(client: PostgresClient, beforeCommit: @escaping @Sendable () throws -> Void = {}) {
        self.client = client
        self.beforeCommit = beforeCommit
    }

    public func submit(_ line: [UInt8]?, completion: @escaping @Sendable ((any Error)?) -> Void) {
        let schedule = state.withLock { s -> Bool in
            s.pending.append((line, completion))
            guard !s.scheduled else { return false }
            s.scheduled = true
            return true
        }
        if schedule { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let batch = state.withLock { s -> [([UInt8]?, @Sendable ((any Error)?) -> Void)] in
                let n = min(s.pending.count, Self.maxBatch)
                let taken = Array(s.pending.prefix(n))
                s.pending.removeFirst(n)
                if taken.isEmpty { s.scheduled = false }
                return taken
            }
            if batch.isEmpty { return }
            let error = commit(batch.compactMap(\.0))
            for (_, done) in batch { done(error) }
        }
    }

    private func commit(_ lines: [[UInt8]]) -> (any Error)? {
        commitStart.withLock { $0 = DispatchTime.now().uptimeNanoseconds }
        defer { commitStart.withLock { $0 = nil } }
        do {
            try beforeCommit()
            guard !lines.isEmpty else { return nil }
            var array: [UInt8] = [UInt8(ascii: "[")]
            array.reserveCapacity(lines.reduce(2) { $0 + $1.count + 1 })
            for (i, line) in lines.enumerated() {
                if i > 0 { array.append(UInt8(ascii: ",")) }
                Self.appendStorable(line, to: &array)
            }
            array.append(UInt8(ascii: "]"))
            let json = String(decoding: array, as: UTF8.self)
            try client.run { db in
                try db.execute("""
                    INSERT INTO ingestd_records (id, node, ingested_at, record)
                    SELECT r->>'id', $1, (r->>'ingested_at')::timestamptz, r FROM jsonb_array_elements($2::jsonb) AS r
                    ON CONFLICT (id) DO NOTHING
                    """, [client.node, json])
            }
            return nil
        } catch {
            return error
        }
    }

    /// `line` with each `\u0000` escape made `\ufffd`: jsonb refuses U+0000, and a record must
    /// not stop the node over one character of its text.
    static func appendStorable(_ line: [UInt8], to out: inout [UInt8]) {
        let escape: [UInt8] = Array(#"\u0000"#.utf8)
        var i = 0
        while i < line.count {
            let b = line[i]
            if b == UInt8(ascii: "\\"), i + 1 < line.count {
                if line[i + 1] == UInt8(ascii: "u"), i + 6 <= line.count, line[i..<(i + 6)].elementsEqual(escape) {
                    out.append(contentsOf: Array(#"\ufffd"#.utf8))
                    i += 6
                    continue
                }
                // Any other escape is two bytes here (a \u escape's four digits follow as they are).
                out.append(b)
                out.append(line[i + 1])
                i += 2
                continue
            }
            out.append(b)
            i += 1
        }
    }

    public func existingIDs() throws -> Set<String> {
        try client.run { db in
            Set(try db.execute("SELECT id FROM ingestd_records WHERE node = $1", [client.node]).rows.compactMap { $0[0] })
        }
    }

    public func existingIDs(writtenSince since: Date) throws -> Set<String> {
        try client.run { db in
            Set(try db.execute("SELECT id FROM ingestd_records WHERE node = $1 AND ingested_at >= to_timestamp($2::double precision)",
                               [client.node, String(since.timeIntervalSince1970 - 1)]).rows.compactMap { $0[0] })
        }
    }

    public func close() throws {
        queue.sync {}
        // Whatever was submitted before close is written before it returns.
        let leftover = state.withLock { !$0.pending.isEmpty }
        if leftover { queue.sync { drain() } }
        client.close()
    }

    public var commitStartedAt: UInt64? { commitStart.withLock { $0 } }

    public var writeProblem: String? { client.problem }
}
