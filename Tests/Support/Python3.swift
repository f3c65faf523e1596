import Foundation

/// The Python interpreter itself, for tests that spawn Python plugins: `python3` on PATH may be
/// a version manager's shell shim, which adds its own variables and a shell's start-up to every
/// spawn.
public enum Python3 {
    public static let executable: String = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sys; print(sys.executable)"]
        let out = Pipe()
        p.standardOutput = out
        try? p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "python3" : text
    }()
}
