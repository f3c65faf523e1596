import Foundation

/// A strict reader of the Prometheus text exposition format (0.0.4), for tests: every line must
/// be a `# HELP`, a `# TYPE`, a comment, blank, or a sample `name{label="value",…} number`;
/// anything else is an error naming the line.
public struct PrometheusText {
    public struct Sample: Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public struct Problem: Error, CustomStringConvertible {
        public var line: Int
        public var text: String
        public var reason: String
        public var description: String { "line \(line): \(reason): \(text)" }
    }

    public private(set) var samples: [Sample] = []
    /// `# TYPE` of each metric family.
    public private(set) var types: [String: String] = [:]

    public init(_ text: String) throws {
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            let problem = { (why: String) in Problem(line: i + 1, text: line, reason: why) }
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                if parts.count >= 2, parts[1] == "TYPE" {
                    guard parts.count == 4, Self.isName(parts[2]),
                          ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else { throw problem("bad TYPE line") }
                    guard types[parts[2]] == nil else { throw problem("a second TYPE for \(parts[2])") }
                    types[parts[2]] = parts[3]
                } else if parts.count >= 2, parts[1] == "HELP" {
                    guard parts.count >= 3, Self.isName(parts[2]) else { throw problem("bad HELP line") }
                }
                continue
            }
            samples.append(try Self.sample(line, problem))
        }
    }

    private static func sample(_ line: String, _ problem: (String) -> Problem) throws -> Sample {
        var rest = Substring(line)
        let name = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" })
        guard isName(name) else { throw problem("no metric name") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                guard !label.isEmpty, label.first?.isNumber == false else { throw problem("bad label name") }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw problem("expected =\" after label \(label)") }
                rest = rest.dropFirst(2)
                var value = ""
                while let c = rest.first, c != "\"" {
                    rest = rest.dropFirst()
                    if c == "\\" {
                        guard let e = rest.first else { throw problem("a label value ends in a backslash") }
                        rest = rest.dropFirst()
                        switch e {
                        case "n": value.append("\n")
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        default: throw problem("bad escape \\\(e)")
                        }
                    } else {
                        value.append(c)
                    }
                }
                guard rest.first == "\"" else { throw problem("unterminated label value") }
                rest = rest.dropFirst()
                guard labels.updateValue(value, forKey: label) == nil else { throw problem("label \(label) given twice") }
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw problem("expected , or }") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw problem("expected a space before the value") }
        let fields = rest.split(separator: " ")
        guard fields.count == 1 || fields.count == 2 else { throw problem("expected a value and an optional timestamp") }
        let text = String(fields[0])
        let value: Double
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let v = Double(text) else { throw problem("the value is not a number") }
            value = v
        }
        if fields.count == 2, Int64(fields[1]) == nil { throw problem("the timestamp is not an integer") }
        return Sample(name: name, labels: labels, value: value)
    }

    static func isName(_ s: String) -> Bool {
        guard let first = s.first, first.isLetter || first == "_" || first == ":" else { return false }
        return s.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" || $0 == ":" }
    }

    /// The one sample of `name` whose labels include `labels`; nil when none (or several) match.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { s in s.name == name && labels.allSatisfy { k, v in s.labels[k] == v } }
        return matching.count == 1 ? matching[0].value : nil
    }

    /// The sum over every sample of `name` (all label sets).
    public func total(_ name: String) -> Double {
        samples.filter { $0.name == name }.reduce(0) { $0 + $1.value }
    }
}
