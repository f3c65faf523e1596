import XCTest
@testable import IngestStages

/// Where the article's edges are: rows of a results table that are the article, a cited source
/// written as a bare link, a box of teasers or a stamp beside the body, and the story going on
/// below an inline "Don't miss" box.
final class HTMLBodyBoundaryTests: XCTestCase {
    private func extract(_ html: String) -> HTMLArticle { HTMLArticleExtractor.extract(utf8: Array(html.utf8)) }

    private let prose = [
        "The council voted on Tuesday to keep the library open on Sundays, after a petition signed by more than four thousand residents.",
        "Opening hours had been cut last year to save money, and the library's staff said visits had fallen by a third since then, mostly among students.",
        "The extra hours will cost about 60,000 a year, which the council said it would find by renting out rooms in the town hall to clubs and choirs.",
        "Residents who had campaigned for the change said they were pleased, although several asked whether the hours would last beyond the trial year.",
        "The first Sunday opening is planned for March, and volunteers from the reading groups have offered to help the staff at the front desk.",
    ]
    private var paragraphs: String { prose.map { "<p>\($0)</p>" }.joined() }

    func testARowOfADataTableIsOneLine() {
        let html = """
        <!DOCTYPE html><html><head><title>Standings after the final race</title></head><body>
        <nav><a href="/">Home</a> <a href="/series">Series</a></nav>
        <div class="article-body">
        <p>Here are the final standings of the championship after the last of the thirty-six races of the season.</p>
        <table><tbody>
        <tr><td>Pos.</td><td>Driver</td><td>Points</td><td>Wins</td></tr>
        <tr><td>1</td><td>Kyle Busch</td><td>5040</td><td>5</td></tr>
        <tr><td>2</td><td>Martin Truex Jr.</td><td>5035</td><td>7</td></tr>
        <tr><td>3</td><td><b>Kevin</b> <i>Harvick</i></td><td>5033</td><td>4</td></tr>
        </tbody></table>
        <p>Only the first twelve drivers took part in the play-offs over the last ten races of the year.</p>
        </div>
        </body></html>
        """
        XCTAssertEqual(extract(html).paragraphs, [
            "Here are the final standings of the championship after the last of the thirty-six races of the season.",
            "Pos. Driver Points Wins",
            "1 Kyle Busch 5040 5",
            "2 Martin Truex Jr. 5035 7",
            "3 Kevin Harvick 5033 4",
            "Only the first twelve drivers took part in the play-offs over the last ten races of the year.",
        ])
    }

    func testALayoutCellHoldingParagraphsStillBreaks() {
        let html = """
        <!DOCTYPE html><html><head><title>Library stays open</title></head><body>
        <table><tr><td class="content">\(paragraphs)</td><td>Weather: sunny</td></tr></table>
        </body></html>
        """
        XCTAssertEqual(Array(extract(html).paragraphs.prefix(prose.count)), prose)
    }

    func testABareLinkToASourceIsKeptAndALinkedHeadlineIsNot() {
        let html = """
        <!DOCTYPE html><html><head><title>Where the schism began</title></head><body>
        <div class="entry-content">
        <p>The dispute over the succession began within hours of the death, and it divided the community for the centuries that followed, historians say.</p>
        <p>Both sides later wrote down their own account of those days, and the accounts still disagree on who was present and what was said.</p>
        <p><a href="http://example.org/2011/09/07/fatwa-on-insults/">http://example.org/2011/09/07/fatwa-on-insults/</a></p>
        <p>The scholars of both traditions have since warned their followers against insulting the companions of the prophet, the report said.</p>
        <p><a href="/2019/11/another-story">SCHOLARS MEET TO DISCUSS UNITY AFTER YEARS OF TENSION</a></p>
        </div>
        </body></html>
        """
        XCTAssertEqual(extract(html).paragraphs, [
            "The dispute over the succession began within hours of the death, and it divided the community for the centuries that followed, historians say.",
            "Both sides later wrote down their own account of those days, and the accounts still disagree on who was present and what was said.",
            "http://example.org/2011/09/07/fatwa-on-insults/",
            "The scholars of both traditions have since warned their followers against insulting the companions of the prophet, the report said.",
        ])
    }

    func testABoxOfTeasersBesideTheBodyIsNotJoined() {
        // Eight cards of a linked headline and a blurb with commas: the box scores above the
        // sibling threshold, but a third of its text is links.
        let cards = (0..<8).map { k in
            "<div class=\"card\"><h5><a href=\"/story/\(k)\">Council story number \(k) of the week in review</a></h5><p>A short blurb about story \(k), with a comma, another clause, and one more.</p></div>"
        }.joined(separator: "\n")
        let html = """
        <!DOCTYPE html><html><head><title>Library stays open</title></head><body>
        <div class="wrap"><div class="story">\(paragraphs)</div>
        <div class="latest">\(cards)</div></div>
        </body></html>
        """
        XCTAssertEqual(extract(html).paragraphs, prose)
    }

    func testAStampBoxAtTheEdgeOfTheBodyIsNotJoined() {
        // The stamp's row has the body row's class, which is what joined it.
        let html = """
        <!DOCTYPE html><html><head><title>Library stays open</title></head><body>
        <div class="wrap"><div class="row item"><div class="col"><small>Posted: Fri 6:45 PM, Feb 16, 2018 |</small></div></div>
        <div class="row item"><div class="col">\(paragraphs)</div></div></div>
        </body></html>
        """
        XCTAssertEqual(extract(html).paragraphs, prose)
    }

    func testTheStoryGoesOnBelowAnInlineDontMissBox() {
        let before = [
            "Police laid siege to the university on Monday, and the students inside were told that surrender was their only option.",
            "The protests began peacefully in June and were sparked by a bill that would have allowed suspects to be extradited.",
        ]
        // Shorter than the 40 words that used to be needed twice to go on past a marker.
        let after = [
            "Protesters believe the extradition bill is an example of the city's eroding autonomy under the central government.",
            "They worry that the freedoms given to the city when it was handed back are being taken away one by one.",
            "The government has urged an end to the violence and asked all sides to engage in a meaningful political dialogue.",
        ]
        let html = """
        <!DOCTYPE html><html><head><title>Siege at the university</title></head><body>
        <article><div class="text">\(before.map { "<p>\($0)</p>" }.joined())
        <p><strong>DON'T MISS</strong></p>
        <p><a href="/a">Leaders trade barbs over the city's unrest</a> [INSIGHT]<br><a href="/b">Game called off amid the turmoil</a> [VIDEO]<br><a href="/c">Military intervention threatened</a> [REACTION]</p>
        \(after.map { "<p>\($0)</p>" }.joined())</div></article>
        </body></html>
        """
        XCTAssertEqual(extract(html).paragraphs, before + after)
    }

    func testTeasersAfterAClosingMarkerStillEndTheBody() {
        let html = """
        <!DOCTYPE html><html><head><title>Library stays open</title></head><body>
        <article><div class="text">\(paragraphs)
        <p>Related stories</p>
        <p>Council agrees budget for the next year.</p>
        <p>Town hall rooms to be let to clubs.</p>
        </div></article>
        </body></html>
        """
        XCTAssertEqual(extract(html).paragraphs, prose)
    }
}
