/// A document as the tagger reads it: sentences of tokens with what their features need, the
/// document-wide word sets, and where the gazetteer's aliases occur (a feature for the tagger,
/// and the canonical name of what they cover).
struct EntityDocument {
    struct GazetteerMatch: Equatable {
        var sentence: Int
        /// Tokens `first..<end` of the sentence.
        var first: Int
        var end: Int
        var entity: Int
    }

    var sentences: [TaggerFeatures.SentenceContext]
    var document: TaggerFeatures.DocumentContext
    var matches: [GazetteerMatch]

    static func prepare(words: [[String]], gazetteer: Gazetteer) -> EntityDocument {
        let infos = words.map { $0.map(TaggerFeatures.info) }
        var matches: [GazetteerMatch] = []
        var sentences: [TaggerFeatures.SentenceContext] = []
        sentences.reserveCapacity(words.count)
        for (k, s) in words.enumerated() {
            var hits = [UInt64](repeating: 0, count: s.count)
            if !gazetteer.entities.isEmpty {
                for m in match(gazetteer, s, infos[k]) {
                    matches.append(GazetteerMatch(sentence: k, first: m.first, end: m.end, entity: m.entity))
                    let type = gazetteer.entities[m.entity].type
                    for i in m.first..<m.end { hits[i] = TaggerFeatures.gazetteerHit(type: type, first: i == m.first) }
                }
            }
            sentences.append(TaggerFeatures.SentenceContext(infos[k], gazetteer: hits))
        }
        return EntityDocument(sentences: sentences, document: TaggerFeatures.DocumentContext(infos), matches: matches)
    }

    /// The gazetteer's aliases in one sentence, longest first at each place, as `EntityRecognizer`
    /// matches them: the first word capitalized, an alias in capitals only in capitals, and an
    /// alias ending where a token ends ("U.S." is the words u, s; "People's" is people, s).
    static func match(_ gazetteer: Gazetteer, _ words: [String], _ infos: [TaggerFeatures.TokenInfo])
        -> [(first: Int, end: Int, entity: Int)] {
        var found: [(first: Int, end: Int, entity: Int)] = []
        var parts: [Int: [String]] = [:]
        func partsOf(_ j: Int) -> [String] {
            if let p = parts[j] { return p }
            let p = Tokenizer.words(words[j])
            parts[j] = p
            return p
        }
        var i = 0
        while i < words.count {
            guard infos[i].initialCapital, let head = partsOf(i).first, let aliases = gazetteer.byFirstWord[head] else { i += 1; continue }
            var matched = false
            for alias in aliases {
                if alias.acronym && !infos[i].allCaps { continue }
                var k = 0, j = i
                while k < alias.words.count, j < words.count {
                    let p = partsOf(j)
                    guard !p.isEmpty, k + p.count <= alias.words.count, alias.words[k..<(k + p.count)].elementsEqual(p) else { break }
                    k += p.count
                    j += 1
                }
                if k == alias.words.count {
                    found.append((i, j, alias.entity))
                    i = j
                    matched = true
                    break
                }
            }
            if !matched {
                found += compoundParts(gazetteer, words[i], at: i)
                i += 1
            }
        }
        return found
    }

    /// "US-DPRK talks", "the Trump-Kim summit": a hyphenated compound of names the gazetteer
    /// knows names each of them (the tagger, trained on whole tokens, would see one odd name).
    static func compoundParts(_ gazetteer: Gazetteer, _ word: String, at i: Int) -> [(first: Int, end: Int, entity: Int)] {
        guard word.contains("-") else { return [] }
        var found: [(first: Int, end: Int, entity: Int)] = []
        for piece in word.split(separator: "-") {
            guard let f = piece.unicodeScalars.first, f.properties.isUppercase else { continue }
            let words = Tokenizer.words(String(piece))
            guard let head = words.first, let aliases = gazetteer.byFirstWord[head] else { continue }
            let caps = !piece.unicodeScalars.contains { $0.properties.isLowercase }
            if let alias = aliases.first(where: { $0.words == words && (!$0.acronym || caps) }) {
                found.append((i, i + 1, alias.entity))
            }
        }
        return found
    }
}
