import Foundation
import IngestCore
import IngestPostgres
import Logging

/// `sources.urls` and `sources.fetch`: pages and feeds fetched with libcurl, as a source component.
public enum URLSourceComponent {
    public static let factory = SourceFactory(
        name: "urls", keys: ["urls", "fetch", "feeds"],
        summary: "pages and RSS/Atom feeds fetched on a schedule (libcurl), politely (robots.txt, per-host delay)"
    ) { sources, context in
        if sources.has("feeds") {
            _ = sources.value("feeds")
            sources.error("feeds are listed under urls: with kind: feed", atKey: "feeds")
            if !sources.has("urls"), !sources.has("fetch") { return nil }
        }
        var failedAt: (line: Int, column: Int)?
        guard var settings = read(&sources, resolve: context.resolve, failedAt: &failedAt) else { return nil }
        settings.stateFolder = context.stateDirectory.appendingPathComponent("urls")
        settings.fetch.maxBodyBytes = context.runtime.maxDocumentBytes
        let at: (line: Int, column: Int) = failedAt ?? (context.line, context.column)
        return Builder(settings: settings, cluster: context.cluster,
                       writes: [WrittenPath(key: "sources.fetch.failed", url: settings.failed, line: at.line, column: at.column,
                                                   explicit: failedAt != nil)])
    }

    struct Builder: SourceBuilder {
        let settings: URLSourceSettings
        /// With `cluster.postgres`, the URLs are shared out among the nodes (`PostgresFetchSchedule`).
        var cluster: ClusterSettings?
        let writes: [WrittenPath]

        func build(_ context: SourceContext) throws -> any DocumentSource {
            if !settings.fetch.userAgentHasContact {
                context.logger.warning(
                    "sources.fetch.user_agent gives no contact; site owners expect one, e.g. 'ingestd/0.1 (+mailto:desk@example.org)'",
                    metadata: ["user_agent": .string(settings.fetch.userAgent)])
            }
            let schedule = try cluster.map {
                PostgresFetchSchedule(client: try PostgresClient.prepared(for: $0, component: "source", "urls", logger: context.logger))
            }
            return URLSource(settings: settings, fetcher: HTTPFetcher(settings: settings.fetch), logger: context.logger,
                             metrics: context.metrics, schedule: schedule)
        }
        var claimsFrom: (url: URL, key: String, line: Int, column: Int)? { nil }
        var exclusiveFolders: [URL] { [] }
        var summary: String {
            "urls(\(settings.entries.filter { $0.kind == .page }.count) pages, \(settings.entries.filter { $0.kind == .feed }.count) feeds)"
        }
        var startupMetadata: Logger.Metadata {
            ["urls": .stringConvertible(settings.entries.count), "libcurl": .string(CurlLibrary.info.version),
             "decodes": .array(CurlLibrary.decodedEncodings.map { .string($0) })]
        }
        var status: String { "fetching \(settings.entries.count) URLs" }
        /// Only the list may change in place: `sources.fetch` shapes the fetcher and its politeness.
        func reload(_ running: any DocumentSource, builtFrom old: any SourceBuilder, check: Bool) -> SourceReload {
            guard let old = old as? Builder, let source = running as? URLSource else {
                return .refused("sources.urls cannot be added while ingestd runs; restart it to apply")
            }
            var a = old.settings, b = settings
            a.entries = []
            b.entries = []
            // By path: a folder made since the last read resolves with a trailing slash.
            if a.stateFolder.path == b.stateFolder.path { b.stateFolder = a.stateFolder }
            if a.failed.path == b.failed.path { b.failed = a.failed }
            guard a == b else {
                return .refused("sources.fetch cannot change while ingestd runs; restart it to apply (the urls: list can)")
            }
            let strip: (URLSourceSettings.Entry) -> URLSourceSettings.Entry = { var e = $0; e.line = 0; return e }
            if old.settings.entries.map(strip) == settings.entries.map(strip) { return .unchanged }
            if check { return .updated(added: [], removed: []) }
            let (added, removed) = source.update(entries: settings.entries)
            return .updated(added: added, removed: removed)
        }
    }

