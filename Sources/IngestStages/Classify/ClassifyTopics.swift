import Foundation

/// A word-and-phrase taxonomy: each topic has terms (a single word or a multi-word phrase) with weights.
public struct Taxonomy: Sendable, Equatable {
    public struct Term: Sendable, Equatable {
        /// A single word ("sanction") or a phrase ("north korea"); tokenized with `Tokenizer.words`.
        public var phrase: String
        public var weight: Double
        public init(phrase: String, weight: Double = 1) {
            self.phrase = phrase
            self.weight = weight
        }
    }

    public struct Topic: Sendable, Equatable {
        public var name: String
        public var terms: [Term]
        /// Per-topic override of `Taxonomy.threshold`.
        public var threshold: Double?
        /// Words or phrases of which at least one must occur for the topic to be reported
        /// ("sanctions" only with "korea" or "pyongyang" somewhere); empty means no condition.
        public var require: [String] = []
        /// Words or phrases whose presence keeps the topic out ("missile" but not "football").
        public var exclude: [String] = []
        public init(name: String, terms: [Term], threshold: Double? = nil, require: [String] = [], exclude: [String] = []) {
            self.name = name
            self.terms = terms
            self.threshold = threshold
            self.require = require
            self.exclude = exclude
        }
        /// Convenience: `Topic(name: "x", weightedTerms: [("war", 2), ("peace talks", 1.5)])`.
        public init(name: String, weightedTerms: [(String, Double)], threshold: Double? = nil) {
            self.init(name: name, terms: weightedTerms.map { Term(phrase: $0.0, weight: $0.1) }, threshold: threshold)
        }
    }

    public var topics: [Topic]
    /// Minimum score for a topic to be reported (unless the topic has its own threshold).
    public var threshold: Double

    public init(topics: [Topic], threshold: Double) {
        self.topics = topics
        self.threshold = threshold
    }
}

public struct TopicScore: Sendable, Equatable {
    public var name: String
    public var score: Double
    public init(name: String, score: Double) {
        self.name = name
        self.score = score
    }
}

/// Scores documents against a `Taxonomy`.
///
/// Scoring rule, per topic:
///
///     score = Σ over the topic's terms with count ≥ 1 of  weight × (1 + ln(count))
///
/// where `count` is the number of occurrences of the term's token sequence in the document tokens
/// (whole-token match on `Tokenizer.words` output, so "war" never matches inside "warning";
/// phrases must appear as consecutive tokens). The score is rounded to 3 decimals and the topic is
/// reported when `score >= (topic.threshold ?? taxonomy.threshold)`.
///
/// Inflection tolerance, for single-word terms of at least 3 characters only: the term also
/// matches the token with "s", "es", "ed" or "ing" appended; a term ending in "y" also matches
/// "…ies"/"…ied"; a term ending in "e" also matches "…ed"→"…d" and "…ing" without the "e"
/// ("trade" → "traded", "trading"). A variant that is itself an exact single-word term of the
/// same topic is left to that term, so one token never counts twice for two spellings.
/// Overlapping terms (say "korea" and "north korea") each count: that is the Σ above.
///
/// A topic with `require` terms is reported only when one of them occurs, and one with
/// `exclude` terms only when none does (matched the same way; they add nothing to the score).
///
/// Cost: one dictionary lookup per document token (keyed by a term's first token), plus a short
/// comparison for multi-word candidates — O(tokens), independent of the number of terms.
public final class TopicMatcher: Sendable {
    struct Candidate: Sendable {
        let term: Int          // index into termWeights / termTopic
        let rest: [String]     // tokens after the first (empty for single words)
    }

    enum Role: Sendable { case weighted, required, excluded }

    private let index: [String: [Candidate]]
    private let termWeights: [Double]
    private let termTopic: [Int]
    private let termRole: [Role]
    private let topicNames: [String]
    private let topicThresholds: [Double]
    /// The most tokens after the first in any phrase term.
    private let longestRest: Int

    public init(taxonomy: Taxonomy) {
        var index: [String: [Candidate]] = [:]
        var weights: [Double] = []
        var owners: [Int] = []
        var roles: [Role] = []
        var names: [String] = []
        var thresholds: [Double] = []

        for (t, topic) in taxonomy.topics.enumerated() {
            names.append(topic.name)
            thresholds.append(topic.threshold ?? taxonomy.threshold)
            let all = topic.terms.map { ($0.phrase, $0.weight, Role.weighted) }
                + topic.require.map { ($0, 0.0, Role.required) } + topic.exclude.map { ($0, 0.0, Role.excluded) }
            let tokenized = all.map { Tokenizer.words($0.0) }
            let exactSingles = Set(zip(tokenized, all).compactMap { $0.count == 1 && $1.2 == .weighted ? $0[0] : nil })
            for (j, toks) in tokenized.enumerated() where !toks.isEmpty {
                let termID = weights.count
                weights.append(all[j].1)
                owners.append(t)
                roles.append(all[j].2)
                if toks.count == 1 {
                    let w = toks[0]
                    index[w, default: []].append(Candidate(term: termID, rest: []))
                    for v in TopicMatcher.variants(of: w) where v != w && (all[j].2 != .weighted || !exactSingles.contains(v)) {
                        index[v, default: []].append(Candidate(term: termID, rest: []))
                    }
                } else {
                    index[toks[0], default: []].append(Candidate(term: termID, rest: Array(toks.dropFirst())))
                }
            }
        }
        self.index = index
        self.termWeights = weights
        self.termTopic = owners
        self.termRole = roles
        self.topicNames = names
        self.topicThresholds = thresholds
        self.longestRest = index.values.joined().map(\.rest.count).max() ?? 0
    }

