import Foundation
import XCTest
@testable import IngestStages

/// The entity tagger's pieces: tokens, features, decoding, training, the model file, and the
/// stage's output. Fixtures are invented sentences (fictional people, firms and towns) unless a
/// test says it runs the built-in model.
final class EntityTaggerTests: XCTestCase {
    // MARK: tokens

    func testTokensSplitPunctuationButKeepAbbreviationsAndCompounds() {
        let (scalars, sentences) = TaggerTokenizer.sentences("VARNO, Ostland (AP) — The U.S. envoy's talks with Mr. Lind didn't end. Jong-un said: 3,500 left.")
        XCTAssertEqual(sentences.map { $0.map { $0.word(in: scalars) } }, [
            ["VARNO", ",", "Ostland", "(", "AP", ")", "—", "The", "U.S.", "envoy", "'s", "talks", "with", "Mr.", "Lind", "did", "n't", "end", "."],
            ["Jong-un", "said", ":", "3,500", "left", "."],
        ])
    }

    func testTokensKeepTheirPlaceInTheText() {
        let text = "Ana Ruiz met\nthe board."
        let (scalars, sentences) = TaggerTokenizer.sentences(text)
        XCTAssertEqual(sentences.count, 2, "a line break ends a sentence")
        let ruiz = sentences[0][1]
        XCTAssertEqual(String(String.UnicodeScalarView(scalars[ruiz.start..<ruiz.end])), "Ruiz")
    }

    // MARK: features

    func testWordFeaturesIgnoreCaseButShapeDoesNot() {
        let a = TaggerFeatures.info("Harbour"), b = TaggerFeatures.info("HARBOUR"), c = TaggerFeatures.info("harbour")
        XCTAssertEqual(a.word, b.word)
        XCTAssertEqual(a.word, c.word)
        XCTAssertNotEqual(a.shape, b.shape)
        XCTAssertNotEqual(a.shape, c.shape)
        XCTAssertTrue(a.initialCapital && !a.allCaps)
        XCTAssertTrue(b.allCaps)
        XCTAssertFalse(c.hasUpper)
        // The same word hashes the same in every process: a model file means the same everywhere.
        XCTAssertEqual(TaggerFeatures.info("Harbour").word, 0xBCB1_4B6F_AE79_4CE4)
    }

    func testAllCapsHeadlineIsRecognized() {
        XCTAssertTrue(TaggerFeatures.isAllCapsSentence(["SOCCER", "-", "VARNO", "WIN", "AT", "HOME", "."].map(TaggerFeatures.info)))
        XCTAssertFalse(TaggerFeatures.isAllCapsSentence(["The", "U.S.", "envoy", "left", "."].map(TaggerFeatures.info)))
    }

    func testDocumentRemembersHowItWritesAWord() {
        let doc = EntityDocument.prepare(words: [["Harbour", "fees", "rose", "."], ["The", "harbour", "closed", "."], ["They", "met", "Ruiz", "."]],
                                         gazetteer: Gazetteer())
        XCTAssertTrue(doc.document.lowerCase.contains(TaggerFeatures.info("harbour").word))
        XCTAssertTrue(doc.document.capitalizedMidSentence.contains(TaggerFeatures.info("Ruiz").word))
        XCTAssertFalse(doc.document.capitalizedMidSentence.contains(TaggerFeatures.info("Harbour").word), "sentence-initial")
    }

    // MARK: tags and decoding

    func testTagsReadAndWriteTheirCoNLLNames() {
        for tag in EntityTag.allCases { XCTAssertEqual(EntityTag(conll: tag.conll), tag) }
        XCTAssertNil(EntityTag(conll: "B-DATE"))
        XCTAssertFalse(EntityTag.insidePerson.mayFollow(.outside))
        XCTAssertFalse(EntityTag.insidePerson.mayFollow(.beginLocation))
        XCTAssertTrue(EntityTag.insidePerson.mayFollow(.beginPerson))
        XCTAssertTrue(EntityTag.beginOrganization.mayFollow(.insidePerson))
    }

