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

    /// Labelled sentences (training, evaluation): the words laid out as one text, a space apart.
    static func prepare(words: [[String]], gazetteer: Gazetteer) -> EntityDocument {
        var scalars: [Unicode.Scalar] = []
        var sentences: [[TaggerTokenizer.Token]] = []
        for s in words {
            var tokens: [TaggerTokenizer.Token] = []
            for w in s {
                let start = scalars.count
                scalars.append(contentsOf: w.unicodeScalars)
                tokens.append(TaggerTokenizer.Token(start: start, end: scalars.count))
                scalars.append(" ")
            }
            sentences.append(tokens)
        }
        return prepare(scalars: scalars, sentences: sentences, gazetteer: gazetteer)
    }

    static func prepare(scalars: [Unicode.Scalar], sentences tokens: [[TaggerTokenizer.Token]], gazetteer: Gazetteer) -> EntityDocument {
        let infos = tokens.map { $0.map { TaggerFeatures.info(scalars[$0.start..<$0.end]) } }
        var matches: [GazetteerMatch] = []
        var sentences: [TaggerFeatures.SentenceContext] = []
        sentences.reserveCapacity(tokens.count)
        for (k, s) in tokens.enumerated() {
            var hits = [UInt64](repeating: 0, count: s.count)
            if !gazetteer.entities.isEmpty {
                for m in match(gazetteer, s, infos[k], scalars) {
                    matches.append(GazetteerMatch(sentence: k, first: m.first, end: m.end, entity: m.entity))
                    let type = gazetteer.entities[m.entity].type
                    for i in m.first..<m.end { hits[i] = TaggerFeatures.gazetteerHit(type: type, first: i == m.first) }
                }
            }
            sentences.append(TaggerFeatures.SentenceContext(infos[k], gazetteer: hits))
        }
        return EntityDocument(sentences: sentences, document: TaggerFeatures.DocumentContext(sentences), matches: matches)
    }

    /// The gazetteer's aliases in one sentence, longest first at each place, as `EntityRecognizer`
    /// matches them: the first word capitalized, an alias in capitals only in capitals, and an
    /// alias ending where a token ends ("U.S." is the words u, s; "People's" is people, s).
    static func match(_ gazetteer: Gazetteer, _ tokens: [TaggerTokenizer.Token], _ infos: [TaggerFeatures.TokenInfo],
                      _ scalars: [Unicode.Scalar]) -> [(first: Int, end: Int, entity: Int)] {
        var found: [(first: Int, end: Int, entity: Int)] = []
        // Only capitalized tokens and the few after them are ever split into words.
        var parts: [[String]?] = Array(repeating: nil, count: tokens.count)
        func partsOf(_ j: Int) -> [String] {
            if let p = parts[j] { return p }
            let p = Tokenizer.words(tokens[j].word(in: scalars))
            parts[j] = p
            return p
        }
        var i = 0
        while i < tokens.count {
            // Most capitalized words start no alias: a plain one is ruled out by its hash alone.
            guard infos[i].initialCapital, !infos[i].plain || gazetteer.firstWordHashes.contains(infos[i].word),
                  let head = partsOf(i).first, let aliases = gazetteer.byFirstWord[head] else { i += 1; continue }
            var matched = false
            for alias in aliases {
                if alias.acronym && !infos[i].allCaps { continue }
                var k = 0, j = i
                while k < alias.words.count, j < tokens.count {
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
                if partsOf(i).count > 1 { found += compoundParts(gazetteer, tokens[i].word(in: scalars), at: i) }
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
