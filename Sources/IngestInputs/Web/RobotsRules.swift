import Foundation

/// A site's robots.txt as RFC 9309 reads it: the group for our user-agent token (or `*`), its
/// `Allow` and `Disallow` rules with `*` and `$`, the longest match winning and `Allow` winning a
/// tie; `Crawl-delay` (not in the RFC, but widely sent) is kept as a lower bound on the delay.
public struct RobotsRules: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        var allow: Bool
        var pattern: String
    }

    var rules: [Rule]
    public var crawlDelay: Double?

    /// Everything allowed: no robots.txt (a 4xx), or an empty one.
    public static let allowAll = RobotsRules(rules: [], crawlDelay: nil)
    /// Nothing allowed: robots.txt could not be fetched (5xx, network), which RFC 9309 says to
    /// treat as a full disallow until it can be.
    public static let disallowAll = RobotsRules(rules: [Rule(allow: false, pattern: "/")], crawlDelay: nil)

    /// - Parameter agent: the product token of our User-Agent ("ingestd"), matched case-insensitively.
    public init(parsing text: String, agent: String) {
        let token = agent.lowercased()
        var groups: [(agents: [String], rules: [Rule], delay: Double?)] = []
        var inAgentLines = false
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "user-agent":
                if !inAgentLines { groups.append(([], [], nil)) }
                groups[groups.count - 1].agents.append(value.lowercased())
                inAgentLines = true
            case "allow", "disallow":
                inAgentLines = false
                guard !groups.isEmpty else { continue }
                // An empty Disallow allows everything: no rule.
                if !value.isEmpty { groups[groups.count - 1].rules.append(Rule(allow: key == "allow", pattern: value)) }
            case "crawl-delay":
                inAgentLines = false
                if !groups.isEmpty, let d = Double(value), d >= 0 { groups[groups.count - 1].delay = d }
            default:
                continue
            }
        }
        // All groups naming our token, merged; else all `*` groups.
        var chosen = groups.filter { $0.agents.contains(where: { $0 != "*" && token.hasPrefix($0) }) }
        if chosen.isEmpty { chosen = groups.filter { $0.agents.contains("*") } }
        rules = chosen.flatMap(\.rules)
        crawlDelay = chosen.compactMap(\.delay).max()
    }

    init(rules: [Rule], crawlDelay: Double?) {
        self.rules = rules
        self.crawlDelay = crawlDelay
    }

    /// Whether `path` (path and query of a URL, "/news/a?b=1") may be fetched.
    public func allows(_ path: String) -> Bool {
        var best: Rule?
        for rule in rules where Self.matches(rule.pattern, path) {
            if best == nil || rule.pattern.count > best!.pattern.count || (rule.pattern.count == best!.pattern.count && rule.allow) {
                best = rule
            }
        }
        return best?.allow ?? true
    }

    /// `*` matches any run of characters; a final `$` anchors the end; otherwise a prefix match.
    static func matches(_ pattern: String, _ path: String) -> Bool {
        let anchored = pattern.hasSuffix("$")
        let body = anchored ? String(pattern.dropLast()) : pattern
        let pieces = body.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(path)
        for (i, piece) in pieces.enumerated() {
            if i == 0 {
                guard rest.hasPrefix(piece) else { return false }
                rest = rest.dropFirst(piece.count)
            } else if i == pieces.count - 1 && anchored {
                return rest.hasSuffix(piece)
            } else if piece.isEmpty {
                continue
            } else {
                guard let r = rest.range(of: piece) else { return false }
                rest = rest[r.upperBound...]
            }
        }
        return !anchored || rest.isEmpty
    }
}