    /// Inflected forms accepted for a single-word term (see the type's documentation).
    static func variants(of w: String) -> Set<String> {
        var out: Set<String> = [w]
        guard w.count >= 3, w.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic }) else { return out }
        out.insert(w + "s")
        out.insert(w + "es")
        out.insert(w + "ed")
        out.insert(w + "ing")
        if w.hasSuffix("y") {
            let stem = w.dropLast()
            out.insert(stem + "ies")
            out.insert(stem + "ied")
        }
        if w.hasSuffix("e") {
            out.insert(w + "d")
            out.insert(w.dropLast() + "ing")
        }
        return out
    }

    /// Topic scores for a tokenized document (tokens from `Tokenizer.words`), sorted by score
    /// descending then name ascending; only topics at or above their threshold.
    public func score(tokens: [String]) -> [TopicScore] {
        if topicNames.isEmpty || tokens.isEmpty { return [] }
        var counter = TermCounter(self)
        for token in tokens { counter.add(token) }
        return scores(counter.finish())
    }

    /// Scores the tokens of `title` followed by those of `text`, as `score(tokens:)` would, but
    /// reading them as the tokenizer hands them out: an array of every token of a 250 MB text
    /// took several times the text's size.
    public func score(title: String?, text: String) -> [TopicScore] {
        if topicNames.isEmpty { return [] }
        var counter = TermCounter(self)
        if let title { Tokenizer.scan(title, into: &counter) }
        Tokenizer.scan(text, into: &counter)
        return scores(counter.finish())
    }

    /// Term occurrence counts over a stream of tokens. A phrase candidate at a token is judged once
    /// the phrase's length in further tokens has arrived (or the stream has ended), from a ring of
    /// the last few tokens: memory is bounded by the longest phrase, not by the document.
    struct TermCounter: Tokenizer.Sink {
        static var wantsPunctuation: Bool { false }
        let matcher: TopicMatcher
        var counts: [Int]
        /// The last `ring.count` tokens; token `p` is at `ring[p % ring.count]`.
        var ring: [String]
        /// Tokens seen so far.
        var seen = 0

        init(_ matcher: TopicMatcher) {
            self.matcher = matcher
            counts = [Int](repeating: 0, count: matcher.termWeights.count)
            ring = [String](repeating: "", count: matcher.longestRest + 1)
        }

        mutating func token(_ bytes: UnsafeBufferPointer<UInt8>) { add(String(decoding: bytes, as: UTF8.self)) }
        func punctuation(_ bytes: UnsafeBufferPointer<UInt8>) {}

        mutating func add(_ token: String) {
            ring[seen % ring.count] = token
            seen += 1
            // The token `longestRest` back now has all the tokens any of its phrases can need.
            let ready = seen - ring.count
            if ready >= 0 { judge(ready) }
        }

        mutating func finish() -> [Int] {
            for p in max(0, seen - ring.count + 1)..<seen { judge(p) }
            return counts
        }

        private mutating func judge(_ i: Int) {
            guard let cands = matcher.index[ring[i % ring.count]] else { return }
            for c in cands {
                if c.rest.isEmpty {
                    counts[c.term] += 1
                } else if i + c.rest.count < seen {
                    var ok = true
                    var k = 0
                    for r in c.rest {
                        k += 1
                        if ring[(i + k) % ring.count] != r { ok = false; break }
                    }
                    if ok { counts[c.term] += 1 }
                }
            }
        }
    }

    private func scores(_ counts: [Int]) -> [TopicScore] {
        var sums = [Double](repeating: 0, count: topicNames.count)
        var hit = [Bool](repeating: false, count: topicNames.count)
        var needs = [Bool](repeating: false, count: topicNames.count)
        var met = [Bool](repeating: false, count: topicNames.count)
        var excluded = [Bool](repeating: false, count: topicNames.count)
        for (term, role) in termRole.enumerated() where role == .required { needs[termTopic[term]] = true }
        for (term, count) in counts.enumerated() where count > 0 {
            let t = termTopic[term]
            switch termRole[term] {
            case .weighted:
                sums[t] += termWeights[term] * (1 + log(Double(count)))
                hit[t] = true
            case .required: met[t] = true
            case .excluded: excluded[t] = true
            }
        }
        var result: [TopicScore] = []
        for t in 0..<topicNames.count where hit[t] && !excluded[t] && (!needs[t] || met[t]) {
            let s = (sums[t] * 1000).rounded() / 1000
            if s >= topicThresholds[t] {
                result.append(TopicScore(name: topicNames[t], score: s))
            }
        }
        result.sort { $0.score != $1.score ? $0.score > $1.score : $0.name < $1.name }
        return result
    }

    /// Convenience: tokenize `text` with `Tokenizer.words` and score it.
    public func score(text: String) -> [TopicScore] {
        score(title: nil, text: text)
    }
}
