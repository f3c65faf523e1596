import XCTest
@testable import IngestStages

/// The body region of plain-text scrapes in the cases the readability-dev scrapes exposed: repeated paragraphs,
/// pages without prose, inline boxes in the middle of an article, lists and hard-wrapped text.
/// All fixtures are invented: fictional outlets, people and events.
final class ScrapeBodyRegionTests: XCTestCase {
    // Long paragraphs (40+ words), as an article's are.
    let long1 = "The harbour council of Lake Verrin voted on Monday evening to rebuild the old ferry pier at the north end of the bay, ending a dispute between fishing crews, ferry operators and the town's residents that had lasted for more than six years and cost two council members their seats."
    let long2 = "Council members said the new pier would be finished before the summer season begins, that the fishing crews would keep their moorings during the work, and that the ferry would move its landing to the old customs quay for the eight weeks the builders need to replace the deck and the piles."
    let long3 = "Residents who spoke at the meeting were mostly in favour of the plan, although several of them asked the council to publish the full cost of the project, including the temporary landing and the new lighting, before any construction work begins on the north side of the bay."
    let long4 = "The ferry operator said it expected passenger numbers to recover quickly once the pier reopens next spring, pointing to strong advance bookings from the neighbouring towns along the lake and to a new timetable that adds two evening crossings on weekdays during the summer months."
    let short1 = "The harbour council voted on Monday to rebuild the old ferry pier after six years of dispute."

    func testParagraphRepeatedRightAfterItselfIsKeptBothTimes() {
        let text = ["Pier vote", long1, long1, long2].joined(separator: "\n")
        XCTAssertEqual(PlainTextScrapeParser.parse(text).paragraphs, [long1, long1, long2])
    }

    func testHeadlineShownTwiceIsNotAParagraph() {
        let headline = "Lake Verrin votes to rebuild the ferry pier after six years of dispute between crews and operators"
        let text = [headline, headline, long1, long2].joined(separator: "\n")
        XCTAssertEqual(PlainTextScrapeParser.parse(text).paragraphs, [long1, long2])
    }

    func testRepeatFarFromItsFirstShowingStaysOut() {
        var lines = [long1, long2]
        lines += (1...10).map { "Menu item \($0)" }
        lines += [long1]
        XCTAssertEqual(PlainTextScrapeParser.parse(lines.joined(separator: "\n")).paragraphs, [long1, long2])
    }

    func testSmallPageWithoutProseKeepsItsLinesBelowTheTitle() {
        XCTAssertEqual(PlainTextScrapeParser.parse("Link test page\nabc\ndef\nghi").paragraphs, ["abc", "def", "ghi"])
        XCTAssertEqual(PlainTextScrapeParser.parse("Test").paragraphs, ["Test"])
    }

    func testLargePageWithoutProseGetsNoBody() {
        let text = (1...20).map { "Section \($0)" }.joined(separator: "\n")
        XCTAssertEqual(PlainTextScrapeParser.parse(text).paragraphs, [])
    }

    func testArticleContinuesAfterAnInlineRecommendedBox() {
        let teasers = ["Recommended", "The lighthouse keepers of Verrin", "Mara Kellison", "Jul 17, 2014",
                       "A short history of the lake ferries", "Tom Aldane", "Mar 9, 2018",
                       "Where the old customs quay came from", "Lina Porre", "Aug 23, 2017"]
        let text = (["Pier vote - Verrin Daily", long1, short1, long2] + teasers + [long3, long4, short1 + " Again."])
            .joined(separator: "\n")
        let paragraphs = PlainTextScrapeParser.parse(text).paragraphs
        XCTAssertEqual(paragraphs, [long1, short1, long2, long3, long4, short1 + " Again."])
    }

    func testCommentsAfterTheArticleAreNoContinuation() {
        let comments = ["12 Comments", "Jon Pell", "March 3, 2020", long3, "Ana Moss", long4, short1]
        let text = (["Pier vote - Verrin Daily", long1, long2, short1.replacingOccurrences(of: "Monday", with: "Tuesday")]
            + comments).joined(separator: "\n")
        let paragraphs = PlainTextScrapeParser.parse(text).paragraphs
        XCTAssertEqual(paragraphs.first, long1)
        XCTAssertFalse(paragraphs.contains(long3))
        XCTAssertFalse(paragraphs.contains(long4))
    }

