import Foundation
import IngestCore
import Logging

/// `ingestd plugin check`: starts one stage of a pipeline for real (spawn, handshake), runs one
/// sample document through the stages up to it, and prints what the stage did, so a plugin
/// can be tried without a daemon, a drop folder or state.
public enum StageCheck {
    /// A short article, so a plugin sees the fields a real document has.
    static let sample = """
        Leaders meet again as talks resume

        By A. Correspondent

        March 1, 2019

        The two leaders met in Hanoi on Thursday for a second summit, the foreign ministry said. \
        Officials described the talks as frank and said working-level meetings would continue next month.

        Analysts said sanctions relief and the pace of denuclearization remained the main points of difference.
        """

    public static func run(pipeline file: URL, stage wanted: String, input: URL?, registry: ComponentRegistry) -> Int32 {
        let logger = Daemon.makeLogger(level: .warning)
        let config: PipelineConfig
        switch Daemon.load(file, dataDir: nil, registry: registry) {
        case .success(let c): config = c
        case .failure(let error):
            for issue in error.issues { FileHandle.standardError.write(Data((issue.description + "\n").utf8)) }
            return 2
        }
        guard let index = config.stages.firstIndex(where: { $0.name == wanted }) else {
            let names = config.stages.map(\.name).joined(separator: ", ")
            FileHandle.standardError.write(Data("\(file.path): no stage named '\(wanted)'; the stages are \(names)\n".utf8))
            return 2
        }
        var upTo = config
        upTo.stages = Array(config.stages[...index])
        let raw: [UInt8]
        do {
            raw = try input.map { try FileIO.read($0) } ?? Array(sample.utf8)
        } catch {
            FileHandle.standardError.write(Data("cannot read \(input?.path ?? ""): \(error)\n".utf8))
            return 2
        }
        let stages: [any Stage]
        let started = DispatchTime.now()
        do {
            // No state folder: stages that keep state (dedupe) keep it in memory, and nothing
            // the daemon has recorded is touched.
            stages = try Daemon.buildStages(upTo, stateDirectory: nil, logger: logger)
        } catch {
            print(JSONValue.object([("stage", .string(wanted)), ("status", .string("cannot_start")), ("error", .string("\(error)"))]).serialized())
            return 1
        }
        defer { for s in stages { s.close() } }
        let startMs = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        var doc = Document(id: "plugin-check", origin: Origin(kind: .file, path: input?.path ?? "sample.txt", size: raw.count,
                                                              sha256: SHA256Digest.hex(of: raw)), raw: raw)
        let outcome = Locked<Result<(Document, StageVerdict), any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let before = doc
        let processStarted = DispatchTime.now()
        Task {
            var d = before
            do {
                var verdict = StageVerdict.keep
                for s in stages {
                    verdict = try await s.process(&d)
                    d.stagesRun.append(s.name)
                    if case .drop = verdict { break }
                }
                outcome.withLock { $0 = .success((d, verdict)) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        let ms = Double(DispatchTime.now().uptimeNanoseconds - processStarted.uptimeNanoseconds) / 1e6
        var report: [(String, JSONValue)] = [("stage", .string(wanted)), ("start_ms", .double((startMs * 10).rounded() / 10)),
                                             ("ms", .double((ms * 10).rounded() / 10))]
        var status: Int32 = 0
        switch outcome.withLock({ $0 })! {
        case .success(let (after, verdict)):
            doc = after
            if case let .drop(reason, _) = verdict {
                report.insert(("status", .string("dropped")), at: 1)
                report.append(("reason", .string(reason)))
            } else {
                report.insert(("status", .string("ok")), at: 1)
                let writes = config.stages[index].fields.writes
                report.append(("set", .object(writes.map { ($0, DocumentField.value($0, in: doc)) })))
            }
        case .failure(let error):
            let r = (error as? Rejection) ?? Rejection(.stageFailed, "\(error)", stage: wanted)
            report.insert(("status", .string("rejected")), at: 1)
            report += [("reason", .string(r.code.rawValue)), ("message", .string(r.message)), ("at_stage", .string(r.stage))]
            if let evidence = r.evidence { report.append(("evidence", .string(evidence))) }
            status = 1
        }
        print(JSONValue.object(report).serialized())
        return status
    }
}