    /// A model whose every scored token prefers I-PER most, then B-LOC: the decoder never opens
    /// a name with I-PER, nor goes on from B-LOC with it, so every scored token is B-LOC. "the"
    /// (lower case after O) is never scored; "rose" is, as a name may go on after B-LOC.
    func testDecoderNeverOpensANameWithInside() {
        var row = [Int16](repeating: 0, count: EntityTag.count)
        row[EntityTag.insidePerson.rawValue] = 100
        row[EntityTag.beginLocation.rawValue] = 50
        let tagger = EntityTagger(keys: [TaggerFeatures.mix(0, 0)], weights: row, scale: 1, provenance: "test")
        let doc = EntityDocument.prepare(words: [["the", "Varno", "Hills", "rose"]], gazetteer: Gazetteer())
        XCTAssertEqual(tagger.tag(doc.sentences, document: doc.document)[0], [.outside, .beginLocation, .beginLocation, .beginLocation])
    }

    // MARK: training

    /// Invented labelled text: people before "said", firms before "shares", towns after "in".
    static let corpus = """
    -DOCSTART- O

    Ana B-PER
    Ruiz I-PER
    said O
    Korva B-ORG
    shares O
    fell O
    in O
    Varno B-LOC
    . O

    Shares O
    of O
    Meltek B-ORG
    rose O
    in O
    Ostby B-LOC
    , O
    Tomas B-PER
    Lind I-PER
    said O
    . O

    -DOCSTART- O

    Pia B-PER
    Sand I-PER
    said O
    Dalcorp B-ORG
    shares O
    rose O
    in O
    Hallen B-LOC
    . O

    Tomas B-PER
    Ruiz I-PER
    said O
    Meltek B-ORG
    shares O
    fell O
    in O
    Varno B-LOC
    . O
    """

    func trainSmall(seed: UInt64 = 7) throws -> EntityTagger {
        var options = EntityTaggerTraining.Options()
        options.passes = 8
        options.seed = seed
        options.prune = 0
        return EntityTaggerTraining.train(try CoNLLCorpus.parse(Self.corpus, file: "small.conll"), options: options, provenance: "small").0
    }

    func testTrainingLearnsTheLabelledNames() throws {
        let tagger = try trainSmall()
        let docs = try CoNLLCorpus.parse(Self.corpus, file: "small.conll")
        let evaluation = EntityTaggerEvaluation(tagger: tagger, documents: docs)
        XCTAssertEqual(evaluation.all.gold, 12)
        XCTAssertGreaterThanOrEqual(evaluation.all.f1, 0.9, "\(evaluation)")
    }

    func testTrainingIsDeterministicForASeed() throws {
        let a = EntityModelFile.encode(try trainSmall(seed: 3))
        let b = EntityModelFile.encode(try trainSmall(seed: 3))
        XCTAssertEqual(a, b)
    }

    // MARK: the model file

    func testModelFileRoundTrips() throws {
        let tagger = try trainSmall()
        let bytes = EntityModelFile.encode(tagger)
        let again = try EntityModelFile.decode(bytes, path: "m")
        XCTAssertEqual(EntityModelFile.encode(again), bytes)
        XCTAssertEqual(again.provenance, "small")
        let doc = EntityDocument.prepare(words: [["Pia", "Sand", "said", "Korva", "shares", "fell", "in", "Hallen", "."]], gazetteer: Gazetteer())
        XCTAssertEqual(again.tag(doc.sentences, document: doc.document), tagger.tag(doc.sentences, document: doc.document))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("entity-\(UUID()).model")
        defer { try? FileManager.default.removeItem(at: url) }
        try EntityModelFile.write(tagger, to: url)
        XCTAssertEqual(EntityModelFile.encode(try EntityModelFile.read(url)), bytes)
    }

