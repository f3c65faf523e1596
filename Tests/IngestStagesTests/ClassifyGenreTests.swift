import XCTest
@testable import IngestStages

final class ClassifyGenreTests: XCTestCase {
    private let neutral = "The museum reopened its east wing after a renovation that lasted two years."

    // MARK: Explicit signals

    func testBreadcrumbOpinion() {
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(breadcrumbsOrSection: ["Europe", "Opinion", "Content"])), "opinion")
    }

    func testSectionWordsMapToOpinion() {
        for section in ["Op-Ed", "Commentary", "Editorial", "Columns", "Comment", "Viewpoint", "Editorials"] {
            XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(breadcrumbsOrSection: ["Home", section])),
                           "opinion", section)
        }
    }

    func testBreadcrumbInOneString() {
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(breadcrumbsOrSection: ["Asia > Opinion > Content"])), "opinion")
    }

    func testSectionAnalysisInterviewReviewNews() {
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(breadcrumbsOrSection: ["World", "Analysis"])), "analysis")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(breadcrumbsOrSection: ["Business", "Q&A"])), "interview")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(breadcrumbsOrSection: ["Culture", "Interviews"])), "interview")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(breadcrumbsOrSection: ["Films", "Reviews"])), "review")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(breadcrumbsOrSection: ["World News"])), "news")
    }

    func testSpecificSectionBeatsGenericNews() {
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(breadcrumbsOrSection: ["News", "Opinion"])), "opinion")
    }

    func testUnrelatedSectionsGiveNoSignal() {
        XCTAssertNil(GenreDetector.detect(text: neutral, signals: GenreSignals(breadcrumbsOrSection: ["Home", "Sport", "Football"])))
        // Words that merely contain a genre word do not count.
        XCTAssertNil(GenreDetector.detect(text: neutral, signals: GenreSignals(breadcrumbsOrSection: ["Opinionated Cooking Tips"])))
    }

    func testEditorsNoteOpinion() {
        let s = GenreSignals(editorsNote: "Jane Roe is a visiting scholar at a policy institute. The article reflects the author’s opinion, and not necessarily the views of the publisher.")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: s), "opinion")
        let s2 = GenreSignals(editorsNote: "The views expressed here are the writer's own.")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: s2), "opinion")
    }

    func testEditorsNoteInterview() {
        let s = GenreSignals(editorsNote: "Our reporter spoke with the new harbour master about shipping. Edited excerpts follow.")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: s), "interview")
    }

    func testEditorsNoteWithoutSignal() {
        XCTAssertNil(GenreDetector.detect(text: neutral, signals: GenreSignals(editorsNote: "This story was updated to correct a date.")))
    }

    func testAuthorInfo() {
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(authorInfo: "The author is a research fellow at a maritime studies center.")), "opinion")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(authorInfo: "Sam Poe is a columnist based in Lisbon.")), "opinion")
        XCTAssertNil(GenreDetector.detect(text: neutral, signals: GenreSignals(authorInfo: "By Sam Poe, staff")))
    }

    func testTitlePrefixes() {
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(title: "Opinion: The river deserves better")), "opinion")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(title: "OP-ED | Cities must plan for heat")), "opinion")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(title: "Interview: A baker on rising flour prices")), "interview")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(title: "Q&A with the harbour master")), "interview")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(title: "Analysis: Why the ferry deal stalled")), "analysis")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(title: "Review: a quiet, clever sci-fi film")), "review")
    }

    func testTitleSectionSuffixAndEditorialView() {
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(title: "Harbour plans are a gamble | Editorial | Opinion | The Daily Planet")), "opinion")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: GenreSignals(title: "The Planet view on harbour plans: a costly gamble")), "opinion")
    }

    func testOrdinaryTitleGivesNoSignal() {
        XCTAssertNil(GenreDetector.detect(text: neutral, signals: GenreSignals(title: "Museum reopens east wing after two years")))
        XCTAssertNil(GenreDetector.detect(text: neutral, signals: GenreSignals(title: "Opinion polls show a tight race")))
    }

    func testTitleBeatsSection() {
        let s = GenreSignals(breadcrumbsOrSection: ["Opinion"], title: "Interview: The mayor on housing")
        XCTAssertEqual(GenreDetector.detect(text: neutral, signals: s), "interview")
    }

    func testEmbeddedEditorsNoteAndAuthorNoteInText() {
        let head = "Editor's note: Alex Doe is a lecturer in urban planning. The article reflects the author's opinion.\n" + neutral
        XCTAssertEqual(GenreDetector.detect(text: head, signals: GenreSignals()), "opinion")
        let tail = neutral + "\n\nThe author is a lecturer in urban planning. The views don't necessarily represent those of this newspaper."
        XCTAssertEqual(GenreDetector.detect(text: tail, signals: GenreSignals()), "opinion")
    }

    func testEmbeddedBreadcrumbLine() {
        let text = "Daily Planet\n\nMetro> Opinion> Content\nMonday, March 4\n" + neutral
        XCTAssertEqual(GenreDetector.detect(text: text, signals: GenreSignals()), "opinion")
    }

    func testQATranscript() {
        let text = """
            Q: When did you open the bakery?
            A: Twelve years ago, with one oven.
            Q: What changed this year?
            A: Flour prices doubled and we had to adapt.
            """
        XCTAssertEqual(GenreDetector.detect(text: text, signals: GenreSignals()), "interview")
    }

    // MARK: Style

    private func repeated(_ s: String, _ n: Int) -> String { Array(repeating: s, count: n).joined(separator: "\n") }

    func testStyleOpinion() {
        let para = "We cannot keep pretending that the harbour will fix itself. Our city should invest now, and we must be honest about the cost. The council ought to listen, because we all pay for delay. It is time for us to act before our waterfront decays further."
        XCTAssertEqual(GenreDetector.detect(text: repeated(para, 4), signals: GenreSignals()), "opinion")
    }

    func testStyleNewsWithReportingAndQuotes() {
        let para = "The harbour authority said on Tuesday that repairs would begin in May. “The work is overdue,” a spokeswoman told reporters, adding that the budget had been approved. According to the statement, two piers will close. Local traders said they were worried about lost business."
        XCTAssertEqual(GenreDetector.detect(text: repeated(para, 4), signals: GenreSignals()), "news")
    }

    func testStyleNewsDateline() {
        let body = "PORTVILLE, March 4 (Reuters) - Harbour repairs will begin in May, officials said on Tuesday.\n"
            + repeated("Two piers will close during the work, which is expected to last a year and cost more than planned.", 3)
        XCTAssertEqual(GenreDetector.detect(text: body, signals: GenreSignals()), "news")
    }

    func testQuotedFirstPersonDoesNotMakeOpinion() {
        let para = "“We must rebuild now and we should not wait,” the mayor said. “Our city needs it,” she told reporters on Monday. Officials said the plan would be reviewed, according to a statement from the council."
        XCTAssertNotEqual(GenreDetector.detect(text: repeated(para, 5), signals: GenreSignals()), "opinion")
    }

    func testNoSignalIsNil() {
        XCTAssertNil(GenreDetector.detect(text: neutral, signals: GenreSignals()))
        XCTAssertNil(GenreDetector.detect(text: "", signals: GenreSignals()))
        let descriptive = "The museum reopened its east wing after a renovation. The galleries hold paintings from the northern coast, ceramics and a collection of maps. Visitors enter through a glass hall that faces the river. The café on the top floor serves lunch."
        XCTAssertNil(GenreDetector.detect(text: repeated(descriptive, 5), signals: GenreSignals()))
    }

    /// A report on US diplomacy (as seed 004, China Military Online): "US" is the United States,
    /// not "us", so it is no first-person plural; without that it read as opinion evidence and the
    /// report came out with no genre.
    func testUSIsNotFirstPersonPlural() {
        let para = """
            The US envoy arrived in Seoul on Sunday ahead of the second US-DPRK summit. The US and the ROK \
            said the joint drills would be scaled down, and the US side said that talks with the DPRK would \
            continue. According to the Yonhap News Agency, the US delegation met officials for three hours. \
            Analysts believed the US position on sanctions had not changed, a spokesman told reporters.
            """
        let text = repeated(para, 4)
        let stats = GenreDetector.styleStats(text)
        XCTAssertEqual(stats.firstPlural, 0, "every “us” here is the United States")
        XCTAssertEqual(GenreDetector.detect(text: text, signals: GenreSignals()), "news")
        // Lower-case "us" is still the author's voice.
        let opinion = "It is up to us to act. We should invest now and we must be honest with our readers about what it costs us. "
        XCTAssertEqual(GenreDetector.styleStats(opinion).firstPlural, 5)
    }

    /// An editorial that quotes the parties before giving its view (seed 001, Global Times): the
    /// opinion evidence is twice the reporting, which is opinion; "US" counts for neither.
    func testEditorialThatReportsSomeSpeechIsOpinion() {
        let para = """
            The US envoy said the talks would go on, and the US side said “the door remains open to further meetings”. \
            That is welcome. We believe both sides should keep their promises, the region should not be held hostage \
            to one summit, and the talks should go on.
            """
        let text = repeated(para, 4)
        let stats = GenreDetector.styleStats(text)
        XCTAssertEqual([stats.firstPlural, stats.modals, stats.reporting, stats.quotes], [4, 12, 8, 4])
        XCTAssertEqual(GenreDetector.detect(text: text, signals: GenreSignals()), "opinion")
    }

    func testMixedStyleWithoutMarginIsNil() {
        let para = "We should be careful, the minister said. Our budget must balance, she told reporters. Officials said we must wait. According to the report, we should expect delays, the spokesman said."
        XCTAssertNil(GenreDetector.detect(text: repeated(para, 6), signals: GenreSignals()))
    }
}

