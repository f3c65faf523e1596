import Foundation

/// A text as a sparse TF-IDF vector over its terms: word unigrams, optionally word bigrams, and
/// optionally runs of punctuation, each hashed to a 64-bit key ("the hashing trick" without the
/// folding: the model keeps the keys its training texts used, so two terms share a weight only if
/// their 64-bit hashes are equal). Tokens are `Tokenizer`'s.
public enum HashedFeatures {
    /// Model formats 1 to 3 folded every key into 2^18 slots (the key's low 18 bits); such a model
    /// still predicts by folding a text's keys the same way.
    public static let legacySlots = 1 << 18
    public static let legacyKeyMask = UInt64(legacySlots - 1)
    /// Set in a bigram's key, clear in every other, so training can leave the bigrams out without
    /// counting the texts again. Below it, the folded keys of legacy models are what they were.
    static let bigramBit: UInt64 = 1 << 63

    /// What a model counts; it keeps its choice in the model file.
    public struct Kinds: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Each run of punctuation between words or spaces as a term of its own (`."`, `“`, `/.`,
        /// `--`). How a text punctuates is a signal that word features cannot see (curly or
        /// straight quotes, dashes, a wire service's dateline marks); on the nine-outlet dev set
        /// it raised accuracy from 0.856 to 0.894, and it left the topic sets as they were.
        public static let punctuation = Kinds(rawValue: 1)
        /// Pairs of adjacent words.
        public static let bigrams = Kinds(rawValue: 2)
        /// What models of formats 1 and 2 counted (and format 3's kinds 0): unigrams and bigrams.
        public static let legacyWords: Kinds = [.bigrams]
    }

    public struct Vector: Sendable {
        public var indices: [Int32]
        public var values: [Float]
    }

    /// A text's distinct term keys (ascending) and how often each occurs.
    public static func counts(_ text: String, kinds: Kinds, keyMask: UInt64 = ~0) -> (keys: [UInt64], counts: [Float]) {
        var keys: [UInt64] = [], counts: [Float] = []
        for key in self.keys(text, kinds: kinds, keyMask: keyMask).sorted() {
            if let last = keys.last, last == key { counts[counts.count - 1] += 1 } else { keys.append(key); counts.append(1) }
        }
        return (keys, counts)
    }

    /// A text's term keys in order, each as often as it occurs.
    static func keys(_ text: String, kinds: Kinds, keyMask: UInt64) -> [UInt64] {
        var sink = Keys(kinds: kinds, mask: keyMask)
        sink.keys.reserveCapacity(text.utf8.count / 3)
        Tokenizer.scan(text, into: &sink)
        return sink.keys
    }

    /// Every term of a set of training texts, numbered in order of first sighting, with how many
    /// texts have each, and each text's terms as a row: term numbers (in order of first sighting
    /// in the text) and counts.
    struct Vocabulary {
        var terms: [UInt64] = []
        var documentFrequency: [Int32] = []
        var texts = SparseRows()
    }

    static func vocabulary(_ texts: [String], kinds: Kinds) -> Vocabulary {
        var vocabulary = Vocabulary()
        var table = CountingTable()
        var sink = Keys(kinds: kinds, mask: ~0)
        var distinct: [Int] = []
        // A guess at the entries (about one distinct term per 6 bytes of English), to spare most
        // of the regrowth of the flat arrays.
        vocabulary.texts = SparseRows(rows: texts.count, entries: texts.reduce(0) { $0 + $1.utf8.count } / 6)
        // Texts are tokenized in batches, their keys one after another, so that the cells of a
        // text's first keys are asked for while the previous text's last keys are counted: short
        // texts have few keys each, and a prefetch that stopped at the end of a text missed many.
        var ends: [Int] = []
        var next = 0
        while next < texts.count {
            sink.keys.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            let batch = next..<min(next + Self.batch, texts.count)
            for t in batch {
                sink.previous = nil
                Tokenizer.scan(texts[t], into: &sink)
                ends.append(sink.keys.count)
            }
            next = batch.upperBound
            table.reserve(sink.keys.count)
            var from = 0
            for end in ends {
                distinct.removeAll(keepingCapacity: true)
                table.tally(sink.keys, from..<end, newTerms: &vocabulary.terms, distinct: &distinct)
                table.take(distinct, into: vocabulary.texts)
                from = end
            }
        }
        vocabulary.documentFrequency = table.documentFrequencies(terms: vocabulary.terms.count)
        return vocabulary
    }

    /// Texts tokenized at a time by `vocabulary`.
    static let batch = 64

