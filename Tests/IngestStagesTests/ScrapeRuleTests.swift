import XCTest
@testable import IngestStages

/// Rules added for unseen outlets. All fixtures are invented: fictional outlets, people and events.
final class ScrapeRuleTests: XCTestCase {
    let p1 = "The harbour council of Lake Verrin voted on Monday to rebuild the old ferry pier, ending a dispute that had lasted for more than six years."
    let p2 = "Council members said the new pier would be finished before the summer season, and that local fishing crews would keep their moorings during the work."
    let p3 = "Residents who spoke at the meeting were mostly in favour, although several asked the council to publish the full cost of the project before construction begins."
    let p4 = "The ferry operator said it expected passenger numbers to recover quickly once the pier reopens, pointing to strong bookings from neighbouring towns."

    func testMojibakeWithFlattenedNoBreakSpaceIsRepaired() {
        // "전" is EC A0 84; read as Windows-1252 it becomes "ì", NBSP, "„", and the NBSP was then flattened to a space.
        let garbled = "ì „ 시장은 말했다. 항구 의회는 새 부두를 짓기로 결정했다고 밝혔다, 그리고 공사는 곧 시작된다."
        let lines = ScrapeText.lines(of: garbled)
        XCTAssertEqual(lines.first?.hasPrefix("전 시장은"), true)
        // Ordinary accented text with a real space is left alone.
        XCTAssertEqual(ScrapeText.lines(of: "così è la vita"), ["così è la vita"])
    }

    func testLinesRepeatedWithinTheBodyAreKept() {
        let text = ["Lake menu", p1, "Eat every two hours", "Grilled perch with rice", p2, "Eat every two hours", p3].joined(separator: "\n")
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs.filter { $0 == "Eat every two hours" }.count, 2)
        XCTAssertEqual(a.paragraphs.last, p3)
    }

    func testInlineBoxOfShortHeadlinesDoesNotEndArticle() {
        let text = [p1, p2, "Trending Now", "Ferry captain rescues swimmer: \"We got him!\"", "Verrin lighthouse reopens to visitors",
                    "Harbour fees to rise next spring", p3, p4, "Trending Now", "Why the lake froze early this year"].joined(separator: "\n")
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs, [p1, p2, p3, p4])
    }

    func testCopyrightNoticeEndsBody() {
        let text = [p1, p2, p3, "© 2021 Verrin Lakeside Media Inc. All Rights Reserved.", "World",
                    "Why farmers on Lake Verrin paint their boats with stripes",
                    "Some people thought the striped boats in the northern bay were a practical joke, but the idea could save fishing crews a lot of money."]
            .joined(separator: "\n")
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs, [p1, p2, p3])
    }

    func testTerminalWithTrailingEllipsis() {
        let line = ScrapeLine("You may also like...")
        XCTAssertEqual(LineClassifier.classify(line), .terminal)
        let a = PlainTextScrapeParser.parse([p1, p2, "You may also like...", "Who will win the regatta in 2022?", "Verrin pier bids open"].joined(separator: "\n"))
        XCTAssertEqual(a.paragraphs, [p1, p2])
    }

    func testAuthorNoteEndsBodyAndGoesToAuthorInfo() {
        let note = "Odile Marchetti is a freelance writer living in Port Verrin"
        let text = ["Odile Marchetti", p1, p2, p3, note, "Want more stories like this?", "LAKE LIFE",
                    "Why gulls follow the ferry", "Every morning the gulls gather at the pier before the first boat leaves.",
                    "Verrin regatta draws record crowd", "More than two thousand people lined the shore to watch the boats."]
            .joined(separator: "\n")
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs, [p1, p2, p3])
        XCTAssertEqual(a.authorInfo, note)
    }

    func testBodyStartsAfterRepeatedHeadline() {
        let teasers = [
            "Mayor opens new library in Verrin North, saying that the building will serve the whole district for decades to come, with longer hours and more staff than before...",
            "Ferry fares frozen for a year after a vote by the transport board, which said that costs had fallen and that passengers deserved relief from recent rises...",
            "Verrin schools to reopen on Monday after the storm damage was repaired faster than expected, according to the district office, which thanked the crews...",
        ]
        let text = (["Pier deal approved after six years | Verrin Courier", "Breaking News"] + teasers
            + ["Pier deal approved after six years", "November 20", p1, p2, p3]).joined(separator: "\n")
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs, [p1, p2, p3])
    }

    func testHeadlineRestartNeedsMoreProseAfter() {
        let text = ["Pier deal approved after six years | Verrin Courier", p1, p2, p3, "Pier deal approved after six years", p4]
            .joined(separator: "\n")
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs.first, p1)
    }

    func testSubheadingAfterEditorsNoteIsKept() {
        let text = ["Pier deal approved", "Editor's note: This is the second part of a series on the Verrin waterfront.",
                    "A pier with a past", p1, p2].joined(separator: "\n")
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.editorsNote, "This is the second part of a series on the Verrin waterfront.")
        XCTAssertEqual(a.paragraphs, ["A pier with a past", p1, p2])
    }

    func testParagraphMentioningCookiesStays() {
        let bake = "The bakery on the pier sold more than four hundred cookies on opening day, and the owner said the queue reached the ferry gate by noon."
        let a = PlainTextScrapeParser.parse([p1, bake, p2].joined(separator: "\n"))
        XCTAssertEqual(a.paragraphs, [p1, bake, p2])
        let banner = "We use cookies to improve your experience on this website and to show you relevant content, by continuing you agree."
        XCTAssertEqual(LineClassifier.classify(ScrapeLine(banner)), .furniture)
        let foreign = "Deze site gebruikt cookies om je bezoek te verbeteren, lees er meer over in onze verklaring voor bezoekers."
        XCTAssertEqual(LineClassifier.classify(ScrapeLine(foreign)), .furniture)
    }

    func testSingleWordAndAgencyBylines() {
        let a = PlainTextScrapeParser.parse(["Pier deal approved", "By Verrinwire", p1, p2].joined(separator: "\n"))
        XCTAssertEqual(a.byline, ["Verrinwire"])
        XCTAssertEqual(a.paragraphs, [p1, p2])
        let b = PlainTextScrapeParser.parse(["Pier deal approved", "By AP | Updated: March 3, 2021", p1, p2].joined(separator: "\n"))
        XCTAssertEqual(b.byline, ["AP"])
        XCTAssertEqual(b.published, "2021-03-03")
        XCTAssertEqual(HeaderReader.bylineNames(ScrapeLine("By Monday")), [])
    }

    func testSnippetRunIsNotBody() {
        let snippets = [
            "Verrin lighthouse keeper retires after forty years on the rock, and the town plans a party on the...",
            "Harbour fees to rise next spring as the council looks for money to repair the sea wall before...",
            "The regatta returns in June with a new course around the island and a larger prize fund for...",
        ]
        let a = PlainTextScrapeParser.parse((snippets + [p1, p2, p3]).joined(separator: "\n"))
        XCTAssertEqual(a.paragraphs, [p1, p2, p3])
    }
}