    func testTeaserBlurbsAfterAMostReadBoxAreNoContinuation() {
        // Blurbs are prose but short: no two of them are 40 words long.
        let blurbs = ["Most Read", "The lake froze early this year. Skaters came from three towns to see it happen.",
                      "Crews count fewer trout. Fishing crews report their smallest catch in a decade on the lake.",
                      "A new bakery opens. The old post office on the quay becomes a bakery and a reading room."]
        let text = (["Pier vote - Verrin Daily", long1, long2, long3] + blurbs).joined(separator: "\n")
        XCTAssertEqual(PlainTextScrapeParser.parse(text).paragraphs, [long1, long2, long3])
    }

    func testHeadlineRepeatedInAMostReadListDoesNotRestartTheBody() {
        let headline = "Lake Verrin votes to rebuild the ferry pier"
        var lines = ["\(headline) | Verrin Daily", "News", headline, "By Mara Kellison"]
        lines += [long1, long2, long3, long4, long1 + " Again.", long2 + " Again."]
        lines += ["Most Read Stories", "Crews count fewer trout on the lake", headline, "A new bakery opens on the quay"]
        lines += [long3 + " More.", long4 + " More."]
        let paragraphs = PlainTextScrapeParser.parse(lines.joined(separator: "\n")).paragraphs
        XCTAssertEqual(paragraphs.first, long1)
        XCTAssertEqual(paragraphs.last, long4 + " More.")
    }

    func testListWrittenWithMarkersIsBody() {
        let items = ["+ Added granite and basalt blocks", "+ Added the harbour monument", "+ Added rabbits, with item drops",
                     "* Villagers now plant new crops", "* Trading has been rebalanced", "- Removed the old ferry"]
        let text = (["Update 1.8 - Verrin Games News", "Verrin Games News", "Update 1.8"] + items + ["Newer", "Older"])
            .joined(separator: "\n")
        XCTAssertEqual(PlainTextScrapeParser.parse(text).paragraphs, items)
    }

    func testHardWrappedParagraphIsBody() {
        let wrapped = ["The harbour council of Lake Verrin voted on Monday", "to rebuild the old ferry pier, ending a dispute",
                       "that had lasted for more than six years and cost", "two council members their seats."]
        let text = (["Pier vote", "Menu", "Home"] + wrapped).joined(separator: "\n")
        XCTAssertEqual(PlainTextScrapeParser.parse(text).paragraphs, wrapped)
    }

    func testNumberedListWithALineUnderEachItemIsBody() {
        let intro = "Black Friday is here again, and for readers who miss the toys and films of their childhood we have gathered the offers that caught our eye this year."
        var entries: [String] = []
        for (n, item) in ["Brick harbour set with ferry and pier", "Electric racing track with two cars",
                          "Lake Verrin trilogy box set", "Harbour lighthouse model, scale 1:24"].enumerated() {
            entries += ["\(n + 1)) \(item)", "http://shop.example/item\(n + 1)"]
        }
        let text = (["Offers for the nostalgic - Verrin Blog", "Home", "Shop", intro] + entries + ["Share", "Tweet"])
            .joined(separator: "\n")
        XCTAssertEqual(PlainTextScrapeParser.parse(text).paragraphs, [intro] + entries)
    }

    func testNumbersOutOfSequenceAreNoList() {
        var lines = ["1. First item here", "Some line", "3. Third item here", "Other line", "2. Second item here"]
            .map(ScrapeLine.init)
        FlowingLines.mark(&lines)
        XCTAssertEqual(lines.map(\.flowing), [false, false, false, false, false])
    }