    func testDamagedOrForeignModelFilesAreRefusedWithAReason() throws {
        let bytes = EntityModelFile.encode(try trainSmall())
        func reason(_ b: [UInt8]) -> String {
            do { _ = try EntityModelFile.decode(b, path: "m"); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertTrue(reason(Array(bytes.dropLast(3))).contains("wrong size"), reason(Array(bytes.dropLast(3))))
        XCTAssertTrue(reason(Array(bytes.prefix(10))).contains("cut short"))
        XCTAssertTrue(reason(Array("INGESTDM....".utf8)).contains("not an ingestd entity model"))
        var other = bytes
        other[12] = 99  // the feature set's version
        XCTAssertTrue(reason(other).contains("feature set 99"), reason(other))
    }

    // MARK: CoNLL files

    func testCoNLLReaderTurnsIOB1IntoIOB2AndNamesBadLines() throws {
        let docs = try CoNLLCorpus.parse("Ana NNP I-PER\nRuiz NNP I-PER\nof IN O\nKorva NNP I-ORG\n", file: "x")
        XCTAssertEqual(docs[0].sentences[0].map(\.tag), [.beginPerson, .insidePerson, .outside, .beginOrganization])
        XCTAssertThrowsError(try CoNLLCorpus.parse("Ana B-PER\nRuiz B-DATE\n", file: "x.conll")) {
            XCTAssertEqual("\($0)", "x.conll:2: unknown tag 'B-DATE' (expected O or B-/I- with PER, ORG, LOC, MISC)")
        }
        XCTAssertThrowsError(try CoNLLCorpus.parse("Ana\n", file: "x.conll")) { XCTAssertTrue("\($0)".hasPrefix("x.conll:1: expected a token and its tag")) }
    }

    // MARK: the stage's output

    func testMentionsOfOnePersonCollapseAndAmbiguousOnesDoNot() {
        var m = EntityMentions()
        m.addTagged("Ana Ruiz", type: 0)
        m.addTagged("Ruiz", type: 0)
        m.addTagged("RUIZ", type: 0)
        m.addTagged("Korva", type: 1)
        m.addTagged("Korva", type: 2)
        m.addTagged("Korva", type: 1)
        XCTAssertEqual(m.labels(limit: 10).map { "\($0.name)|\($0.type)|\($0.count)" }, ["Ana Ruiz|person|3", "Korva|organization|3"])
        var two = EntityMentions()
        two.addTagged("Ana Ruiz", type: 0)
        two.addTagged("Tomas Ruiz", type: 0)
        two.addTagged("Ruiz", type: 0)
        XCTAssertEqual(two.labels(limit: 10).count, 3, "two Ruizes: the surname alone stays apart")
    }

    func testAFirmIsNeverAPersonAndItsFirstWordAloneIsTheFirm() {
        var firm = EntityMentions()
        firm.addTagged("Meltek Industries", type: 0)
        firm.addTagged("Meltek Industries", type: 1)
        firm.addTagged("Meltek", type: 0)
        firm.addTagged("Varno", type: 2)
        firm.addTagged("Varno United", type: 1)
        XCTAssertEqual(firm.labels(limit: 10).map { "\($0.name)|\($0.type)|\($0.count)" },
                       ["Meltek Industries|organization|3", "Varno|place|1", "Varno United|organization|1"],
                       "a place stays apart from the club named after it")
    }

    func testTitlesAndCompassWordsAreNotNames() {
        let (scalars, s) = TaggerTokenizer.sentences("General Ana Ruiz and Mr North")
        XCTAssertEqual(EntityRecognizer.trimmed(0..<3, s[0], scalars, person: true), 1..<3)
        XCTAssertNil(EntityRecognizer.trimmed(4..<5, s[0], scalars, person: true))
        XCTAssertNil(EntityRecognizer.trimmed(5..<6, s[0], scalars, person: false))
        let (sc2, s2) = TaggerTokenizer.sentences("the Secretary of State Ana Ruiz")
        XCTAssertNil(EntityRecognizer.trimmed(3..<4, s2[0], sc2, person: false))
        XCTAssertEqual(EntityRecognizer.trimmed(4..<6, s2[0], sc2, person: true), 4..<6)
    }

    func testAnInstitutionsNameRunsOverOfAndFor() {
        let (scalars, s) = TaggerTokenizer.sentences("a fellow at the Varno Academy of the Hallen Social Sciences and Ruiz said")
        // "Varno Academy" tagged alone, "Hallen" and "Social Sciences" after it.
        let joined = EntityRecognizer.joinInstitutions([(4..<6, 2), (8..<9, 2), (9..<11, 1), (12..<13, 0)], gazetteer: [], s[0], scalars)
        XCTAssertEqual(joined.map(\.range), [4..<11, 12..<13])
        XCTAssertEqual(joined.map(\.type), [1, 0])
        // No head word, no join: "Ruiz of Hallen" stays two names.
        let (sc2, s2) = TaggerTokenizer.sentences("Ruiz of Hallen")
        XCTAssertEqual(EntityRecognizer.joinInstitutions([(0..<1, 0), (2..<3, 2)], gazetteer: [], s2[0], sc2).count, 2)
    }

    func testAOneWordPlaceJoinsTheGazetteerEntityItShortens() {
        var m = EntityMentions()
        m.addGazetteer(Gazetteer.Entity(name: "Varno Peninsula", type: "place"))
        m.addTagged("Peninsula", type: 2)
        m.addTagged("Lanka", type: 2)
        m.addTagged("Sri Lanka", type: 2)
        let labels = m.labels(limit: 10).map { "\($0.name)|\($0.count)" }
        XCTAssertEqual(labels, ["Varno Peninsula|2", "Lanka|1", "Sri Lanka|1"], "only into a gazetteer entity")
    }

    private func gazetteer() -> Gazetteer {
        var g = Gazetteer()
        g.add(name: "Ostland", type: "country", aliases: ["OST"])
        g.add(name: "Pia Sand", type: "person", aliases: ["Sand"])
        return g
    }

    /// The built-in model, end to end through the recognizer: invented wire copy with a
    /// capitals dateline, a compound of two gazetteer names, a title before a name, and a firm
    /// named in full and by its first word.
    func testBuiltInModelTypesNamesTheGazetteerDoesNotKnow() {
        let recognizer = EntityRecognizer(gazetteer: gazetteer(), tagger: .builtIn, unknown: false, limit: 100)
        let text = """
        VARNO, Ostland (Reuters) - Chancellor Pia Sand met executives of carmaker Meltek Industries in Varno on Tuesday, \
        the government said, after the OST-Meltek dispute over the company's plant in Hallen.

        Shares of Meltek Industries rose 3 percent. Meltek chief executive Tomas Lindqvist told reporters the company \
        would keep its plant open. Sand said the talks would go on in Brenna next week.
        """
        let labels = recognizer.recognize(title: "Ostland leader meets carmaker over plant", text: text)
        let found = Set(labels.map { "\($0.name)|\($0.type)" })
        for expected in ["Pia Sand|person", "Ostland|country", "Tomas Lindqvist|person", "Hallen|place", "Varno|place",
                         "Brenna|place", "Meltek Industries|organization", "Reuters|organization"] {
            XCTAssertTrue(found.contains(expected), "\(expected) not in \(found.sorted())")
        }
        XCTAssertEqual(labels.first { $0.name == "Pia Sand" }?.count, 2, "Sand is Pia Sand")
        XCTAssertFalse(found.contains { $0.hasPrefix("OST-") || $0.hasPrefix("Chancellor") || $0.hasPrefix("Meltek|") || $0.hasSuffix("|unknown") },
                       "\(found.sorted())")
    }
}
