import Foundation
import XCTest
@testable import IngestCore
@testable import IngestInputs
@testable import IngestSinks

/// `metrics:` and `sources.fetch.warn_after_failures` as the loader reads them.
final class MetricsSettingsTests: XCTestCase {
    private let registry = ComponentRegistry(
        stages: StageRegistry([StageFactory(name: "noop", summary: "test stage") { _ in NoStage() }]),
        sources: [DropFolderComponent.factory, URLSourceComponent.factory],
        sinks: [JSONLinesSinkComponent.factory])

    private struct NoStage: StageBuilder {
        func build(_ context: StageContext) throws -> any Stage { fatalError("not built in these tests") }
    }

    private func parse(_ yaml: String) throws -> PipelineConfig {
        try PipelineLoader.parse(yaml: yaml, file: URL(fileURLWithPath: "/srv/pipe/p.yaml"), displayName: "p.yaml",
                                 baseDirectory: URL(fileURLWithPath: "/srv/pipe"), registry: registry)
    }

    private func issues(_ yaml: String) -> [String] {
        do {
            _ = try parse(yaml)
            return []
        } catch let error as ConfigError {
            return error.issues.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    func testWithoutMetricsNoEndpointIsConfigured() throws {
        XCTAssertNil(try parse("stages:\n  - use: noop\n").metrics)
    }

    func testListenAddresses() throws {
        XCTAssertEqual(try parse("metrics: {}\nstages:\n  - use: noop\n").metrics, MetricsSettings(host: "127.0.0.1", port: 9464))
        XCTAssertEqual(try parse("metrics:\n  listen: 127.0.0.1:0\nstages:\n  - use: noop\n").metrics, MetricsSettings(host: "127.0.0.1", port: 0))
        let v6 = try XCTUnwrap(try parse("metrics:\n  listen: \"[::1]:9100\"\nstages:\n  - use: noop\n").metrics)
        XCTAssertEqual(v6, MetricsSettings(host: "::1", port: 9100))
        XCTAssertEqual(v6.listen, "[::1]:9100")
        XCTAssertTrue(v6.isLoopback)
        let any = try XCTUnwrap(try parse("metrics:\n  listen: 0.0.0.0:9464\nstages:\n  - use: noop\n").metrics)
        XCTAssertFalse(any.isLoopback, "an address other than loopback is served when written out")
        XCTAssertEqual(try parse("metrics:\n  listen: localhost:9464\nstages:\n  - use: noop\n").metrics?.host, "127.0.0.1")
    }

    func testBadListenValuesAreLocated() {
        XCTAssertEqual(issues("metrics:\n  listen: 127.0.0.1:99999\nstages:\n  - use: noop\n"),
                       ["p.yaml:2:11: metrics.listen: the port must be 0–65535 (0: any free port), found '99999'"])
        XCTAssertEqual(issues("metrics:\n  listen: metrics.example.org:9464\nstages:\n  - use: noop\n"),
                       ["p.yaml:2:11: metrics.listen: the host must be an IP address (127.0.0.1, [::1], 0.0.0.0) or localhost, found 'metrics.example.org'"])
        XCTAssertEqual(issues("metrics:\n  listen: 9464\nstages:\n  - use: noop\n"),
                       ["p.yaml:2:11: metrics.listen: expected HOST:PORT (e.g. 127.0.0.1:9464 or [::1]:9464), found '9464'"])
        XCTAssertEqual(issues("metrics:\n  port: 9464\nstages:\n  - use: noop\n"),
                       ["p.yaml:2:3: metrics: unknown key 'port'; expected one of: listen"])
    }

    func testWarnAfterFailures() throws {
        let base = "sources:\n  urls:\n    - url: http://127.0.0.1:8080/feed.xml\n      kind: feed\n  fetch:\n"
        let config = try parse(base + "    warn_after_failures: 5\nstages:\n  - use: noop\n")
        let urls = try XCTUnwrap(config.sources.lazy.compactMap { ($0.builder as? URLSourceComponent.Builder)?.settings }.first)
        XCTAssertEqual(urls.warnAfterFailures, 5)
        XCTAssertEqual(issues(base + "    warn_after_failures: 0\nstages:\n  - use: noop\n").count, 1)
        XCTAssertTrue(issues(base + "    warn_after_failures: 0\nstages:\n  - use: noop\n")[0].hasPrefix("p.yaml:6:26: sources.fetch.warn_after_failures:"))
    }
}
