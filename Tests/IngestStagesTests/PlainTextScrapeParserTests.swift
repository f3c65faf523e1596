import XCTest
@testable import IngestStages

/// All fixtures are invented: fictional outlets, people and events.
final class PlainTextScrapeParserTests: XCTestCase {
    // Reusable body paragraphs (long enough to read as prose).
    let p1 = "The harbour council of Lake Verrin voted on Monday to rebuild the old ferry pier, ending a dispute that had lasted for more than six years."
    let p2 = "Council members said the new pier would be finished before the summer season, and that local fishing crews would keep their moorings during the work."
    let p3 = "Residents who spoke at the meeting were mostly in favour, although several asked the council to publish the full cost of the project before construction begins."
    let p4 = "The ferry operator said it expected passenger numbers to recover quickly once the pier reopens, pointing to strong bookings from neighbouring towns."

    func testEmptyInput() {
        XCTAssertEqual(PlainTextScrapeParser.parse(""), ScrapedArticle())
        XCTAssertEqual(PlainTextScrapeParser.parse("\n\n  \r\n\t\n"), ScrapedArticle())
    }

    func testInputWithNoHeaderIsAllBody() {
        let a = PlainTextScrapeParser.parse([p1, p2, p3].joined(separator: "\n"))
        XCTAssertNil(a.title)
        XCTAssertNil(a.published)
        XCTAssertEqual(a.byline, [])
        XCTAssertEqual(a.paragraphs, [p1, p2, p3])
    }

