/// The database schema ingestd owns, as numbered steps applied in order at start (or by `ingestd
/// db migrate`). The version is kept in `ingestd_schema`; nodes starting together take an advisory
/// lock, so one applies the steps and the others find them done. A database whose schema is newer
/// than this ingestd knows is refused: an older node must not write rows it does not understand.
public enum SchemaMigrations {
    public struct Newer: Error, CustomStringConvertible, Equatable {
        public var database: Int
        public var known: Int
        public var description: String {
            "the database schema is version \(database), newer than this ingestd knows (\(known)): upgrade ingestd on this node"
        }
    }

    /// Every step, oldest first; a released step is never edited, only followed by another.
    public static let steps: [String] = [
        // 1: records, the shared dedupe index, feed leases.
        """
        CREATE TABLE ingestd_records (
            id text PRIMARY KEY,
            node text NOT NULL,
            ingested_at timestamptz NOT NULL,
            record jsonb NOT NULL,
            site text GENERATED ALWAYS AS (record->>'site') STORED,
            title text GENERATED ALWAYS AS (record->>'title') STORED,
            lang text GENERATED ALWAYS AS (record->>'lang') STORED,
            genre text GENERATED ALWAYS AS (record->'labels'->>'genre') STORED,
            dedupe_status text GENERATED ALWAYS AS (record->'dedupe'->>'status') STORED,
            tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('english', coalesce(record->>'title', '')), 'A')
                || setweight(to_tsvector('english', coalesce(record->>'text', '')), 'B')) STORED
        );
        CREATE INDEX ingestd_records_time ON ingestd_records (ingested_at);
        CREATE INDEX ingestd_records_site ON ingestd_records (site, ingested_at);
        CREATE INDEX ingestd_records_tsv ON ingestd_records USING gin (tsv);
        CREATE TABLE ingestd_dedupe_exact (
            kind text NOT NULL,
            key text NOT NULL,
            record_id text NOT NULL,
            node text NOT NULL,
            seen_at timestamptz NOT NULL,
            PRIMARY KEY (kind, key)
        );
        CREATE INDEX ingestd_dedupe_exact_record ON ingestd_dedupe_exact (record_id);
        CREATE INDEX ingestd_dedupe_exact_seen ON ingestd_dedupe_exact (kind, seen_at);
        CREATE TABLE ingestd_dedupe_signatures (
            seq bigserial PRIMARY KEY,
            record_id text NOT NULL UNIQUE,
            node text NOT NULL,
            signature bytea NOT NULL,
            seen_at timestamptz NOT NULL
        );
        CREATE INDEX ingestd_dedupe_signatures_seen ON ingestd_dedupe_signatures (seen_at);
        CREATE TABLE ingestd_dedupe_bands (
            key bigint NOT NULL,
            seq bigint NOT NULL REFERENCES ingestd_dedupe_signatures (seq) ON DELETE CASCADE
        );
        CREATE INDEX ingestd_dedupe_bands_key ON ingestd_dedupe_bands (key, seq);
        CREATE INDEX ingestd_dedupe_bands_seq ON ingestd_dedupe_bands (seq);
        CREATE TABLE ingestd_feed_leases (
            url text PRIMARY KEY,
            node text,
            lease_until timestamptz,
            next_due timestamptz,
            etag text,
            last_modified text,
            sha256 text,
            seen_items jsonb NOT NULL DEFAULT '{}',
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        """,
    ]

    public static var latest: Int { steps.count }

    /// A fixed key for `pg_advisory_xact_lock`: "ingestd" in ASCII.
    static let lockKey = "31084598212830308"

    /// Brings the schema to `latest`; returns the versions before and after.
    @discardableResult
    public static func apply(_ db: PostgresConnection) throws -> (from: Int, to: Int) {
        try db.transaction {
            try db.execute("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey])
            try db.execute("CREATE TABLE IF NOT EXISTS ingestd_schema (version integer NOT NULL)")
            let current = Int(try db.execute("SELECT max(version) FROM ingestd_schema").rows.first?.first??.description ?? "") ?? 0
            guard current <= latest else { throw Newer(database: current, known: latest) }
            for version in (current + 1)..<(latest + 1) where version >= 1 {
                try db.script(steps[version - 1])
                try db.execute("INSERT INTO ingestd_schema (version) VALUES ($1::integer)", [String(version)])
            }
            return (current, latest)
        }
    }
}
