import XCTest
@testable import IngestStages

/// The band chains of the near-duplicate index: a candidate that shares a whole band with the
/// query and clears the bar is found, whatever else was indexed before or after it.
final class NearDuplicateIndexTests: XCTestCase {
    /// SplitMix64, so the fixtures are the same on every run.
    private struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            return MinHashSignature.splitmix(state)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    private static let rows = NearDuplicateIndex.rows
    private static let initialMask: UInt64 = (1 << 12) - 1

    /// Two band keys of different bands that fall into the same bucket of the initial table
    /// used to share one chain, threaded through each entry's `next` slot of its own band: a
    /// walk for band 0 that met an entry linked there through band 1 went on down that entry's
    /// band-0 chain and never reached the entries behind it.
    func testAnEntryLinkedIntoTheSameBucketThroughAnotherBandDoesNotHideTheCandidate() throws {
        var g = Generator(state: 42)
        let original = MinHashSignature(values: (0..<MinHashSignature.permutations).map { _ in UInt16(truncatingIfNeeded: g.next()) })
        // The query shares band 0 whole and each other band but for its first row: 49 of 64
        // values, an estimate of 0.766, above the bar of threshold 0.8 (0.717).
        var queryValues = original.values
        for band in 1..<NearDuplicateIndex.bands { queryValues[band * Self.rows] &+= 1 }
        let query = MinHashSignature(values: queryValues)
        XCTAssertGreaterThan(query.similarity(to: original), NearDuplicateIndex.bar(threshold: 0.8))

        // An unrelated signature whose band-1 key shares the bucket of the original's band-0 key.
        let target = NearDuplicateIndex.key(original, band: 0) & Self.initialMask
        var otherValues = (0..<MinHashSignature.permutations).map { _ in UInt16(truncatingIfNeeded: g.next()) }
        var tries = 0
        while NearDuplicateIndex.key(MinHashSignature(values: otherValues), band: 1) & Self.initialMask != target {
            for r in 0..<Self.rows { otherValues[Self.rows + r] = UInt16(truncatingIfNeeded: g.next()) }
            tries += 1
            XCTAssertLessThan(tries, 1_000_000)
        }
        let other = MinHashSignature(values: otherValues)
        XCTAssertLessThan(query.similarity(to: other), 0.1)

        let index = try NearDuplicateIndex(directory: nil, bar: NearDuplicateIndex.bar(threshold: 0.8))
        XCTAssertNil(index.matchAndInsert(original, id: "original"))
        XCTAssertNil(index.matchAndInsert(other, id: "other"))
        XCTAssertEqual(index.match(query)?.id, "original")
        XCTAssertEqual(index.matchAndInsert(query, id: "query")?.id, "original")
    }

    /// Synthetic articles and copies of them with three words changed, estimated similarity
    /// around the bar: every copy that shares a whole band with its original and clears the bar
    /// is found, with a thousand and more other articles indexed before and after it (the
    /// table grown and rebuilt several times).
    func testEveryCandidateSharingABandAndClearingTheBarIsFoundAmongManyDocuments() throws {
        var g = Generator(state: 7)
        let vocabulary = (0..<80).map { "word\($0)" }
        func article() -> [String] { (0..<120).map { _ in vocabulary[g.below(vocabulary.count)] } }
        let bar = NearDuplicateIndex.bar(threshold: 0.8)
        let index = try NearDuplicateIndex(directory: nil, bar: bar)

        let count = 1_500
        var originals: [MinHashSignature] = []
        var copies: [MinHashSignature] = []
        for i in 0..<count {
            var words = article()
            originals.append(MinHashSignature(text: words.joined(separator: " "), shingle: 5)!)
            XCTAssertNil(index.matchAndInsert(originals[i], id: "o\(i)"))
            // Three words changed, 40 apart: 15 of the 116 shingles, Jaccard 0.77.
            for at in [20, 60, 100] { words[at] = "altered" }
            copies.append(MinHashSignature(text: words.joined(separator: " "), shingle: 5)!)
        }
        var expected = 0
        var missed: [String] = []
        for (i, copy) in copies.enumerated() {
            let sharesABand = (0..<NearDuplicateIndex.bands).contains { band in
                let rows = (band * Self.rows)..<((band + 1) * Self.rows)
                return copy.values[rows] == originals[i].values[rows]
            }
            guard sharesABand, copy.similarity(to: originals[i]) >= bar else { continue }
            expected += 1
            if index.match(copy)?.id != "o\(i)" { missed.append("o\(i)") }
        }
        XCTAssertGreaterThan(expected, count / 2)
        XCTAssertEqual(missed, [], "\(missed.count) of \(expected) findable copies missed")
    }
}
