import Foundation
import XCTest
@testable import IngestCore
@testable import IngestInputs
@testable import IngestSinks
import Logging

/// The loader is tested with the real source and sink components; these read their settings back.
extension PipelineConfig {
    var dropFolder: DropFolderSettings? { sources.lazy.compactMap { ($0.builder as? DropFolderComponent.Builder)?.settings }.first }
    var urls: URLSourceSettings? { sources.lazy.compactMap { ($0.builder as? URLSourceComponent.Builder)?.settings }.first }
    var sinkPath: URL? { (sink.builder as? JSONLinesSinkComponent.Builder)?.path }
}

/// A stage kind used only to exercise the loader: it reads one integer option.
private struct CountingBuilder: StageBuilder {
    let limit: Int
    func build(_ context: StageContext) throws -> any Stage { fatalError("not built in these tests") }
}

private let registry = ComponentRegistry(
    stages: StageRegistry([
        StageFactory(name: "count", summary: "test stage") { options in
            CountingBuilder(limit: options.int("limit", default: 3, in: 1...10))
        },
        StageFactory(name: "noop", summary: "test stage") { _ in CountingBuilder(limit: 0) },
    ]),
    sources: [DropFolderComponent.factory, URLSourceComponent.factory],
    sinks: [JSONLinesSinkComponent.factory])

final class PipelineLoaderTests: XCTestCase {
    private func parse(_ yaml: String, base: String = "/srv/pipe") throws -> PipelineConfig {
        try PipelineLoader.parse(yaml: yaml, file: URL(fileURLWithPath: base + "/p.yaml"), displayName: "p.yaml",
                                 baseDirectory: URL(fileURLWithPath: base), registry: registry)
    }

    private func issues(_ yaml: String) -> [String] {
        do {
            _ = try parse(yaml)
            return []
        } catch let e as ConfigError {
            return e.issues.map(\.description)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    func testMinimalPipelineGetsTheDefaultLayoutNextToTheFile() throws {
        let c = try parse("stages:\n  - use: noop\n")
        XCTAssertEqual(c.name, "p")
        XCTAssertEqual(c.dropFolder?.inbox.path, "/srv/pipe/inbox")
        XCTAssertEqual(c.dropFolder?.processing.path, "/srv/pipe/processing")
        XCTAssertEqual(c.dropFolder?.done.path, "/srv/pipe/done")
        XCTAssertEqual(c.dropFolder?.failed.path, "/srv/pipe/failed")
        XCTAssertEqual(c.sinkPath?.path, "/srv/pipe/records/records.jsonl")
        XCTAssertEqual(c.stateDirectory.path, "/srv/pipe/state")
        XCTAssertEqual(c.runtime.maxDocumentBytes, 20_000_000)
        XCTAssertEqual(c.runtime.shutdownTimeout, 10)
    }

    func testValuesAndUnitsAreRead() throws {
        let c = try parse("""
        name: desk
        log: {level: debug, summary_interval: 500ms}
        runtime:
          concurrency: 3
          max_in_flight: 9
          max_document_bytes: 2MiB
          shutdown_timeout: 1m
        sources:
          drop_folder: {path: /var/in, done: finished, on_success: delete}
        stages:
          - use: count
            limit: 7
        sink: {path: out/r.jsonl}
        state_dir: /var/state
        """)
        XCTAssertEqual(c.name, "desk")
        XCTAssertEqual(c.log.level, "debug")
        XCTAssertEqual(c.log.summaryInterval, 0.5)
        XCTAssertEqual(c.runtime.concurrency, 3)
        XCTAssertEqual(c.runtime.maxInFlight, 9)
        XCTAssertEqual(c.runtime.maxDocumentBytes, 2 * 1024 * 1024)
        XCTAssertEqual(c.runtime.shutdownTimeout, 60)
        XCTAssertEqual(c.dropFolder?.inbox.path, "/var/in")
        XCTAssertEqual(c.dropFolder?.done.path, "/srv/pipe/finished")
        XCTAssertEqual(c.dropFolder?.afterSuccess, .delete)
        XCTAssertEqual((c.stages.first?.builder as? CountingBuilder)?.limit, 7)
        XCTAssertEqual(c.stages.first?.line, 11)
        XCTAssertEqual(c.sinkPath?.path, "/srv/pipe/out/r.jsonl")
        XCTAssertEqual(c.stateDirectory.path, "/var/state")
    }

    func testQuantities() {
        XCTAssertEqual(Quantity.seconds("250ms"), 0.25)
        XCTAssertEqual(Quantity.seconds("30d"), 2_592_000)
        XCTAssertEqual(Quantity.seconds("1.5h"), 5_400)
        XCTAssertNil(Quantity.seconds("soon"))
        XCTAssertNil(Quantity.seconds("-5s"))
        XCTAssertEqual(Quantity.bytes("20MB"), 20_000_000)
        XCTAssertEqual(Quantity.bytes("2MiB"), 2_097_152)
        XCTAssertEqual(Quantity.bytes("512"), 512)
        XCTAssertNil(Quantity.bytes("20 parsecs"))
    }

    func testUnknownStageIsReportedAtItsLineWithASuggestion() {
        let found = issues("stages:\n  - use: noop\n  - use: cuont\n")
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].hasPrefix("p.yaml:3:10: "), found[0])
        XCTAssertTrue(found[0].contains("unknown stage 'cuont'"), found[0])
        XCTAssertTrue(found[0].contains("did you mean 'count'"), found[0])
    }

