import IngestCore
import XCTest
@testable import IngestStages

/// A scraped news report laid out as seed 004 (China Military Online) is: headline, outlet and
/// reporter lines, a photo caption, "By NAME", then a report on US diplomacy full of "US", quotes
/// and "said". Through `normalize` and `genre` it is news, with its headline and byline. The text
/// is written for this test.
final class ReportGenreEndToEndTests: XCTestCase {
    private let scrape = """
        Envoys prepare for second harbour summit

        Coastal Defence Online
        Li Wen

        File photo: The US special envoy arrives in Seoul on the afternoon of March 3.

        By Ren Haoyu

        The second summit between the leaders of the US and the DPRK is to be held in Da Nang at the end of March. Many parties hope for real progress. But the US special envoy said frankly that it would be impossible to settle every difficult issue within a short time, while the Russian ambassador to China said that the multilateral talks are still paramount.

        On March 12, the commander of US forces in the ROK said that although tension between the US and the DPRK has eased, its military strength shows "almost no verifiable changes". The ROK military announced on March 14 that it would start building parts for a domestically made jet fighter.

        According to the Yonhap News Agency, the US-ROK joint exercise may be an important topic of the summit, and its outcome is likely to affect the plan of exercises for the year. Analysts believed the DPRK will take a halt to the exercises as a prerequisite for a lasting peace on the peninsula.

        A senior fellow at a US think tank said that the focus of the US-DPRK talks is on the pace of sanctions relief. "The US side wants verifiable steps first," he told reporters. The Russian ambassador said in an interview on March 14 that any agreement reached would be hard to implement without the talks.

        An editorial in a Singapore newspaper said that the joint statement of the first summit was vague, and the US and the DPRK stated that their working teams would meet again before the leaders do.
        """

    func testAScrapedReportOnUSDiplomacyIsNews() throws {
        var doc = Document(id: "r", origin: Origin(kind: .file, path: "/in/report.txt", size: scrape.utf8.count, sha256: "x"), raw: Array(scrape.utf8))
        XCTAssertEqual(try NormalizeStage(minWords: 10, invalidUTF8: .repair).processSynchronously(&doc), .keep)
        XCTAssertEqual(doc.title, "Envoys prepare for second harbour summit")
        XCTAssertEqual(doc.byline, ["Ren Haoyu"])
        _ = try GenreStage().processSynchronously(&doc)
        XCTAssertEqual(doc.genre, "news")
    }
}
