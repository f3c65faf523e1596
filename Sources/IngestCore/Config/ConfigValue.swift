import Foundation
import Yams

/// A value from the pipeline file with its position, read through typed accessors that report
/// a located problem instead of failing.
public struct ConfigValue {
    public let node: Node
    public let path: String
    let diagnostics: ConfigDiagnostics

    init(node: Node, path: String, diagnostics: ConfigDiagnostics) {
        self.node = node
        self.path = path
        self.diagnostics = diagnostics
    }

    /// The folder of the file this value was read from, against which the paths it names resolve.
    public var fileDirectory: URL? { diagnostics.fileDirectory }

    /// The value re-serialized as YAML: equal for equal content, wherever and however it was
    /// laid out in the file.
    public var canonicalText: String { (try? Yams.serialize(node: node)) ?? "" }

    public var line: Int { node.mark?.line ?? 1 }
    public var column: Int { node.mark?.column ?? 1 }

    public func error(_ message: String) {
        diagnostics.report("\(path): \(message)", line: line, column: column)
    }

    private var kindName: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s): return s.string.isEmpty ? "an empty value" : "'\(s.string)'"
        case .alias: return "an alias"
        }
    }

    /// The text of a scalar, or nil (with a problem reported) for lists and mappings.
    public func scalarText(expecting what: String) -> String? {
        if case .scalar(let s) = node { return s.string }
        error("expected \(what), found \(kindName)")
        return nil
    }

    public var isNull: Bool {
        if case .scalar(let s) = node, s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) { return true }
        return false
    }

    public func string() -> String? {
        guard let s = scalarText(expecting: "a string") else { return nil }
        if s.isEmpty { error("expected a non-empty string"); return nil }
        return s
    }

    public func int(in range: ClosedRange<Int>? = nil) -> Int? {
        guard let s = scalarText(expecting: "an integer") else { return nil }
        guard let v = Int(s.replacingOccurrences(of: "_", with: "")) else {
            error("expected an integer, found '\(s)'")
            return nil
        }
        if let range, !range.contains(v) {
            error("must be between \(range.lowerBound) and \(range.upperBound), found \(v)")
            return nil
        }
        return v
    }

    public func double(in range: ClosedRange<Double>? = nil) -> Double? {
        guard let s = scalarText(expecting: "a number") else { return nil }
        guard let v = Double(s), v.isFinite else {
            error("expected a number, found '\(s)'")
            return nil
        }
        if let range, !range.contains(v) {
            error("must be between \(range.lowerBound) and \(range.upperBound), found \(s)")
            return nil
        }
        return v
    }

    public func bool() -> Bool? {
        guard let s = scalarText(expecting: "true or false") else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            error("expected true or false, found '\(s)'")
            return nil
        }
    }

    /// "250ms", "10s", "1.5m", "2h", "30d", or a bare number of seconds.
    public func duration(in range: ClosedRange<Double>? = nil) -> Double? {
        guard let s = scalarText(expecting: "a duration such as 10s") else { return nil }
        guard let v = Quantity.seconds(s) else {
            error("expected a duration such as 500ms, 10s, 5m, 1h or 30d, found '\(s)'")
            return nil
        }
        if let range, !range.contains(v) {
            error("must be between \(range.lowerBound)s and \(range.upperBound)s, found '\(s)'")
            return nil
        }
        return v
    }

    /// "20MB" (10^6), "20MiB" (2^20), "512KB", "1GB", or a bare number of bytes.
    public func byteSize(in range: ClosedRange<Int>? = nil) -> Int? {
        guard let s = scalarText(expecting: "a size such as 20MB") else { return nil }
        guard let v = Quantity.bytes(s) else {
            error("expected a size such as 512KB, 20MB, 20MiB or 1GB, found '\(s)'")
            return nil
        }
        if let range, !range.contains(v) {
            error("must be between \(range.lowerBound) and \(range.upperBound) bytes, found '\(s)'")
            return nil
        }
        return v
    }

    public func oneOf(_ choices: [String]) -> String? {
        guard let s = scalarText(expecting: "one of \(choices.joined(separator: ", "))") else { return nil }
        guard choices.contains(s) else {
            let hint = Suggestion.closest(to: s, in: choices).map { " (did you mean '\($0)'?)" } ?? ""
            error("'\(s)' is not one of \(choices.joined(separator: ", "))\(hint)")
            return nil
        }
        return s
    }

    public func list() -> [ConfigValue]? {
        guard case .sequence(let seq) = node else {
            if isNull { return [] }
            error("expected a list, found \(kindName)")
            return nil
        }
        return seq.enumerated().map { ConfigValue(node: $1, path: "\(path)[\($0)]", diagnostics: diagnostics) }
    }

    public func stringList() -> [String]? {
        guard let items = list() else { return nil }
        let strings = items.compactMap { $0.string() }
        return strings.count == items.count ? strings : nil
    }

    public func map() -> ConfigMap? {
        guard case .mapping(let m) = node else {
            if isNull { return ConfigMap(empty: path, mark: node.mark, diagnostics: diagnostics) }
            error("expected a mapping of keys to values, found \(kindName)")
            return nil
        }
        return ConfigMap(mapping: m, path: path, mark: node.mark, diagnostics: diagnostics)
    }
}

enum Quantity {
    static func seconds(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, factor) in units where s.hasSuffix(suffix) {
            guard let v = Double(s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite else { return nil }
            return v * factor
        }
        guard let v = Double(s), v >= 0, v.isFinite else { return nil }
        return v
    }

    static func bytes(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
            ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
        ]
        for (suffix, factor) in units where s.uppercased().hasSuffix(suffix.uppercased()) && (suffix.count == 3 ? s.hasSuffix(suffix) : true) {
            guard let v = Double(s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite else { return nil }
            let bytes = v * Double(factor)
            return bytes < Double(Int.max) ? Int(bytes) : nil
        }
        return Int(s.replacingOccurrences(of: "_", with: "")).flatMap { $0 >= 0 ? $0 : nil }
    }
}