    func testMarkersAndLowerCaseStartsAloneAreNotFlowing() {
        var lines = ["+ one item", "+ another item", "plain words", "more plain words"].map(ScrapeLine.init)
        FlowingLines.mark(&lines)
        XCTAssertEqual(lines.map(\.flowing), [false, false, false, false])
        XCTAssertTrue(FlowingLines.hasListMarker(ScrapeLine("12. Wash the sheets")))
        XCTAssertTrue(FlowingLines.hasListMarker(ScrapeLine("• Wash the sheets")))
        XCTAssertFalse(FlowingLines.hasListMarker(ScrapeLine("2020 was a year")))
        XCTAssertFalse(FlowingLines.hasListMarker(ScrapeLine("-5 degrees")))
    }

    // A second stretch of the article after a mid-article share box, with the article's own share box and a
    // comment prompt after it: the continuation's best run reaches into the prompt, and is judged without it.
    func testContinuationIsJudgedUpToItsOwnEndMarker() {
        let long5 = "The builders who won the contract said they would use larch from the hills above the lake for the new deck, as the original builders did in 1911, because the wood weathers well in fresh water and needs little more than a coat of oil every few years to keep it sound."
        let long6 = "Fishing crews, who had opposed every earlier plan for the pier, said they were satisfied with the compromise, although two of the older skippers told the meeting that they would believe in the new moorings only when their boats were tied up at them and the builders had gone home."
        let long7 = "The council will meet again in March to approve the final drawings, and the mayor said the town would hold a small celebration on the old customs quay when the first ferry of the season lands there, as it did when the pier was last closed for repairs in the winter of 1978."
        let box = ["Share this article", "Copied!", "Newsletter", "Get Verrin Daily delivered to your inbox", "Subscribe now",
                   "Most recent newsletter"]
        let caption = "The old ferry pier at the north end of the bay, photographed in the spring of 1962."
        let prompt = "Verrin Daily moderates comments to keep the conversation civil, substantive and on topic, and every comment is read by an editor before it appears below the article, which can take up to a day at weekends."
        let lines = ["Pier vote - Verrin Daily", long1, long2, long3] + box + [caption, long5, long6, long7] + box
            + ["Comment on this article", prompt, "Show comments", "Next article", "About Verrin Daily"]
        let paragraphs = PlainTextScrapeParser.parse(lines.joined(separator: "\n")).paragraphs
        XCTAssertEqual(Array(paragraphs.prefix(3)), [long1, long2, long3])
        XCTAssertTrue(paragraphs.contains(long5))
        XCTAssertTrue(paragraphs.contains(long7))
        XCTAssertFalse(paragraphs.contains(prompt))
    }

    // "X is a ... developed by ... Research" in the middle of an article is a paragraph about X, not the author's bio:
    // the body is cut at a bio only when it opens with a full name.
    func testSingleWordSubjectIsNoAuthorBioThatEndsTheBody() {
        let subject = "Quarrel is a steam ferry built in 1911 for the Verrin Research station. It still runs in summer."
        let text = ["Pier vote - Verrin Daily", long1, long2, long3, subject, long4, "Later years", long1 + " Again.", long2 + " Again."]
            .joined(separator: "\n")
        let article = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(article.paragraphs, [long1, long2, long3, subject, long4, "Later years", long1 + " Again.", long2 + " Again."])
        XCTAssertNil(article.authorInfo)
    }

    // A tutorial's code sample between two of its paragraphs is body text; page markup in the same place is not.
    func testScriptSampleBetweenParagraphsIsKeptButMarkupIsNot() {
        let intro = "The simplest way to load the ferry timetable is a single call, which returns a promise for the parsed list of crossings:"
        let sample = "fetch(\"/timetable.json\").then(function(res) { return res.json(); }).then(function(list) { console.log(list.length); });"
        let after = "The list holds one entry for each crossing, with the departure time, the landing and the number of free places on board."
        let markup = "<div class=\"timetable-banner\"> <a href=\"/timetable\">Full timetable</a> </div>"
        let text = ["Loading the timetable - Verrin Dev Blog", long1, intro, sample, after, long2, markup, long3].joined(separator: "\n")
        let paragraphs = PlainTextScrapeParser.parse(text).paragraphs
        XCTAssertEqual(paragraphs, [long1, intro, sample, after, long2, long3])
    }
}
