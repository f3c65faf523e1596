import XCTest
@testable import IngestStages

final class PublicationDateParserTests: XCTestCase {
    func testMonthNameFirst() {
        XCTAssertEqual(PublicationDateParser.isoDate(in: "Tuesday, January 29, 2019, 11:20"), "2019-01-29")
        XCTAssertEqual(PublicationDateParser.isoDate(in: "Feb 27, 2019"), "2019-02-27")
        XCTAssertEqual(PublicationDateParser.isoDate(in: "Nov. 19, 2019 8:03 am ET"), "2019-11-19")
        XCTAssertEqual(PublicationDateParser.isoDate(in: "Posted on Sept 3rd, 2021 by Staff"), "2021-09-03")
    }

    func testDayFirst() {
        XCTAssertEqual(PublicationDateParser.isoDate(in: "27 February 2019"), "2019-02-27")
        XCTAssertEqual(PublicationDateParser.isoDate(in: "Updated : 19 November 2019, 09:01 AM"), "2019-11-19")
        XCTAssertEqual(PublicationDateParser.isoDate(in: "1st of March, 2020"), "2020-03-01")
        XCTAssertEqual(PublicationDateParser.isoDate(in: "05.06.2018"), "2018-06-05")
    }

    func testNumericYearFirst() {
        XCTAssertEqual(PublicationDateParser.isoDate(in: "2019-02-27 10:11"), "2019-02-27")
        XCTAssertEqual(PublicationDateParser.isoDate(in: "2019/02/27"), "2019-02-27")
        XCTAssertEqual(PublicationDateParser.isoDate(in: "Updated: 2019-02-27"), "2019-02-27")
        XCTAssertEqual(PublicationDateParser.isoDate(in: "[ 2018-08-25 15:24 ]"), "2018-08-25")
    }

    func testSlashDatesOnlyWhenUnambiguous() {
        XCTAssertEqual(PublicationDateParser.isoDate(in: "27/02/2019"), "2019-02-27")
        XCTAssertEqual(PublicationDateParser.isoDate(in: "02/27/2019"), "2019-02-27")
        XCTAssertNil(PublicationDateParser.isoDate(in: "03/04/2019"))
    }

    func testRejectsImpossibleDates() {
        XCTAssertNil(PublicationDateParser.isoDate(in: "February 30, 2019"))
        XCTAssertNil(PublicationDateParser.isoDate(in: "2019-13-01"))
        XCTAssertNil(PublicationDateParser.isoDate(in: "2019-02-29"))
        XCTAssertEqual(PublicationDateParser.isoDate(in: "2020-02-29"), "2020-02-29")
        XCTAssertNil(PublicationDateParser.isoDate(in: "31 April 2021"))
        XCTAssertNil(PublicationDateParser.isoDate(in: "March 3, 1066"))
    }

    func testNoDate() {
        XCTAssertNil(PublicationDateParser.isoDate(in: ""))
        XCTAssertNil(PublicationDateParser.isoDate(in: "By Mara Kellison"))
        XCTAssertNil(PublicationDateParser.isoDate(in: "Version 2019.1.2.3 released"))
        XCTAssertNil(PublicationDateParser.isoDate(in: "May we all do better"))
    }
}
