import ArgumentParser
import Foundation
import IngestBuiltins
import IngestCore
import IngestDaemon
import IngestPostgres

/// Loads the pipeline or exits 2 with its problems, as `validate` prints them.
private func loadPipeline(_ location: PipelineLocation) throws -> PipelineConfig {
    switch Daemon.load(location.file, dataDir: location.dataDirectory, registry: BuiltinComponents.registry) {
    case .success(let config): return config
    case .failure(let e):
        FileHandle.standardError.write(Data((e.description + "\n").utf8))
        throw ExitCode(2)
    }
}

private func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    return ExitCode(code)
}

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find records by words of their title or text, in the cluster's database or the local records files.",
        discussion: """
        Examples:
          ingestd search "Biegun envoy" --pipeline /etc/ingestd/news.yaml --since 7d
          ingestd search '"special envoy" -Moscow' --pipeline news.yaml --site "The Courier" --json | jq .title
        With cluster.postgres: websearch_to_tsquery('english', QUERY) over the title and text index
        (stemmed; "quoted phrases", -excluded, or). Without: the records file and its rotated
        segments are scanned; every word or "phrase" must appear (case folded, no stemming), no
        -word may. The newest --limit matches are printed, oldest first, one line each as
        `ingestd tail --records` prints them (--json: the records themselves). Exit status 1 when
        nothing matched.
        """)

    @Argument(help: "Words to find (web-search syntax).")
    var query: String

    @OptionGroup var location: PipelineLocation

    @Option(name: .long, help: "Only records ingested within this long before now (30m, 12h, 7d).")
    var since: String?

    @Option(name: .long, help: "Only records of this outlet (the record's site, case folded).")
    var site: String?

    @Option(name: .long, help: "How many matches at most (the newest).")
    var limit: Int = 50

    @Flag(name: .long, help: "Print the matching records as JSON lines.")
    var json = false

    @Option(name: .long, help: "Colours: auto (on a terminal), always or never.")
    var color: String = "auto"

    func validate() throws {
        if let since, Self.seconds(since) == nil { throw ValidationError("--since takes a duration such as 30m, 12h or 7d, found '\(since)'") }
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
        guard ["auto", "always", "never"].contains(color) else { throw ValidationError("--color must be auto, always or never") }
    }

    static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let v = Double(text.dropLast()), v > 0 { return v * factor }
        }
        return nil
    }

    func run() throws {
        let config = try loadPipeline(location)
        let q = RecordQuery(text: query, since: since.flatMap(Self.seconds), site: site, limit: limit)
        let lines: [String]
        if let cluster = config.cluster {
            do {
                lines = try DatabaseRecordSearch.run(try PostgresConnection(cluster.postgres), text: q.text, since: q.since, site: q.site, limit: q.limit)
            } catch { throw fail("ingestd search: \(error)") }
        } else {
            guard case .string(let path)? = config.sink.builder.startupMetadata["records"] else {
                throw fail("ingestd search: the sink '\(config.sink.name)' keeps no records file and there is no cluster.postgres", code: 2)
            }
            do { lines = try LocalRecordSearch.run(q, recordsFile: URL(fileURLWithPath: path)) } catch {
                throw fail("ingestd search: \(error)")
            }
        }
        let renderer = RecordRenderer(style: TerminalStyle.resolve(color, fileDescriptor: 1), width: json ? nil : Terminal.columns(1))
        var out = ""
        for line in lines { out += (json ? line : renderer.render(line) ?? line) + "\n" }
        FileHandle.standardOutput.write(Data(out.utf8))
        if lines.isEmpty { throw ExitCode(1) }
    }
}

struct DB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "The cluster's PostgreSQL database (cluster.postgres).",
        subcommands: [Migrate.self])

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring the database schema to this ingestd's version (ingestd run does it at start too).",
            discussion: """
            Example:
              ingestd db migrate --pipeline /etc/ingestd/news.yaml
            Steps are applied in one transaction under an advisory lock, so nodes starting at once
            do not race. A database whose schema is newer than this ingestd is refused (exit 1).
            """)

        @OptionGroup var location: PipelineLocation

        func run() throws {
            let config = try loadPipeline(location)
            guard let cluster = config.cluster else {
                throw fail("ingestd db migrate: \(location.pipeline) has no cluster.postgres", code: 2)
            }
            do {
                let versions = try SchemaMigrations.apply(try PostgresConnection(cluster.postgres))
                print(versions.from == versions.to ? "schema is at version \(versions.to); nothing to do"
                      : "schema migrated from version \(versions.from) to \(versions.to)")
            } catch { throw fail("ingestd db migrate: \(error)") }
        }
    }
}