    func testWrongTypeIsReportedAtTheValue() {
        let found = issues("runtime:\n  concurrency: lots\nstages:\n  - use: noop\n")
        XCTAssertEqual(found, ["p.yaml:2:16: runtime.concurrency: expected an integer, found 'lots'"])
    }

    func testOutOfRangeStageOptionIsReported() {
        let found = issues("stages:\n  - use: count\n    limit: 99\n")
        XCTAssertEqual(found, ["p.yaml:3:12: stages[0].limit: must be between 1 and 10, found 99"])
    }

    func testUnknownKeysAreReportedWithTheClosestKnownKey() {
        let found = issues("runtime:\n  max_inflight: 4\nstages:\n  - use: count\n    limt: 2\n")
        XCTAssertEqual(found.count, 2)
        XCTAssertTrue(found[0].hasPrefix("p.yaml:2:3: runtime: unknown key 'max_inflight'; did you mean 'max_in_flight'?"), found[0])
        XCTAssertTrue(found[1].hasPrefix("p.yaml:5:5: stages[0]: unknown key 'limt'; did you mean 'limit'?"), found[1])
    }

    func testTabIndentationIsRefusedWithLineAndHint() {
        let found = issues("stages:\n\t- use: noop\n")
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].hasPrefix("p.yaml:2:"), found[0])
        XCTAssertTrue(found[0].contains("tabs cannot indent YAML"), found[0])
    }

    func testURLSourcesAndFetchSettingsAreRead() throws {
        let c = try parse("""
        runtime: {max_document_bytes: 2MB}
        sources:
          urls:
            - url: https://example.org/feed.xml
              kind: feed
              every: 10m
            - url: https://example.org/page
              headers: {Accept-Language: en}
          fetch:
            user_agent: "ingestd/0.1 (+mailto:desk@example.org)"
            min_delay: 2s
            per_host: 3
            timeout: 30s
            retries: 2
            robots: false
        stages:
          - use: noop
        """)
        XCTAssertNil(c.dropFolder, "listing sources replaces the default drop folder")
        let urls = try XCTUnwrap(c.urls)
        XCTAssertEqual(urls.entries.map(\.url), ["https://example.org/feed.xml", "https://example.org/page"])
        XCTAssertEqual(urls.entries.map(\.kind), [.feed, .page])
        XCTAssertEqual(urls.entries.map(\.every), [600, 900])
        XCTAssertEqual(urls.entries[1].headers, ["Accept-Language": "en"])
        XCTAssertEqual(urls.entries.map(\.line), [4, 7])
        XCTAssertEqual(urls.fetch.userAgent, "ingestd/0.1 (+mailto:desk@example.org)")
        XCTAssertEqual(urls.fetch.perHostConnections, 3)
        XCTAssertEqual(urls.fetch.totalTimeout, 30)
        XCTAssertEqual(urls.fetch.maxBodyBytes, 2_000_000, "max_document_bytes bounds fetched bodies too")
        XCTAssertFalse(urls.fetch.allowPrivateNetworks)
        XCTAssertEqual(urls.minDelay, 2)
        XCTAssertEqual(urls.retries, 2)
        XCTAssertFalse(urls.robots)
        XCTAssertEqual(urls.stateFolder.path, "/srv/pipe/state/urls")
        XCTAssertEqual(urls.failed.path, "/srv/pipe/failed")
        XCTAssertTrue(c.summary.contains("urls(1 pages, 1 feeds)"), c.summary)
    }

    func testFeedItemLimitsAreReadAndChecked() throws {
        let defaults = try XCTUnwrap(parse("""
        sources:
          urls:
            - {url: https://example.org/feed.xml, kind: feed}
        stages:
          - use: noop
        """).urls)
        XCTAssertEqual(defaults.maxItemsPerPoll, 1_000)
        XCTAssertEqual(defaults.seenItems, 100_000)
        XCTAssertEqual(defaults.seenFor, 90 * 86_400)

        let set = try XCTUnwrap(parse("""
        sources:
          urls:
            - {url: https://example.org/feed.xml, kind: feed}
          fetch:
            max_items_per_poll: 50
            seen_items: 20000
            seen_for: 365d
        stages:
          - use: noop
        """).urls)
        XCTAssertEqual(set.maxItemsPerPoll, 50)
        XCTAssertEqual(set.seenItems, 20_000)
        XCTAssertEqual(set.seenFor, 365 * 86_400)

        let found = issues("""
        sources:
          urls:
            - {url: https://example.org/feed.xml, kind: feed}
          fetch:
            max_items_per_poll: 0
            seen_items: lots
            seen_for: 1h
            max_items: 5
        stages:
          - use: noop
        """)
        XCTAssertEqual(found.count, 4, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:5:25:") && $0.contains("between 1 and 100000") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:6:17:") && $0.contains("seen_items") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:7:15:") && $0.contains("seen_for") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:8:5:") && $0.contains("max_items") }, "\(found)")
    }

    func testBadURLEntriesAreReportedWithTheirLines() {
        let found = issues("""
        sources:
          urls:
            - url: ftp://example.org/x
            - kind: feed
            - url: https://example.org/a
              kind: rss
              every: 1s
            - url: https://example.org/a
          fetch:
            user_agent: curl/8
            max_redirects: 9
        stages:
          - use: noop
        """)
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:3:7: sources.urls[0].url: url must be an http:// or https:// URL") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:4:7:") && $0.contains("needs url:") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:6:13:") && $0.contains("rss") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:7:14:") && $0.contains("between") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:8:7:") && $0.contains("listed twice (first at line 5)") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:10:5:") && $0.contains("must name ingestd") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:11:20:") && $0.contains("between 0 and 5") }, "\(found)")
    }

    func testBadEnumDurationAndSizeAreAllReportedInOneRun() {
        let found = issues("""
        log: {level: loud}
        runtime: {shutdown_timeout: soon, max_document_bytes: 20 parsecs}
        sources: {drop_folder: {on_success: keep}}
        stages:
          - use: noop
        """)
        XCTAssertEqual(found.count, 4, "\(found)")
        XCTAssertTrue(found.contains { $0.contains("log.level: 'loud' is not one of") })
        XCTAssertTrue(found.contains { $0.contains("runtime.shutdown_timeout: expected a duration") })
        XCTAssertTrue(found.contains { $0.contains("runtime.max_document_bytes: expected a size") })
        XCTAssertTrue(found.contains { $0.contains("on_success: 'keep' is not one of move, delete") })
    }

    func testMissingStagesAndEmptyFileAreRefused() {
        XCTAssertTrue(issues("name: x\n").first?.contains("missing 'stages:'") ?? false)
        XCTAssertEqual(issues(""), ["p.yaml:1:1: the pipeline file is empty"])
        XCTAssertTrue(issues("stages:\n  - limit: 3\n").first?.contains("each stage needs 'use: NAME'") ?? false)
    }

    func testDropFolderPathsMustBeDistinct() {
        let found = issues("sources:\n  drop_folder:\n    path: in\n    done: in\nstages:\n  - use: noop\n")
        XCTAssertEqual(found, ["p.yaml:3:5: sources.drop_folder: 'path' and 'done' are the same folder (/srv/pipe/in); each needs its own"])
    }

    /// The records file, the state folder or a drop-folder folder inside the inbox would be
    /// claimed by the daemon as dropped documents.
    func testRecordsStateAndDropFoldersInsideTheInboxAreRefusedAtTheirKeys() {
        XCTAssertEqual(issues("sources:\n  drop_folder:\n    path: in\n    done: in/done\nsink:\n  path: in/records.jsonl\n"
                              + "state_dir: in/state\nstages:\n  - use: noop\n"), [
            "p.yaml:4:5: sources.drop_folder.done (/srv/pipe/in/done) lies inside the drop folder /srv/pipe/in, which would claim it as a dropped document; put it outside sources.drop_folder.path",
            "p.yaml:6:3: sink.path (/srv/pipe/in/records.jsonl) lies inside the drop folder /srv/pipe/in, which would claim it as a dropped document; put it outside sources.drop_folder.path",
            "p.yaml:7:1: state_dir (/srv/pipe/in/state) lies inside the drop folder /srv/pipe/in, which would claim it as a dropped document; put it outside sources.drop_folder.path",
        ])
        // Left at their defaults, they are blamed on the drop folder's path that swallows them.
        let found = issues("sources:\n  drop_folder:\n    path: .\nstages:\n  - use: noop\n")
        XCTAssertEqual(found.count, 5, "\(found)")
        XCTAssertTrue(found.allSatisfy { $0.hasPrefix("p.yaml:3:5:") && $0.contains("lies inside the drop folder /srv/pipe,") }, "\(found)")
        XCTAssertEqual(issues("sources:\n  drop_folder:\n    path: inbox\nsink:\n  path: inbox-records/r.jsonl\nstages:\n  - use: noop\n"), [],
                       "a sibling whose name starts like the inbox is not inside it")
    }

    /// A symbolic link that leads into the inbox is seen through; the URL sources' failed/
    /// folder is checked too.
    func testAPathLeadingIntoTheInboxThroughALinkIsRefused() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("loader-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        try FileManager.default.createDirectory(at: base.appendingPathComponent("in"), withIntermediateDirectories: true)
        XCTAssertEqual(symlink(base.appendingPathComponent("in").path, base.appendingPathComponent("out").path), 0)
        let yaml = "sources:\n  drop_folder: {path: in}\n  urls:\n    - {url: \"https://news.example/\"}\n  fetch:\n    failed: in/x\n"
            + "sink:\n  path: out/records/r.jsonl\nstages:\n  - use: noop\n"
        var found: [String] = []
        do { _ = try parse(yaml, base: base.path) } catch let e as ConfigError { found = e.issues.map(\.description) }
        XCTAssertEqual(found.count, 2, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:6:5: sources.fetch.failed") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:8:3: sink.path") }, "\(found)")
    }

    func testMaxInFlightBelowTheNumberOfSourcesIsRefused() {
        let two = "sources:\n  drop_folder: {path: in}\n  urls:\n    - {url: \"https://news.example/feed\"}\nruntime:\n  concurrency: 1\n  max_in_flight: 1\nstages:\n  - use: noop\n"
        XCTAssertEqual(issues(two), ["p.yaml:7:3: runtime.max_in_flight: 1 is below the number of sources (2); each source needs at least one document in flight"])
        XCTAssertEqual(issues(two.replacingOccurrences(of: "max_in_flight: 1", with: "max_in_flight: 2")), [])
    }

    func testSettleTimeIsADuration() throws {
        XCTAssertEqual(try parse("sources:\n  drop_folder: {settle_time: 500ms}\nstages:\n  - use: noop\n").dropFolder?.settleTime, 0.5)
        XCTAssertEqual(try parse("stages:\n  - use: noop\n").dropFolder?.settleTime, 2)
        XCTAssertTrue(issues("sources:\n  drop_folder: {settle_time: soon}\nstages:\n  - use: noop\n").first?.contains("settle_time") ?? false)
    }

    func testDuplicateKeyIsRefused() {
        let found = issues("name: a\nname: b\nstages:\n  - use: noop\n")
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].hasPrefix("p.yaml:2:1:") && found[0].contains("duplicate"), found[0])
    }
}

