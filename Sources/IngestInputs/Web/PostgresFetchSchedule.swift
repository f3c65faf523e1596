import Foundation
import IngestPostgres

/// The fetch schedule of a cluster: one row per URL in `ingestd_feed_leases`. A node whose URL
/// is due locks the row (`FOR UPDATE SKIP LOCKED`: a row another node is deciding on at that
/// moment is skipped, not waited for) and takes it only if no other node's lease is running and
/// the URL's `next_due` has come; it then holds a lease of one interval and sets `next_due` one
/// interval ahead. A node that dies holding a URL stops renewing: the URL is taken by another
/// node when its `next_due` comes, within one lease time of the last fetch. Times are the
/// database's, one clock for every node.
struct PostgresFetchSchedule: FetchSchedule {
    let client: PostgresClient

    func claim(_ url: String, every: Double) throws -> FetchTurn {
        try client.attempt { db in
            try db.transaction {
                try db.execute("INSERT INTO ingestd_feed_leases (url) VALUES ($1) ON CONFLICT (url) DO NOTHING", [url])
                let rows = try db.execute("""
                    SELECT node,
                           coalesce(extract(epoch FROM lease_until - now()), 0)::float8,
                           coalesce(extract(epoch FROM next_due - now()), 0)::float8,
                           etag, last_modified, sha256, seen_items::text
                    FROM ingestd_feed_leases WHERE url = $1 FOR UPDATE SKIP LOCKED
                    """, [url]).rows
                // Another node is deciding on this URL right now.
                guard let row = rows.first else { return .notYet(seconds: 1) }
                let leaseLeft = Double(row[1] ?? "0") ?? 0, dueIn = Double(row[2] ?? "0") ?? 0
                if row[0] != client.node, leaseLeft > 0 { return .notYet(seconds: max(leaseLeft, dueIn, 0.05)) }
                if dueIn > 0 { return .notYet(seconds: max(dueIn, 0.05)) }
                try db.execute("""
                    UPDATE ingestd_feed_leases SET node = $2, lease_until = now() + make_interval(secs => $3::float8),
                        next_due = now() + make_interval(secs => $3::float8) WHERE url = $1
                    """, [url, client.node, String(every)])
                let page = row[3] == nil && row[4] == nil && row[5] == nil ? nil
                    : URLSourceState.Page(etag: row[3], lastModified: row[4], sha256: row[5])
                let seen = (try? JSONDecoder().decode([String: Int].self, from: Data((row[6] ?? "{}").utf8))) ?? [:]
                return .mine(page: page, seen: seen)
            }
        }
    }

    func publish(_ url: String, page: URLSourceState.Page?, seen: [String: Int]?) throws {
        let seenJSON = seen.map { String(decoding: (try? JSONEncoder().encode($0)) ?? Data("{}".utf8), as: UTF8.self) }
        try client.attempt { db in
            try db.execute("""
                UPDATE ingestd_feed_leases SET etag = $3, last_modified = $4, sha256 = $5,
                    seen_items = coalesce($6::jsonb, seen_items), updated_at = now()
                WHERE url = $1 AND node = $2
                """, [url, client.node, page?.etag, page?.lastModified, page?.sha256, seenJSON])
        }
    }
}