final class PressReleaseGenreTests: XCTestCase {
    func testPressReleasesAreRecognized() {
        let release = """
        FOR IMMEDIATE RELEASE

        Harbourline Ferries announces a new route between Verrin and Calder, starting in May.

        The company said the route would carry 400 passengers a day.

        About Harbourline Ferries
        Harbourline Ferries operates twelve vessels on the northern coast.

        Media contact: press@harbourline.example
        """
        XCTAssertEqual(GenreDetector.detect(text: release, signals: GenreSignals(breadcrumbsOrSection: [], editorsNote: nil, authorInfo: nil, title: nil)),
                       "press_release")
        let wire = "VERRIN, May 2, 2024 /PRNewswire/ -- Calder Energy reported results.\\n\\nForward-looking statements: this release contains estimates."
        XCTAssertEqual(GenreDetector.detect(text: wire, signals: GenreSignals(breadcrumbsOrSection: [], editorsNote: nil, authorInfo: nil, title: nil)),
                       "press_release")
        XCTAssertEqual(GenreDetector.detect(text: "x", signals: GenreSignals(breadcrumbsOrSection: ["Home", "Press Releases"], editorsNote: nil, authorInfo: nil, title: nil)),
                       "press_release")
    }

    func testAReportMentioningAPressReleaseIsNotOne() {
        let news = "The ministry said in a press release on Tuesday that talks would resume. Officials declined to comment further on the schedule."
        XCTAssertNotEqual(GenreDetector.detect(text: news, signals: GenreSignals(breadcrumbsOrSection: [], editorsNote: nil, authorInfo: nil, title: nil)),
                          "press_release")
    }
}