final class StageOrderTests: XCTestCase {
    private let registry = ComponentRegistry(stages: StageRegistry([
        StageFactory(name: "first", summary: "", fields: StageFields(reads: ["raw"], writes: ["text", "labels.topics"])) { _ in
            CountingBuilderForOrder()
        },
        StageFactory(name: "second", summary: "", fields: StageFields(reads: ["text"], writes: ["labels.genre"])) { _ in
            CountingBuilderForOrder()
        },
        StageFactory(name: "labelled", summary: "", fields: StageFields(reads: ["labels"], writes: [])) { _ in CountingBuilderForOrder() },
        // Declares its fields from its options, as plugin stages do.
        StageFactory(name: "declared", summary: "") { options in
            CountingBuilderForOrder(fields: StageFields(reads: options.value("reads")?.stringList() ?? [], writes: []))
        },
    ]), sources: [DropFolderComponent.factory], sinks: [JSONLinesSinkComponent.factory])

    private func issues(_ yaml: String) -> [String] {
        do {
            _ = try PipelineLoader.parse(yaml: yaml, file: URL(fileURLWithPath: "/p/p.yaml"), displayName: "p.yaml",
                                         baseDirectory: URL(fileURLWithPath: "/p"), registry: registry)
            return []
        } catch let e as ConfigError { return e.issues.map(\.description) } catch { return ["\(error)"] }
    }

