import Foundation
import IngestCore
import Logging

/// `ingestd test PIPELINE [CASES…]`: runs each case's documents through the pipeline's stages in
/// this process, as the daemon would (the same reader, stages and record), with a fresh state
/// folder per case so dedupe sees only that case's documents, and checks what came out.
public enum PipelineTestRunner {
    /// The result of one case: per document with expectations, what failed.
    public struct CaseResult {
        public var testCase: TestCase
        /// (input index, what it expected and did not get)
        public var failures: [(input: Int, mismatch: Mismatch)]
        public var passed: Bool { failures.isEmpty }
    }

    public static func run(pipeline: URL, caseFiles given: [URL], registry: ComponentRegistry, style: TerminalStyle) -> Int32 {
        let config: PipelineConfig
        switch Daemon.load(pipeline, dataDir: nil, registry: registry) {
        case .success(let c): config = c
        case .failure(let error):
            for issue in error.issues { Output.error(issue.description) }
            return 2
        }
        let files: [URL]
        switch given.isEmpty ? CaseFiles.find(for: pipeline) : .success(given) {
        case .success(let f): files = f
        case .failure(let why):
            Output.error("ingestd test: \(why)")
            return 2
        }
        var suites: [(URL, [TestCase])] = []
        var problems: [ConfigIssue] = []
        for file in files {
            do { suites.append((file, try CaseFileReader.read(file))) } catch { problems += error.issues }
        }
        if !problems.isEmpty {
            for issue in problems { Output.error(issue.description) }
            return 2
        }
        let logger = Daemon.makeLogger(level: .error)
        let report = TestReport(style: style)
        var failed = 0, total = 0
        for (file, cases) in suites {
            Output.write(report.header(file: file, pipeline: pipeline, cases: cases.count))
            for testCase in cases {
                let result: CaseResult
                do { result = try run(testCase, config: config, logger: logger) } catch {
                    Output.error("\(config.file.path): \(error)")
                    return 2
                }
                total += 1
                if !result.passed { failed += 1 }
                Output.write(report.render(result, file: file))
            }
        }
        Output.write(report.footer(total: total, failed: failed))
        return failed == 0 ? 0 : 1
    }

    /// Runs one case. Throws when the pipeline cannot run at all (a stage that cannot start, a
    /// state folder that cannot be made): that is a problem with the pipeline, not a failed case.
    static func run(_ testCase: TestCase, config: PipelineConfig, logger: Logger) throws -> CaseResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ingestd-test-\(UUID().uuidString)")
        let inputsFolder = scratch.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: inputsFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stages = try Daemon.buildStages(config, stateDirectory: scratch.appendingPathComponent("state"), logger: logger)
        defer { for s in stages { s.close() } }
        var failures: [(Int, Mismatch)] = []
        for (index, input) in testCase.inputs.enumerated() {
            let path: URL
            let shownPath: String
            switch input.content {
            case .file(let url):
                path = url
                shownPath = url.path
            case .inline(let text):
                // Written out and read back through the daemon's own reader, so an empty or
                // binary text is refused exactly as a dropped file would be.
                path = inputsFolder.appendingPathComponent(input.name)
                try FileIO.writeFile(Array(text.utf8), at: path.path, mode: 0o600)
                shownPath = input.name
            }
            let outcome = try process(path, shownPath: shownPath, claimName: "\(index + 1)-\(input.name)", stages: stages, config: config)
            failures += check(input.expectations, outcome).map { (index, $0) }
        }
        return CaseResult(testCase: testCase, failures: failures)
    }

    /// The outcome expectations first: when the document was not recorded as expected, its
    /// fields are not worth listing one by one.
    static func check(_ expectations: [Expectation], _ outcome: DocumentOutcome) -> [Mismatch] {
        var fate = expectations.filter { !$0.needsRecord }
        let fields = expectations.filter(\.needsRecord)
        if fate.isEmpty, !fields.isEmpty { fate = [.recorded] }
        let wrongFate = fate.compactMap { $0.check(outcome) }
        return wrongFate.isEmpty ? fields.compactMap { $0.check(outcome) } : wrongFate
    }

    /// One document through the stages, as PipelineRunner does it: a stage that drops or rejects
    /// it makes the stages before it forget it, and state is synced as before a commit.
    static func process(_ path: URL, shownPath: String, claimName: String, stages: [any Stage],
                        config: PipelineConfig) throws -> DocumentOutcome {
        let bytes: [UInt8]
        do { bytes = try DocumentReader.read(path, maxBytes: config.runtime.maxDocumentBytes, namedByUser: true) } catch {
            return .rejected((error as? Rejection) ?? Rejection(.unreadable, "\(error)", stage: "read"))
        }
        let sha = SHA256Digest.hex(of: bytes)
        let doc = Document(id: Document.makeID(claimName: claimName, contentSHA256: sha),
                           origin: Origin(kind: .file, path: shownPath, size: bytes.count, sha256: sha), raw: bytes)
        let result = Locked<DocumentOutcome?>(nil)
        let done = DispatchSemaphore(value: 0)
        let pipelineName = config.name
        Task {
            var d = doc
            var outcome: DocumentOutcome?
            for (i, stage) in stages.enumerated() {
                do {
                    let verdict = try await stage.process(&d)
                    d.stagesRun.append(stage.name)
                    if case let .drop(reason, of) = verdict {
                        for s in stages.prefix(i) { s.forget(d.id) }
                        outcome = .dropped(stage: stage.name, reason: reason, of: of)
                        break
                    }
                } catch {
                    for s in stages.prefix(i) { s.forget(d.id) }
                    outcome = .rejected((error as? Rejection) ?? Rejection(.stageFailed, "\(error)", stage: stage.name))
                    break
                }
            }
            let final = outcome ?? .recorded(RecordSchema.json(for: d, ingestedAt: Date(), pipeline: pipelineName))
            result.withLock { $0 = final }
            done.signal()
        }
        done.wait()
        for s in stages { try s.sync() }
        return result.withLock { $0 }!
    }
}
