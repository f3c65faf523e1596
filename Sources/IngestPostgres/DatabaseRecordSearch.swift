/// `ingestd search` against the cluster's database: `websearch_to_tsquery('english', …)` over
/// the weighted title-and-text index, newest `limit` matches, returned oldest first as record
/// JSON lines.
public enum DatabaseRecordSearch {
    public static func run(_ db: PostgresConnection, text: String, since: Double?, site: String?, limit: Int) throws -> [String] {
        let rows = try db.execute("""
            SELECT record::text FROM (
                SELECT record, ingested_at, id FROM ingestd_records
                WHERE tsv @@ websearch_to_tsquery('english', $1)
                  AND ($2::double precision IS NULL OR ingested_at >= now() - make_interval(secs => $2::double precision))
                  AND ($3::text IS NULL OR lower(site) = lower($3::text))
                ORDER BY ingested_at DESC, id DESC LIMIT $4
            ) newest ORDER BY ingested_at, id
            """, [text, since.map { String($0) }, site, String(limit)])
        return rows.rows.compactMap { $0[0] }
    }
}