    func testOnlyFurnitureGivesNoParagraphs() {
        let text = """
        Share this story
        Follow us on Twitter
        Advertisement
        Copyright © 2020 Example Media Group. All rights reserved.
        Subscribe to our newsletter
        . .
        """
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs, [])
        XCTAssertNil(a.authorInfo)
    }

    func testHeaderWithSiteBreadcrumbDateTitleAndByline() {
        let text = """
        Verrin Daily

        Home> Opinion> Content
        Tuesday, March 3, 2020, 09:15
        Ferry pier deal ends six-year dispute
        By Mara Kellison
        Tuesday, March 3, 2020, 09:15 By Mara Kellison

        \(p1)

        \(p2)
        """
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.site, "Verrin Daily")
        XCTAssertEqual(a.title, "Ferry pier deal ends six-year dispute")
        XCTAssertEqual(a.byline, ["Mara Kellison"])
        XCTAssertEqual(a.published, "2020-03-03")
        XCTAssertEqual(a.paragraphs, [p1, p2])
    }

    func testBylineWithTwoAuthorsAndUpdatedStamp() {
        let text = "Harbour plan approved\nBy Tomas Ferro and Ines Calder\nUpdated: 2021-07-14 10:11\n\(p1)\n\(p2)"
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.byline, ["Tomas Ferro", "Ines Calder"])
        XCTAssertEqual(a.published, "2021-07-14")
        XCTAssertEqual(a.title, "Harbour plan approved")
        XCTAssertEqual(a.paragraphs, [p1, p2])
    }

    func testNamePipeUpdatedByline() {
        let text = "Harbour plan approved\nSelma Rautio | Updated: 2018-11-02\n\(p1)\n\(p2)"
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.byline, ["Selma Rautio"])
        XCTAssertEqual(a.published, "2018-11-02")
        XCTAssertFalse(a.paragraphs.contains { $0.contains("Selma") })
    }

    func testSiteSplitFromFurnitureAndShortNameLineDropped() {
        let text = """
        Pier deal brings relief to fishing crews
        Northwind Times / No Comments Share:
        Orla Penhale
        \(p1)
        \(p2)
        """
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.site, "Northwind Times")
        XCTAssertEqual(a.title, "Pier deal brings relief to fishing crews")
        XCTAssertEqual(a.byline, [], "an unexplained name line is not a byline")
        XCTAssertEqual(a.paragraphs, [p1, p2])
    }

    func testEditorsNoteCurlyApostropheAndNameAsByline() {
        let note = "Editor’s Note: Dana Whitlow is a senior fellow at the Institute for Coastal Studies. The article reflects the author's opinion, and not necessarily the views of Coastline Network."
        let a = PlainTextScrapeParser.parse([note, p1, p2].joined(separator: "\n"))
        XCTAssertEqual(a.editorsNote, "Dana Whitlow is a senior fellow at the Institute for Coastal Studies. The article reflects the author's opinion, and not necessarily the views of Coastline Network.")
        XCTAssertEqual(a.byline, ["Dana Whitlow"])
        XCTAssertEqual(a.site, "Coastline Network")
        XCTAssertEqual(a.paragraphs, [p1, p2])
    }

    func testEditorsNoteLowercaseStraightApostrophe() {
        let a = PlainTextScrapeParser.parse("editor's note: two experts discuss the pier.\n\(p1)\n\(p2)")
        XCTAssertEqual(a.editorsNote, "two experts discuss the pier.")
        XCTAssertEqual(a.byline, [])
        XCTAssertEqual(a.paragraphs, [p1, p2])
    }

    func testCaptionsDeduplicatedAndKeptOutOfBody() {
        let c1 = "Fishing boats moored at the old pier in Lake Verrin, March 2, 2020. /Harbor Photo"
        let c2 = "The council chamber during Monday's vote. REUTERS/Pat Ommer"
        let text = [c1, p1, c1, p2, c2, "File photo: the ferry leaving the pier in 2015.", p3, "(Photo: Lena Dorr)", p4].joined(separator: "\n")
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.captions, [c1, c2, "File photo: the ferry leaving the pier in 2015.", "(Photo: Lena Dorr)"])
        XCTAssertEqual(a.paragraphs, [p1, p2, p3, p4])
    }

    func testAgencyCreditsAtLineEnd() {
        let c = "A ferry crosses the lake at dawn on Sunday. (AP Photo/Rui Santos)"
        let g = "Crowds gather outside the council offices. Jo Marr/Getty Images"
        let a = PlainTextScrapeParser.parse([p1, c, p2, g, p3].joined(separator: "\n"))
        XCTAssertEqual(a.captions, [c, g])
        XCTAssertEqual(a.paragraphs, [p1, p2, p3])
    }

    func testFurnitureAnywhereIsRemoved() {
        let text = """
        The Education Fair banner
        Pier deal approved
        \(p1)
        Share:
        Advertisement
        \(p2)
        . .
        Follow us on Facebook
        \(p3)
        Please click in the upper right corner to open it in your browser !
        """
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs, [p1, p2, p3])
        XCTAssertEqual(a.title, "Pier deal approved")
    }

    func testTerminalMarkerDropsTeasers() {
        let text = """
        \(p1)
        \(p2)
        Share and Like this post
        Related Posts
        Previous Article
        Why the lake ferry still matters
        Next Article
        A short history of Verrin harbour
        """
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs, [p1, p2])
    }

    func testShareBarMidArticleKeepsLongTail() {
        let text = [p1, p2, "Share this story", p3, p4].joined(separator: "\n")
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs, [p1, p2, p3, p4])
    }

    func testContributionFooterAndCopyrightDropped() {
        let text = [p1, p2, "(If you want to contribute and have specific expertise, please contact us desk@example.org.)",
                    "Copyright 2020 Lake Verrin Courier. All rights reserved."].joined(separator: "\n")
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs, [p1, p2])
    }

    func testTrailingAuthorParagraphAndDisclaimerSite() {
        let info = "The author is a researcher at the Verrin Institute of Lake Studies. The views don't necessarily represent those of Lakeside Herald."
        let a = PlainTextScrapeParser.parse([p1, p2, p3, info, "Share this story"].joined(separator: "\n"))
        XCTAssertEqual(a.authorInfo, info)
        XCTAssertEqual(a.site, "Lakeside Herald")
        XCTAssertEqual(a.paragraphs, [p1, p2, p3])
    }

    func testSectionCreditsAndSubheadingsStayInBody() {
        let text = [p1, "Costs must be published", p2, p3, "Irma Castell, a professor of civil engineering at Verrin Polytechnic",
                    "Share this story"].joined(separator: "\n")
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.paragraphs, [p1, "Costs must be published", p2, p3, "Irma Castell, a professor of civil engineering at Verrin Polytechnic"])
        XCTAssertNil(a.authorInfo)
    }

    /// A line the scraper met twice in a row. (A sentence-shaped paragraph of 15+ words repeated within three
    /// lines is the article's own repeat and stays: ScrapeBodyRegionTests.)
    func testRepeatedLinesAppearOnce() {
        let a = PlainTextScrapeParser.parse([p1, p2, "Costs must be published", "Costs must be published", p3].joined(separator: "\n"))
        XCTAssertEqual(a.paragraphs, [p1, p2, "Costs must be published", p3])
    }

    func testSourcePublishedLine() {
        let text = "Pier deal approved\nSource: Verrin Courier Published: 2019-05-06 08:00\n\(p1)\n\(p2)"
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.site, "Verrin Courier")
        XCTAssertEqual(a.published, "2019-05-06")
        XCTAssertEqual(a.paragraphs, [p1, p2])
    }

    func testNoDateGuessedFromBody() {
        let body = "The ferry first sailed on June 4, 1998, and its last crossing under the old operator was on 12 May 2019, the council said."
        let a = PlainTextScrapeParser.parse([p1, body, p2].joined(separator: "\n"))
        XCTAssertNil(a.published)
        XCTAssertEqual(a.paragraphs, [p1, body, p2])
    }

    func testPageTitleLineGivesTitleAndSite() {
        let text = """
        Ferry pier deal ends dispute - The Verrin Courier
        Home
        News
        Sports
        Ferry pier deal ends dispute
        \(p1)
        \(p2)
        \(p3)
        Most Popular
        Another story headline here
        """
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.title, "Ferry pier deal ends dispute")
        XCTAssertEqual(a.site, "The Verrin Courier")
        XCTAssertEqual(a.paragraphs, [p1, p2, p3])
    }

    func testWindowsLineEndingsAndNonBreakingSpaces() {
        let text = "Pier\u{00A0}deal approved\r\nBy  Mara\u{00A0}Kellison\r\n\r\n\(p1)\r\n\(p2.replacingOccurrences(of: " ", with: "  "))\r\n"
        let a = PlainTextScrapeParser.parse(text)
        XCTAssertEqual(a.title, "Pier deal approved")
        XCTAssertEqual(a.byline, ["Mara Kellison"])
        XCTAssertEqual(a.paragraphs, [p1, p2])
        XCTAssertFalse(a.paragraphs.joined().contains("\r"))
    }

    func testMojibakeIsRepaired() {
        let broken = "The council\u{E2}\u{80}\u{99}s vote was \u{E2}\u{80}\u{9C}final,\u{E2}\u{80}\u{9D} the mayor said after the long meeting ended late on Monday."
        let a = PlainTextScrapeParser.parse([p1, broken, p2].joined(separator: "\n"))
        XCTAssertEqual(a.paragraphs[1], "The council’s vote was “final,” the mayor said after the long meeting ended late on Monday.")
    }

    // Its speed is measured by `ingestd-bench`, not here.
    func testVeryLongSingleLineIsKeptWhole() {
        let sentence = "The lake was calm and the ferry crossed slowly. "
        var big = ""
        big.reserveCapacity(1_100_000)
        while big.utf8.count < 1_000_000 { big += sentence }
        let a = PlainTextScrapeParser.parse(big)
        XCTAssertEqual(a.paragraphs.count, 1)
        XCTAssertEqual(a.paragraphs.first?.utf8.count, big.trimmingCharacters(in: .whitespaces).utf8.count)
    }

    func testNavigationHeavyPageFindsBody() {
        var lines = ["Pier deal approved | Verrin Courier"]
        for item in ["Home", "World", "Business", "Sports", "Opinion", "Sign In", "Subscribe", "Search"] { lines.append(item) }
        lines += ["Pier deal approved", "March 3, 2020 By Mara Kellison", p1, p2, p3, p4, "Related Articles"]
        for item in ["Council delays budget vote", "New bakery opens on Main Street", "Weather: storms expected"] { lines.append(item) }
        lines += ["Privacy Policy", "Terms of Use", "© 2020 Verrin Courier"]
        let a = PlainTextScrapeParser.parse(lines.joined(separator: "\n"))
        XCTAssertEqual(a.title, "Pier deal approved")
        XCTAssertEqual(a.site, "Verrin Courier")
        XCTAssertEqual(a.byline, ["Mara Kellison"])
        XCTAssertEqual(a.published, "2020-03-03")
        XCTAssertEqual(a.paragraphs, [p1, p2, p3, p4])
    }
}