    func testAStageThatReadsAFieldNothingEarlierWritesIsRefusedNamingTheStagesThatWriteIt() throws {
        XCTAssertEqual(issues("stages:\n  - use: first\n  - use: second\n"), [])
        XCTAssertEqual(issues("stages:\n  - use: second\n  - use: first\n"),
                       ["p.yaml:2:10: stages[0].use: stage 'second' reads 'text', which nothing before it writes ('first' writes it)"])
    }

    func testAFieldIsCoveredByItsParentOrByOneOfItsChildren() {
        // `labels` is read: a stage that wrote labels.topics earlier provides it.
        XCTAssertEqual(issues("stages:\n  - use: first\n  - use: labelled\n"), [])
        XCTAssertEqual(issues("stages:\n  - use: labelled\n").count, 1)
    }

    func testFieldsAStageTakesFromItsOptionsAreChecked() {
        XCTAssertEqual(issues("stages:\n  - use: first\n  - use: declared\n    reads: [text, raw, id, origin]\n"), [])
        let found = issues("stages:\n  - use: first\n  - use: declared\n    reads: [text, lang]\n")
        XCTAssertEqual(found, ["p.yaml:4:5: stages[1].reads: stage 'declared' reads 'lang', which nothing before it writes"])
    }
}

private struct CountingBuilderForOrder: StageBuilder {
    var fields: StageFields?
    func build(_ context: StageContext) throws -> any Stage { fatalError("not built in these tests") }
}