    /// The vocabulary's own hash table: each cell holds a term's number and, next to it, its
    /// count in the current text and its document frequency, so the one cache miss a lookup
    /// costs on a large vocabulary pays for all three (in three arrays they were three misses,
    /// and most of the time of counting 96,000 texts). It may be three quarters full: fewer cells
    /// miss the caches less often, and counting 120,000 texts of 215 bytes (1.27 million terms)
    /// took 0.35 s instead of 0.41 s at half full. (Cells of 16 bytes, with the document
    /// frequencies counted afterwards, were no faster.)
    private struct CountingTable {
        struct Cell: KeyedCell {
            var key: UInt64 = 0
            /// -1 marks a vacant cell.
            var id: Int32 = -1
            var tally: Int32 = 0
            var df: Int32 = 0
            var isTaken: Bool { id >= 0 }
            static var vacant: Cell { Cell() }
        }
        var table = OpenAddressing<Cell>(expected: 1 << 14, maximumLoad: 0.75)

        /// Room for `more` new terms without growing, so cell positions hold for a whole batch.
        mutating func reserve(_ more: Int) { table.reserve(more) }

        /// Counts a text's keys, `keys[text]`; new terms get the next numbers and are appended to
        /// `newTerms`; the cells of the text's distinct terms go to `distinct`, in order of first
        /// sighting. The keys after the text's are the next texts' (the prefetch reads ahead).
        mutating func tally(_ keys: [UInt64], _ text: Range<Int>, newTerms: inout [UInt64], distinct: inout [Int]) {
            let shift = table.shift
            var count = table.count
            table.cells.withUnsafeMutableBufferPointer { c in
                let read = UnsafeBufferPointer(c)
                keys.withUnsafeBufferPointer { k in
                    for position in text {
                        // Sixteen keys ahead: 8 left a tenth more of the time waiting on cells.
                        if position + 16 < k.count { OpenAddressing<Cell>.prefetch(k[position + 16], in: read, shift: shift) }
                        let key = k[position]
                        let i = OpenAddressing<Cell>.probe(key, in: read, shift: shift)
                        if !c[i].isTaken {
                            c[i] = Cell(key: key, id: Int32(count), tally: 0, df: 0)
                            newTerms.append(key)
                            count += 1
                        }
                        if c[i].tally == 0 { distinct.append(i) }
                        c[i].tally += 1
                    }
                }
            }
            table.count = count
        }

        /// Appends the text's term numbers and counts as a row; resets the tallies and counts the
        /// text in each term's document frequency.
        mutating func take(_ distinct: [Int], into rows: SparseRows) {
            table.cells.withUnsafeMutableBufferPointer { c in
                for i in distinct {
                    rows.append(c[i].id, Float(c[i].tally))
                    c[i].tally = 0
                    c[i].df += 1
                }
            }
            rows.endRow()
        }

        func documentFrequencies(terms: Int) -> [Int32] {
            var df = [Int32](repeating: 0, count: terms)
            for cell in table.cells where cell.isTaken { df[Int(cell.id)] = cell.df }
            return df
        }
    }

    /// Sublinear term frequency, 1 + ln tf, as TfidfVectorizer(sublinear_tf=True) weighs a
    /// term's count; counts are small whole numbers, so most come from a table.
    @inline(__always) static func sublinear(_ count: Float) -> Float {
        count < Float(sublinearTable.count) ? sublinearTable[Int(count)] : 1 + logf(count)
    }

    private static let sublinearTable: [Float] = (0..<64).map { 1 + logf(Float($0)) }

    /// Smoothed inverse document frequency, as scikit-learn's TfidfVectorizer computes it:
    /// ln((1 + n) / (1 + df)) + 1.
    public static func idf(documentFrequency df: Int, documents n: Int) -> Float {
        logf((1 + Float(n)) / (1 + Float(df))) + 1
    }

    /// A text's term keys in order, each as often as it occurs.
    struct Keys: Tokenizer.Sink {
        var kinds: Kinds
        /// All ones, or a legacy model's fold into 2^18 slots.
        var mask: UInt64
        var keys: [UInt64] = []
        var previous: UInt64?

        static var wantsPunctuation: Bool { true }

        /// A run's hash is salted so that runs spread independently of the word hashes. A run
        /// does not break or join word bigrams.
        mutating func punctuation(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard kinds.contains(.punctuation) else { return }
            let h = MinHashSignature.splitmix(MinHashSignature.fnv1a(bytes) ^ 0x7075_6E63_7475_6174)
            keys.append(h & ~HashedFeatures.bigramBit & mask)
        }

        mutating func token(_ bytes: UnsafeBufferPointer<UInt8>) {
            let h = MinHashSignature.fnv1a(bytes)
            keys.append(h & ~HashedFeatures.bigramBit & mask)
            if kinds.contains(.bigrams), let p = previous {
                let pair = MinHashSignature.splitmix(p &* 31 ^ h)
                keys.append((pair | HashedFeatures.bigramBit) & mask)
            }
            previous = h
        }
    }
}
