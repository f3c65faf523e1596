import Foundation

/// One problem in a pipeline file, located as editors and compilers do: `FILE:LINE:COL: message`.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(file):\(line):\(column): \(message)" }

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }
}

/// Raised when a pipeline file has problems; carries all of them, not just the first.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigIssue]
    public init(issues: [ConfigIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// Collects problems while a pipeline file is read, so one run reports them all.
public final class ConfigDiagnostics {
    public let file: String
    /// The folder of the file: data files it names (gazetteers) resolve against it, so they can
    /// sit beside the pipeline file whatever the data directory is.
    public let fileDirectory: URL?
    public private(set) var issues: [ConfigIssue] = []

    public init(file: String, fileDirectory: URL? = nil) {
        self.file = file
        self.fileDirectory = fileDirectory
    }

    public func report(_ message: String, line: Int, column: Int) {
        issues.append(ConfigIssue(file: file, line: line, column: column, message: message))
    }

    /// Takes over the problems found in a file this one refers to (each keeps its own file name).
    public func absorb(_ other: ConfigDiagnostics) {
        issues.append(contentsOf: other.issues)
    }
}

enum Suggestion {
    /// The closest candidate within a small edit distance, for "did you mean" hints.
    static func closest(to word: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        for c in candidates {
            let d = distance(word.lowercased(), c.lowercased())
            if d <= max(2, c.count / 3), d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        return best?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrev = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    cur[j] = min(cur[j], beforePrev[j - 2] + 1)  // a swapped pair of letters
                }
            }
            (beforePrev, prev, cur) = (prev, cur, beforePrev)
        }
        return prev[b.count]
    }
}
