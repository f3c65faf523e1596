import XCTest
@testable import IngestStages

/// Plain-text wire copy (a dateline, no page furniture) is kept whole: headline, dateline,
/// results tables and all. Invented text: fictional towns, clubs and people.
final class WireCopyTests: XCTestCase {
    func testDatelinesOfTheAgencies() {
        for line in ["VARNO 2019-02-28", "NEW VARNO, Ostland 2019-02-28", "VARNO, Ostland (AP) — The council met.",
                     "ST. HALLEN (Reuters) - Shares fell.", "HALLEN -- Prices rose on Monday."] {
            XCTAssertTrue(WireDateline.opens(line), line)
        }
        for line in ["Varno 2019-02-28", "VARNO", "The VARNO council met", "NEWS | SPORT | WEATHER", "A 2019-02-28",
                     "OSTLAND TAKES THE LEAD AT HOME"] {
            XCTAssertFalse(WireDateline.opens(line), line)
        }
    }

    let wire = """
    SOCCER - VARNO CITY STAY TOP AFTER HALLEN WIN.

    VARNO 2019-02-28

    Varno City stayed top of the Ostland league on Thursday after a 2-1 win at Hallen United, their fourth win in a row.

    Results:

    Hallen United 1 Varno City 2

    Brenna Rovers 0 Ostby Athletic 0

    Standings after Thursday's games:

    Varno City 12 9 2 1 29

    Ostby Athletic 12 8 2 2 25
    """

    func testWireCopyKeepsHeadlineDatelineAndTables() {
        let article = PlainTextScrapeParser.parse(wire)
        XCTAssertEqual(article.title, "SOCCER - VARNO CITY STAY TOP AFTER HALLEN WIN.")
        XCTAssertEqual(article.paragraphs.first, "VARNO 2019-02-28")
        XCTAssertEqual(article.paragraphs.count, 8)
        XCTAssertEqual(article.paragraphs.last, "Ostby Athletic 12 8 2 2 25")
    }

    func testAScrapeWithADatelineButPageChromeIsStillCutToItsBody() {
        // The same story inside a web page: menus, share prompts, related links around it.
        var lines = ["Home", "News", "Sport", "Share this article", "Share on Facebook", "VARNO 2019-02-28"]
        lines.append("Varno City stayed top of the Ostland league on Thursday after a 2-1 win at Hallen United, their fourth win in a row, and their coach said the side would not change before the derby.")
        lines.append("The club's supporters filled the away end at Hallen for the first time in ten years, and the home side's manager said his players had given everything in the second half of the match.")
        lines += ["Related stories", "Hallen United sack their coach", "Cookie settings", "Privacy policy", "Follow us on Twitter"]
        let article = PlainTextScrapeParser.parse(lines.joined(separator: "\n"))
        XCTAssertFalse(article.paragraphs.contains("Related stories"))
        XCTAssertFalse(article.paragraphs.contains("Cookie settings"))
        XCTAssertTrue(article.paragraphs.contains { $0.hasPrefix("Varno City stayed top") })
    }
}
