import Foundation
import XCTest

/// The man page and the shell completions `deploy/install.sh` installs, and the progress bar of
/// `ingestd once`, which only a terminal sees.
final class ManualAndCompletionTests: XCTestCase {
    /// The subcommands `ingestd --help` lists.
    private func subcommands() throws -> [String] {
        let help = try DaemonHarness.run(["--help"])
        XCTAssertEqual(help.status, 0)
        guard let section = help.out.range(of: "SUBCOMMANDS:") else { throw Failure("no SUBCOMMANDS in --help: \(help.out)") }
        return help.out[section.upperBound...].split(separator: "\n").compactMap { line in
            // "  name    Abstract…": a name at two spaces' indent; continuation lines are indented further.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { return nil }
            return String(name)
        }.filter { $0 != "See" }
    }

    private var manPage: URL { DaemonHarness.repository.appendingPathComponent("deploy/ingestd.1") }

    func testTheManPageHasASectionForEverySubcommand() throws {
        let names = try subcommands()
        XCTAssertTrue(names.contains("tail") && names.contains("test") && names.contains("run"), "\(names)")
        let page = try String(contentsOf: manPage, encoding: .utf8)
        for name in names {
            XCTAssertTrue(page.contains("\n.SS \(name)\n"), "deploy/ingestd.1 has no section for `ingestd \(name)`")
            XCTAssertTrue(page.contains("\n.B ingestd \(name)"), "deploy/ingestd.1's synopsis does not show `ingestd \(name)`")
        }
        XCTAssertTrue(page.contains(".TH INGESTD 1 "))
    }

    func testGroffRendersTheManPageWithoutWarnings() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") else { throw XCTSkip("groff is not installed") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/groff")
        p.arguments = ["-man", "-Tutf8", "-ww", "-P", "-cbou", manPage.path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let rendered = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let warnings = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(warnings, "", "groff warns about deploy/ingestd.1")
        XCTAssertTrue(rendered.contains("SYNOPSIS"), rendered)
    }

    func testEveryShellsCompletionScriptNamesEverySubcommand() throws {
        let names = try subcommands()
        for shell in ["bash", "zsh", "fish"] {
            let r = try DaemonHarness.run(["--generate-completion-script", shell])
            XCTAssertEqual(r.status, 0, r.err)
            for name in names { XCTAssertTrue(r.out.contains(name), "the \(shell) completion does not offer `\(name)`") }
            XCTAssertTrue(r.out.contains("--records"), "the \(shell) completion does not offer tail's --records")
        }
    }

    func testInstallShInstallsCompletionsAndTheManPageInItsDryRun() throws {
        let p = Process()
        p.executableURL = DaemonHarness.repository.appendingPathComponent("deploy/install.sh")
        p.arguments = ["--dry-run", "--skip-deps", "--skip-build", "--no-start"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("--generate-completion-script bash > /usr/share/bash-completion/completions/ingestd"), text)
        XCTAssertTrue(text.contains("--generate-completion-script zsh > /usr/local/share/zsh/site-functions/_ingestd"), text)
        XCTAssertTrue(text.contains("--generate-completion-script fish > /usr/share/fish/vendor_completions.d/ingestd.fish"), text)
        XCTAssertTrue(text.contains("deploy/ingestd.1 /usr/local/share/man/man1/ingestd.1"), text)
    }

    /// Runs `once` on 25 inputs, under a pseudo-terminal (`script`) or into pipes.
    private func once(onATerminal: Bool) throws -> (status: Int32, stderr: String, records: Int) {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: d) }
        var paths: [String] = []
        for i in 0..<25 {
            let f = d.appendingPathComponent("doc\(i).txt")
            try distinctArticle(500 + i).write(to: f, atomically: true, encoding: .utf8)
            paths.append(f.path)
        }
        let out = d.appendingPathComponent("records.jsonl")
        let args = ["once", "--pipeline", DaemonHarness.repository.appendingPathComponent("pipelines/news.yaml").path,
                    "--output", out.path, "--log-level", "warning"] + paths
        let r: (status: Int32, out: String, err: String)
        if onATerminal {
            // script(1) gives the command a terminal for stdin, stdout and stderr, and copies what it wrote to our stdout.
            let command = ([DaemonHarness.binary.path] + args).map { "'\($0)'" }.joined(separator: " ")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            p.arguments = ["-qefc", command, "/dev/null"]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardInput = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            r = (p.terminationStatus, "", text)
        } else {
            r = try DaemonHarness.run(args)
        }
        let records = (try? String(contentsOf: out, encoding: .utf8))?.split(separator: "\n").count ?? 0
        return (r.status, r.err, records)
    }

    func testOnceDrawsAProgressBarOnATerminalAndNothingIntoAPipe() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("script(1) is not installed") }
        let piped = try once(onATerminal: false)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.records, 25)
        XCTAssertEqual(piped.stderr, "", "nothing extra on stderr when it is not a terminal")

        let terminal = try once(onATerminal: true)
        XCTAssertEqual(terminal.status, 0, terminal.stderr)
        XCTAssertEqual(terminal.records, 25)
        XCTAssertNotNil(terminal.stderr.range(of: #"\[[#-]+\]  \d+/25  \d+\.\d docs/s  ETA "#, options: .regularExpression),
                        terminal.stderr.debugDescription)
        XCTAssertTrue(terminal.stderr.hasSuffix("\r\u{1B}[K"), "the bar is cleared at the end: \(terminal.stderr.debugDescription)")
    }
}