    /// `sources.urls` (the list) and `sources.fetch` (how they are fetched).
    static func read(_ sources: inout ConfigMap, resolve: (String) -> URL,
                     failedAt: inout (line: Int, column: Int)?) -> URLSourceSettings? {
        var result = URLSourceSettings(entries: [], stateFolder: resolve("state/urls"), failed: resolve("failed"))
        if var f = sources.map("fetch") {
            var fetch = FetchSettings()
            fetch.userAgent = f.string("user_agent", default: fetch.userAgent)
            if !fetch.userAgent.lowercased().contains("ingestd") {
                f.error("the User-Agent must name ingestd (and should give a contact), e.g. 'ingestd/0.1 (+mailto:desk@example.org)'",
                        atKey: "user_agent")
            }
            fetch.connectTimeout = f.duration("connect_timeout", default: fetch.connectTimeout, in: 0.1...600)
            fetch.totalTimeout = f.duration("timeout", default: fetch.totalTimeout, in: 0.1...3600)
            fetch.lowSpeedBytesPerSecond = f.byteSize("low_speed_limit", default: fetch.lowSpeedBytesPerSecond, in: 1...(1 << 30))
            fetch.lowSpeedTime = f.duration("low_speed_time", default: fetch.lowSpeedTime, in: 1...3600)
            fetch.maxRedirects = f.int("max_redirects", default: fetch.maxRedirects, in: 0...5)
            fetch.perHostConnections = f.int("per_host", default: fetch.perHostConnections, in: 1...64)
            fetch.allowPrivateNetworks = f.bool("allow_private_networks", default: false)
            if let ca = f.string("ca_path") {
                let url = resolve(ca)
                if !FileManager.default.fileExists(atPath: url.path) {
                    f.error("no such file or folder: \(url.path)", atKey: "ca_path")
                }
                fetch.caPath = url.path
            }
            result.fetch = fetch
            result.minDelay = f.duration("min_delay", default: result.minDelay, in: 0...3600)
            result.robots = f.bool("robots", default: result.robots)
            result.retries = f.int("retries", default: result.retries, in: 0...20)
            result.maxBackoff = f.duration("max_backoff", default: result.maxBackoff, in: 1...86_400)
            result.warnAfterFailures = f.int("warn_after_failures", default: result.warnAfterFailures, in: 1...10_000)
            result.maxItemsPerPoll = f.int("max_items_per_poll", default: result.maxItemsPerPoll, in: 1...100_000)
            result.seenItems = f.int("seen_items", default: result.seenItems, in: 1...10_000_000)
            result.seenFor = f.duration("seen_for", default: result.seenFor, in: 86_400...(3_650 * 86_400))
            result.failed = resolve(f.string("failed", default: "failed"))
            if f.has("failed") { failedAt = f.keyPosition("failed") }
            f.reportUnknownKeys()
        }
        guard let list = sources.value("urls")?.list() else {
            if !sources.has("urls") { sources.error("fetch: is set but there is no urls: list to fetch", atKey: "fetch") }
            return nil
        }
        if list.isEmpty { sources.error("the urls: list is empty", atKey: "urls") }
        var seen: [String: Int] = [:]
        for item in list {
            guard var m = item.map() else { continue }
            guard let url = m.string("url") else {
                if !m.has("url") { m.error("each entry needs url: (an http or https URL)") }
                continue
            }
            let scheme = url.prefix(while: { $0 != ":" }).lowercased()
            guard (scheme == "http" || scheme == "https") && URL(string: url)?.host != nil else {
                m.error("url must be an http:// or https:// URL with a host, found '\(url)'", atKey: "url")
                continue
            }
            let kind = URLSourceSettings.Entry.Kind(rawValue: m.oneOf("kind", ["page", "feed"], default: "page")) ?? .page
            let every = m.duration("every", default: 900, in: 10...(30 * 86_400))
            var headers: [String: String] = [:]
            if var h = m.map("headers") {
                for (name, value) in h.allEntries() {
                    guard let v = value.string() else { continue }
                    if name.isEmpty || name.contains(where: { $0 == ":" || $0.isWhitespace || $0.isNewline }) || v.contains(where: \.isNewline) {
                        value.error("not a valid header")
                        continue
                    }
                    headers[name] = v
                }
            }
            m.reportUnknownKeys()
            if let first = seen[url] {
                m.error("\(url) is listed twice (first at line \(first))", atKey: "url")
                continue
            }
            seen[url] = m.line
            result.entries.append(.init(url: url, kind: kind, every: every, headers: headers, line: m.line))
        }
        return result
    }
}
