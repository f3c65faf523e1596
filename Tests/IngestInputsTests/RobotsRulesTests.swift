import Foundation
import XCTest
@testable import IngestInputs

final class RobotsRulesTests: XCTestCase {
    let text = """
    # comments are ignored
    User-agent: *
    Disallow: /private
    Allow: /private/press
    Crawl-delay: 5

    User-agent: ingestd
    User-agent: otherbot
    Disallow: /archive/*.pdf$
    Disallow: /search
    Allow: /search/about

    User-agent: badbot
    Disallow: /
    """

    func testOurOwnGroupWinsOverTheStarGroup() {
        let rules = RobotsRules(parsing: text, agent: "ingestd")
        XCTAssertTrue(rules.allows("/private/anything"), "the * group does not apply when ours exists")
        XCTAssertFalse(rules.allows("/search?q=kim"))
        XCTAssertTrue(rules.allows("/search/about"), "the longer Allow wins")
        XCTAssertFalse(rules.allows("/archive/2019/summit.pdf"))
        XCTAssertTrue(rules.allows("/archive/2019/summit.pdf.html"), "$ anchors the end")
        XCTAssertTrue(rules.allows("/"))
        XCTAssertNil(rules.crawlDelay)
    }

    func testTheStarGroupOtherwise() {
        let rules = RobotsRules(parsing: text, agent: "someone")
        XCTAssertFalse(rules.allows("/private/x"))
        XCTAssertTrue(rules.allows("/private/press/2019"))
        XCTAssertEqual(rules.crawlDelay, 5)
    }

    func testEmptyAndUnreachable() {
        XCTAssertTrue(RobotsRules(parsing: "User-agent: *\nDisallow:\n", agent: "ingestd").allows("/anything"))
        XCTAssertTrue(RobotsRules.allowAll.allows("/x"))
        XCTAssertFalse(RobotsRules.disallowAll.allows("/x"))
    }
}
