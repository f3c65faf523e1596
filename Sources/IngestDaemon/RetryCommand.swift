import Foundation
import IngestCore
import IngestInputs

/// `ingestd retry`: finds the pipeline's drop folder and hands its `failed/` and inbox to
/// `FailedRetry`. Prints one line per input moved (stdout) and per input left (stderr).
public enum RetryCommand {
    /// 0 when everything asked for was moved (or nothing matched), 1 when a named input could
    /// not be, 2 when the pipeline has problems or no drop folder.
    public static func run(pipeline file: URL, dataDir: URL?, reason: String?, names: [String], registry: ComponentRegistry) -> Int32 {
        let config: PipelineConfig
        switch Daemon.load(file, dataDir: dataDir, registry: registry) {
        case .success(let c): config = c
        case .failure(let error):
            for issue in error.issues { printError(issue.description) }
            return 2
        }
        guard let folders = config.sources.lazy.compactMap({ DropFolderComponent.settings(of: $0.builder) }).first else {
            printError("\(file.path): the pipeline has no drop folder (sources.drop_folder), so there is no inbox to move inputs back to")
            return 2
        }
        let outcome: FailedRetry.Outcome
        do {
            outcome = try FailedRetry.run(failed: folders.failed, inbox: folders.inbox, reason: reason, names: names)
        } catch {
            printError("cannot retry: \(error)")
            return 1
        }
        for m in outcome.moved { print("\(m.from) -> \(m.to)") }
        for s in outcome.skipped { printError("left \(s.name): \(s.why)") }
        if outcome.moved.isEmpty, outcome.skipped.isEmpty {
            printError("nothing to retry in \(folders.failed.path)" + (reason.map { " with reason \($0)" } ?? ""))
        }
        return names.isEmpty || outcome.skipped.isEmpty ? 0 : 1
    }

    private static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