/// Sources and sinks are components looked up by name, each reading its own options.
final class ComponentLookupTests: XCTestCase {
    private struct ListSink: SinkBuilder {
        let capacity: Int
        func build(_ context: SinkContext) throws -> any RecordSink { fatalError("not built in these tests") }
        var writes: [WrittenPath] { [] }
        var summary: String { "list(\(capacity))" }
        var startupMetadata: Logger.Metadata { [:] }
    }

    private let registry = ComponentRegistry(
        stages: StageRegistry([StageFactory(name: "noop", summary: "") { _ in CountingBuilder(limit: 0) }]),
        sources: [DropFolderComponent.factory],
        sinks: [JSONLinesSinkComponent.factory,
                SinkFactory(name: "list", summary: "") { m, _ in ListSink(capacity: m.int("capacity", default: 10, in: 1...100)) }])

    private func parse(_ yaml: String) throws -> PipelineConfig {
        try PipelineLoader.parse(yaml: yaml, file: URL(fileURLWithPath: "/p/p.yaml"), displayName: "p.yaml",
                                 baseDirectory: URL(fileURLWithPath: "/p"), registry: registry)
    }

    func testTheSinkTypeIsLookedUpAndTheSinkReadsItsOwnOptions() throws {
        let c = try parse("stages:\n  - use: noop\nsink:\n  type: list\n  capacity: 3\n")
        XCTAssertEqual(c.sink.name, "list")
        XCTAssertEqual(c.sink.builder.summary, "list(3)")
        XCTAssertEqual(try parse("stages:\n  - use: noop\n").sink.builder.summary, "jsonl(/p/records/records.jsonl)")
        XCTAssertThrowsError(try parse("stages:\n  - use: noop\nsink:\n  type: kafka\n")) {
            XCTAssertEqual(($0 as? ConfigError)?.issues.map(\.description), ["p.yaml:4:9: sink.type: 'kafka' is not one of jsonl, list"])
        }
        XCTAssertThrowsError(try parse("stages:\n  - use: noop\nsink:\n  type: list\n  path: /x\n")) {
            XCTAssertEqual(($0 as? ConfigError)?.issues.map(\.description), ["p.yaml:5:3: sink: unknown key 'path'; expected one of: capacity, type"])
        }
    }

    func testASourceKindTheRegistryDoesNotHaveIsAnUnknownKey() throws {
        XCTAssertThrowsError(try parse("sources:\n  urls:\n    - url: https://example.org/\nstages:\n  - use: noop\n")) {
            let found = ($0 as? ConfigError)?.issues.map(\.description) ?? []
            XCTAssertTrue(found.contains { $0.hasPrefix("p.yaml:2:3: sources: unknown key 'urls'") }, "\(found)")
        }
    }
}
