import Foundation
import IngestCore
import IngestPostgres
import Logging

/// `sink: {type: postgres}`: records as rows of `ingestd_records` in the database named by
/// `cluster.postgres`, acknowledged after their transaction commits. No options of its own:
/// the connection is the cluster's, so the records, the dedupe index and the feed schedule of a
/// node are always in the same database.
public enum PostgresSinkComponent {
    public static let factory = SinkFactory(
        name: "postgres", summary: "one row a record in ingestd_records (jsonb, full-text index) in cluster.postgres, committed before inputs are acknowledged"
    ) { m, context in
        if context.cluster == nil {
            m.error("sink type postgres writes to the cluster's database: add cluster: {postgres: \"postgresql:///ingestd?host=/run/postgresql\"}")
        }
        return Builder(cluster: context.cluster ?? ClusterSettings(postgres: "", node: ""))
    }

    struct Builder: SinkBuilder {
        let cluster: ClusterSettings

        func build(_ context: SinkContext) throws -> any RecordSink {
            let client = try PostgresClient.prepared(for: cluster, component: "sink", "postgres", logger: context.logger)
            return PostgresSink(client: client, beforeCommit: context.beforeCommit)
        }
        var writes: [WrittenPath] { [] }
        var summary: String { "postgres(\(cluster.node))" }
        /// Not `records`: that field names a records file, which `tail --records` and `search` read.
        var startupMetadata: Logger.Metadata { ["records_table": "ingestd_records", "node": .string(cluster.node)] }
    }
}
