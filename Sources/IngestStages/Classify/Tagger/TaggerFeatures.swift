/// The tagger's features, each a 64-bit hash of a template number and the values it combines,
/// never a string: the word and its neighbours, word shape ("Xx-Xx", "X.X.", "dddd-dd-dd"),
/// prefixes and suffixes, sentence position, an ALL-CAPS sentence (wire headlines and
/// datelines), whether the document also writes the word in lower case or capitalized in mid
/// sentence, gazetteer membership, and the two tags decided before. Bump `version` whenever a
/// template changes: a model trained on other features is refused, not misread.
enum TaggerFeatures {
    static let version: UInt32 = 1

    /// What one token contributes to the features of itself and its neighbours.
    struct TokenInfo {
        var word: UInt64 = 0
        var shape: UInt64 = 0
        var prefixes: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var suffixes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var hasUpper = false
        var initialCapital = false
        var allCaps = false
        var hasLetter = false
        /// Letters and digits only: the word is its own single lower-case word for gazetteer look-ups.
        var plain = true
    }

    /// Which words a whole document writes how: a capitalized word the document also writes in
    /// lower case is likely an ordinary word opening a sentence; one it writes capitalized in mid
    /// sentence is likely a name, even in an ALL-CAPS headline.
    struct DocumentContext {
        var lowerCase = WordSet()
        var capitalizedMidSentence = WordSet()

        init(_ sentences: [SentenceContext]) {
            for sentence in sentences {
                let s = sentence.tokens, caps = sentence.allCaps == 1
                for (i, t) in s.enumerated() where t.hasLetter {
                    if !t.hasUpper { lowerCase.insert(t.word) } else if i > 0, t.initialCapital, !t.allCaps, !caps {
                        capitalizedMidSentence.insert(t.word)
                    }
                }
            }
        }
    }

    /// A set of word hashes: open addressing over the hashes themselves (already uniform), a
    /// few times cheaper than `Set<UInt64>`'s seeded SipHash for a thousand words a document.
    struct WordSet {
        private var slots = [UInt64](repeating: 0, count: 64)
        private var count = 0

        func contains(_ word: UInt64) -> Bool {
            let key = word | 1, mask = slots.count - 1
            var i = Int(truncatingIfNeeded: key >> 7) & mask
            while slots[i] != 0 {
                if slots[i] == key { return true }
                i = (i + 1) & mask
            }
            return false
        }

        mutating func insert(_ word: UInt64) {
            if (count + 1) * 2 > slots.count {
                let old = slots
                slots = [UInt64](repeating: 0, count: old.count * 2)
                count = 0
                for k in old where k != 0 { place(k) }
            }
            place(word | 1)
        }

