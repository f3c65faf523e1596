import Foundation
import IngestCore
import Logging

/// `sources.drop_folder`: the inotify drop folder as a source component. It is also the source
/// of a pipeline with no `sources:` at all, with every folder at its default.
public enum DropFolderComponent {
    public static let factory = SourceFactory(
        name: "drop_folder", keys: ["drop_folder"],
        summary: "files dropped into a folder (inotify), moved to done/ or failed/ once their record is written"
    ) { sources, context in
        var m = sources.map("drop_folder") ?? sources.emptyChild("drop_folder")
        let resolve = context.resolve
        var d = DropFolderSettings(
            inbox: resolve(m.string("path", default: "inbox")),
            processing: resolve(m.string("processing", default: "processing")),
            done: resolve(m.string("done", default: "done")),
            failed: resolve(m.string("failed", default: "failed")))
        d.afterSuccess = .init(rawValue: m.oneOf("on_success", ["move", "delete"], default: "move")) ?? .move
        d.settleTime = m.duration("settle_time", default: d.settleTime, in: 0...3600)
        d.doneRetention = m.value("done_retention")?.duration(in: 60...(36600 * 86400))
        d.failedRetention = m.value("failed_retention")?.duration(in: 60...(36600 * 86400))
        m.reportUnknownKeys()
        let inboxAt: (line: Int, column: Int) = m.has("path") ? m.keyPosition("path") : (m.line, m.column)
        var writes: [WrittenPath] = []
        for (key, url) in [("processing", d.processing), ("done", d.done), ("failed", d.failed)] {
            let at = m.has(key) ? m.keyPosition(key) : inboxAt
            writes.append(WrittenPath(key: "sources.drop_folder.\(key)", url: url, line: at.line, column: at.column))
        }
        let folders = [("path", d.inbox), ("processing", d.processing), ("done", d.done), ("failed", d.failed)]
        for (i, a) in folders.enumerated() {
            for b in folders[(i + 1)...] where a.1.path == b.1.path {
                m.error("'\(a.0)' and '\(b.0)' are the same folder (\(a.1.path)); each needs its own")
            }
        }
        return Builder(settings: d, inboxAt: inboxAt, writes: writes)
    }

    /// The drop folder's settings when `builder` is one (`ingestd retry` needs its folders).
    public static func settings(of builder: any SourceBuilder) -> DropFolderSettings? { (builder as? Builder)?.settings }

    struct Builder: SourceBuilder {
        let settings: DropFolderSettings
        let inboxAt: (line: Int, column: Int)
        let writes: [WrittenPath]

        func build(_ context: SourceContext) throws -> any DocumentSource { DropFolder(settings: settings, logger: context.logger) }
        var claimsFrom: (url: URL, key: String, line: Int, column: Int)? {
            (settings.inbox, "sources.drop_folder.path", inboxAt.line, inboxAt.column)
        }
        // Its own folders are not a problem inside the inbox only when they are the inbox
        // itself, which the same-folder check above already refuses.
        var exclusiveFolders: [URL] { [settings.inbox, settings.processing] }
        var summary: String { "drop_folder(\(settings.inbox.path))" }
        var startupMetadata: Logger.Metadata {
            ["inbox": .string(settings.inbox.path), "processing": .string(settings.processing.path),
             "done": .string(settings.done.path), "failed": .string(settings.failed.path)]
        }
        var status: String { "watching \(settings.inbox.path)" }
        /// The folders are locked and watched for the life of the process: changing them is a restart.
        func reload(_ running: any DocumentSource, builtFrom old: any SourceBuilder, check: Bool) -> SourceReload {
            guard let old = old as? Builder, old.settings == settings else {
                return .refused("sources.drop_folder cannot change while ingestd runs (its folders are locked and watched); restart it to apply")
            }
            return .unchanged
        }
    }
}
