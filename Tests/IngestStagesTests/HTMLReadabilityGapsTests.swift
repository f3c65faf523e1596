import XCTest
@testable import IngestStages

/// Pages where text of the article was lost or teasers kept: paragraphs that repeat, words in
/// links named like furniture, a "Related" box of cut-off excerpts, link items in a list of
/// prose points, and a stream of teaser items outscoring the story.
final class HTMLReadabilityGapsTests: XCTestCase {
    private func extract(_ html: String) -> HTMLArticle { HTMLArticleExtractor.extract(utf8: Array(html.utf8)) }

    private let refrain = "The river rose again that night, and the people of the lower town carried what they could up the hill, as their parents had done, and their parents before them."

    func testAParagraphTheArticleRepeatsIsKeptEachTime() {
        // Sibling paragraphs with the same text (a refrain, or text around an SVG that the
        // byte scan removes) are the article's; only one block rendered twice is an artefact.
        let html = """
        <!DOCTYPE html><html><head><title>Flood song</title></head><body>
        <article><h1>Flood song</h1>
        <p>\(refrain)</p>
        <p>\(refrain)</p>
        <svg viewBox="0 0 10 10"><g><polygon points="1,1 2,2"/></g></svg>
        <p>\(refrain)</p>
        </article></body></html>
        """
        XCTAssertEqual(extract(html).paragraphs, [refrain, refrain, refrain])
    }

    func testOneBlockRenderedTwiceByATemplateIsWrittenOnce() {
        // The same standfirst in two different wrappers (say, one for phones, one for desktops)
        // is still written once.
        let html = """
        <!DOCTYPE html><html><head><title>Flood</title></head><body>
        <article><div class="dek-a"><p>\(refrain)</p></div><div class="dek-b"><p>\(refrain)</p></div>
        <p>Volunteers filled sandbags through the morning, and by noon the water had begun to fall, leaving mud in every street of the lower town.</p>
        </article></body></html>
        """
        XCTAssertEqual(extract(html).paragraphs.filter { $0 == refrain }.count, 1)
    }

    func testALinkNamedLikeFurnitureInsideASentenceKeepsItsWords() {
        // Study texts link words to pop-up notes (`class="popup"`); the link is a word of the
        // sentence, not a pop-up box.
        let html = """
        <!DOCTYPE html><html><head><title>Study text</title></head><body><table><tr><td>
        <p><a href="javascript:void(0)" class="popup">I</a> am a <a href="javascript:void(0)" class="popup">rather elderly</a> man. The nature of my <a class="popup" href="#">avocations</a> for the last thirty years has brought me into more than ordinary contact with what would seem an interesting and somewhat singular set of men.</p>
        <p>Imprimis: I am a man who, from his youth upwards, has been filled with a profound conviction that the easiest way of life is the best.</p>
        </td></tr></table>
        <div class="popup"><p>Subscribe to our letters for more notes like these.</p></div>
        </body></html>
        """
        let a = extract(html)
        XCTAssertEqual(a.paragraphs.first, "I am a rather elderly man. The nature of my avocations for the last thirty years has brought me into more than ordinary contact with what would seem an interesting and somewhat singular set of men.")
        XCTAssertFalse(a.paragraphs.contains { $0.contains("Subscribe") }, "a pop-up box is still furniture")
    }

    func testARelatedBoxOfCutOffExcerptsEndsTheArticle() {
        let body = (1...4).map { n in
            "Paragraph \(n) of the report says the survey asked developers, in more than one hundred and seventy countries, which skills employers wanted most, and which tools they would rather not use again."
        }
        let excerpt = "Stack Overflow published the results of its developer survey, summarizing responses from fifty thousand developers in one hundred and seventy countries. The survey collected answers from more than twice as many developers as the previous year, and the results were published with a note that…"
        let html = """
        <!DOCTYPE html><html><head><title>Survey</title></head><body>
        <article><div class="entry-content">
        \(body.map { "<p>\($0)</p>" }.joined())
        <div class="jp-relatedposts"><h3><em>Related</em></h3>
          <div class="item"><h4><a href="/a">Survey results show the trend</a></h4><p>\(excerpt)</p><p>March 17, 2016</p></div>
          <div class="item"><h4><a href="/b">Survey ranks the tools</a></h4><p>\(excerpt)</p><p>April 8, 2015</p></div>
        </div></div></article></body></html>
        """
        XCTAssertEqual(extract(html).paragraphs, body)
    }

    func testLinkItemsInAListOfProsePointsAreKept() {
        let html = """
        <!DOCTYPE html><html><head><title>These weeks</title></head><body>
        <article><div class="entry-content">
        <p>Here is what the team worked on in the last two weeks, with thanks to everyone who sent patches, reviews and bug reports.</p>
        <h3>Highlights</h3>
        <ul>
          <li><a href="/review">Here is our Year in Review!</a></li>
          <li>We have just landed a change which aims to prevent starting an update while another instance is running, the cause of a confusing error page.</li>
          <li>Users can now import saved logins from a password manager's export file, which many of you asked for over the years.</li>
        </ul>
        <p>That is all for this issue; the next one will follow in two weeks, after the holidays.</p>
        </div></article></body></html>
        """
        XCTAssertTrue(extract(html).paragraphs.contains("Here is our Year in Review!"))
    }

    func testAStreamOfTeaserItemsDoesNotOutscoreTheStory() {
        // Each teaser item holds a heading and a blurb in paragraphs; the item used to score its
        // list with all its text as one paragraph, on top of what its paragraphs gave it.
        let story = (1...6).map { n in
            "Part \(n): the photographer, a veteran herself, said she had no idea the picture, which showed a newborn wrapped in a flag, would be considered controversial."
        }
        let teasers = (1...16).map { n in
            """
            <li class="js-stream-content"><div class="Bfc"><h3><a href="/s\(n)">Teaser headline number \(n) for the stream</a></h3>
            <div class="Ov-h"><p>Teaser \(n) blurb: an actor, best known for a sitcom, died on Tuesday at age 69, a publicist said, after a career as a writer, producer and host.</p></div></div>
            <div class="src">Morning Show</div></li>
            """
        }.joined()
        let html = """
        <!DOCTYPE html><html><head><title>Photo sparks controversy</title></head><body>
        <div id="Main"><section class="yom-article"><div class="body">\(story.map { "<p>\($0)</p>" }.joined())</div></section>
        <div class="yom-remote"><div><div><ul id="Stream">\(teasers)</ul></div></div></div></div>
        </body></html>
        """
        XCTAssertEqual(extract(html).paragraphs, story)
    }
}
