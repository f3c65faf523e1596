import Foundation

/// The report of `ingestd test`: ✓ or ✗ per case, and for a failure each field with what was
/// expected (-) and what came out (+).
struct TestReport {
    var style: TerminalStyle

    func header(file: URL, pipeline: URL, cases: Int) -> String {
        style.paint(file.path, "1") + style.dim("  (\(cases) case\(cases == 1 ? "" : "s") on \(pipeline.lastPathComponent))") + "\n"
    }

    func render(_ result: PipelineTestRunner.CaseResult, file: URL) -> String {
        let c = result.testCase
        guard !result.passed else { return "  " + style.paint("✓", "32") + " " + c.name + "\n" }
        var out = "  " + style.paint("✗", "31") + " " + c.name + style.dim("  (\(file.lastPathComponent):\(c.line))") + "\n"
        for (input, mismatch) in result.failures {
            let which = c.inputs.count > 1 ? "input \(input + 1) (\(c.inputs[input].name)): " : ""
            out += "      " + which + mismatch.subject + "\n"
            out += "        " + style.paint("- expected: " + mismatch.expected, "31") + "\n"
            out += "        " + style.paint("+ actual:   " + mismatch.actual, "32") + "\n"
        }
        return out
    }

    func footer(total: Int, failed: Int) -> String {
        let summary = "\(total - failed) passed, \(failed) failed"
        return (failed == 0 ? style.paint(summary, "32") : style.paint(summary, "31")) + "\n"
    }
}