        private mutating func place(_ key: UInt64) {
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: key >> 7) & mask
            while slots[i] != 0 {
                if slots[i] == key { return }
                i = (i + 1) & mask
            }
            slots[i] = key
            count += 1
        }
    }

    static let staticCount = 30

    static func info(_ word: String) -> TokenInfo {
        let scalars = Array(word.unicodeScalars)
        return info(scalars[...])
    }

    /// One pass over the token's scalars, nothing allocated (but for a non-ASCII capital's
    /// lower case): the word's hash, its shape, three prefixes and four suffixes.
    static func info(_ word: ArraySlice<Unicode.Scalar>) -> TokenInfo {
        var t = TokenInfo()
        var h = fnvBasis
        var shape = fnvBasis
        var lastClass: UInt32 = 0, run = 0
        var letters = 0, upper = 0
        var p0 = fnvBasis, p1 = fnvBasis, p2 = fnvBasis
        // The last four lower-cased scalars, the latest in l0.
        var l0: UInt32 = 0, l1: UInt32 = 0, l2: UInt32 = 0, l3: UInt32 = 0
        var k = 0
        for u in word {
            var v = u.value
            let cls: UInt32
            if v < 0x80 {
                if v >= 0x41 && v <= 0x5A { cls = 1; v |= 0x20 } else if v >= 0x61 && v <= 0x7A { cls = 2 } else if v >= 0x30 && v <= 0x39 { cls = 3 } else { cls = 0x100 + v }
            } else {
                switch ScalarClasses.tokenClass(v) {
                case .upperWord:
                    cls = 1
                    v = Character(u).lowercased().unicodeScalars.first?.value ?? v
                case .word: cls = ScalarClasses.isAlphabetic(v) ? 2 : 3
                default: cls = 0x100 + v
                }
            }
            if cls >= 0x100 { t.plain = false }
            if cls == 1 { upper += 1; letters += 1; if k == 0 { t.initialCapital = true } }
            if cls == 2 { letters += 1 }
            // Shape: runs of a class written once, twice at most ("Xx", "XX", "dd-dd").
            if cls == lastClass { run += 1 } else { run = 1; lastClass = cls }
            if run <= 2 { shape = fnv(shape, cls) }
            h = fnv(h, v)
            switch k {
            case 0: p0 = h; p1 = h; p2 = h
            case 1: p1 = h; p2 = h
            case 2: p2 = h
            default: break
            }
            l3 = l2; l2 = l1; l1 = l0; l0 = v
            k += 1
        }
        t.word = h
        t.shape = shape
        t.hasUpper = upper > 0
        t.hasLetter = letters > 0
        t.allCaps = letters > 0 && upper == letters
        t.prefixes = (p0, p1, p2)
        let s1 = k >= 1 ? fnv(fnvBasis, l0) : fnvBasis
        let s2 = k >= 2 ? fnv(s1, l1) : s1
        let s3 = k >= 3 ? fnv(s2, l2) : s2
        let s4 = k >= 4 ? fnv(s3, l3) : s3
        t.suffixes = (s1, s2, s3, s4)
        return t
    }

    /// A headline or dateline in capitals: most of its words ALL CAPS.
    static func isAllCapsSentence(_ s: [TokenInfo]) -> Bool {
        var words = 0, caps = 0
        for t in s where t.hasLetter {
            words += 1
            if t.allCaps { caps += 1 }
        }
        return caps > 0 && Double(caps) >= 0.7 * Double(words) && !(words == 1 && s.count > 3)
    }

    /// What the features of a sentence's tokens need besides the tokens.
    struct SentenceContext {
        var tokens: [TokenInfo]
        /// The gazetteer hit covering each token (`gazetteerHit`), 0 for none.
        var gazetteer: [UInt64]
        var allCaps: UInt64

        init(_ tokens: [TokenInfo], gazetteer: [UInt64]) {
            self.tokens = tokens
            self.gazetteer = gazetteer
            allCaps = TaggerFeatures.isAllCapsSentence(tokens) ? 1 : 0
        }
    }

    /// A gazetteer hit as a feature value: the entity type and whether the token opens the alias.
    static func gazetteerHit(type: String, first: Bool) -> UInt64 {
        var h = fnvBasis
        for u in type.unicodeScalars { h = fnv(h, u.value) }
        return mix(h, first ? 1 : 2)
    }

    /// The tag-independent features of token i, `staticCount` of them, written from `out`.
    @inline(__always)
    static func token(_ i: Int, _ c: SentenceContext, _ document: DocumentContext, into out: UnsafeMutablePointer<UInt64>) {
        let s = c.tokens
        let start: UInt64 = 0x5354_4152_5400, end: UInt64 = 0x454E_4400
        let t = s[i]
        let w1 = i > 0 ? s[i - 1].word : start, w2 = i > 1 ? s[i - 2].word : start
        let n1 = i + 1 < s.count ? s[i + 1].word : end, n2 = i + 2 < s.count ? s[i + 2].word : end
        let sh1 = i > 0 ? s[i - 1].shape : start, shn1 = i + 1 < s.count ? s[i + 1].shape : end
        let g1 = i > 0 ? c.gazetteer[i - 1] : 0, gn1 = i + 1 < s.count ? c.gazetteer[i + 1] : 0
        let seenLower: UInt64 = t.hasUpper && document.lowerCase.contains(t.word) ? 1 : 0
        let seenCap: UInt64 = t.hasUpper && document.capitalizedMidSentence.contains(t.word) ? 1 : 0
        let caps = c.allCaps
        out[0] = mix(0, 0)
        out[1] = mix(1, t.word)
        out[2] = mix(2, t.shape)
        out[3] = mix(3, t.prefixes.0); out[4] = mix(4, t.prefixes.1); out[5] = mix(5, t.prefixes.2)
        out[6] = mix(6, t.suffixes.0); out[7] = mix(7, t.suffixes.1); out[8] = mix(8, t.suffixes.2); out[9] = mix(9, t.suffixes.3)
        out[10] = mix(10, w1); out[11] = mix(11, n1); out[12] = mix(12, w2); out[13] = mix(13, n2)
        out[14] = mix(14, sh1); out[15] = mix(15, shn1)
        out[16] = mix(mix(16, sh1), t.shape); out[17] = mix(mix(17, t.shape), shn1)
        out[18] = mix(mix(18, w1), t.word); out[19] = mix(mix(19, t.word), n1)
        out[20] = mix(mix(20, i == 0 ? 1 : 0), t.shape)
        out[21] = mix(mix(21, caps), t.shape)
        out[22] = mix(mix(22, caps), t.word)
        out[23] = mix(mix(23, seenLower), t.shape)
        out[24] = mix(mix(24, seenCap), t.shape)
        out[25] = mix(25, c.gazetteer[i]); out[26] = mix(26, g1); out[27] = mix(27, gn1)
        out[28] = mix(mix(28, w1), t.shape)
        out[29] = mix(mix(29, t.shape), n1)
    }

    /// The features that depend on the tags decided before token i.
    @inline(__always)
    static func history(previous: EntityTag, beforeThat: EntityTag, _ t: TokenInfo) -> (UInt64, UInt64, UInt64, UInt64) {
        let p = UInt64(previous.rawValue), pp = UInt64(beforeThat.rawValue)
        return (mix(40, p), mix(mix(41, pp), p), mix(mix(42, p), t.word), mix(mix(43, p), t.shape))
    }

    /// Whether token i is scored at all: a name starts with a capital (or goes on after one), so
    /// a lower-case word after `O` is `O` without looking; three words in four of running text are.
    @inline(__always)
    static func needsScoring(_ t: TokenInfo, previous: EntityTag) -> Bool {
        t.hasUpper || previous != .outside
    }

    static let fnvBasis: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always) static func fnv(_ h: UInt64, _ v: UInt32) -> UInt64 {
        var h = h
        h = (h ^ UInt64(v & 0xFF)) &* 0x100_0000_01B3
        h = (h ^ UInt64(v >> 8)) &* 0x100_0000_01B3
        return h
    }

    /// SplitMix64 over a running combination (`MinHashSignature.splitmix`, as dedupe and the
    /// classifier hash): stable across runs and machines (Swift's `Hasher` is seeded per process),
    /// so a model file means the same everywhere.
    @inline(__always) static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        MinHashSignature.splitmix((a &* 0x9E37_79B9_7F4A_7C15) ^ b)
    }
}
