import Foundation
import XCTest

/// `ingestd test` on the shipped cases, on a case with a wrong expectation, and on broken case files.
final class PipelineTestCommandTests: XCTestCase {
    private func temp() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("pipetest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    private var news: String { DaemonHarness.repository.appendingPathComponent("pipelines/news.yaml").path }

    func testTheShippedCasesPassAndAreFoundFromThePipelineAlone() throws {
        let r = try DaemonHarness.run(["test", news])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("pipelines/tests/news/desk.yaml"), r.out)
        XCTAssertTrue(r.out.contains("✓ an op-ed on a summit is diplomacy and opinion"), r.out)
        XCTAssertTrue(r.out.contains("✓ the same text twice is a duplicate of the first"), r.out)
        XCTAssertTrue(r.out.contains("✓ a two-word text is rejected for lack of content"), r.out)
        XCTAssertTrue(r.out.contains("✓ wire copy keeps its dateline, and the tagger names and types who and where"), r.out)
        XCTAssertTrue(r.out.hasSuffix("6 passed, 0 failed\n"), r.out)
        XCTAssertFalse(r.out.contains("✗"))
        XCTAssertFalse(r.out.contains("\u{1B}"), "no colour into a pipe")
    }

    func testAWrongExpectationFailsWithExpectedAndActualForTheField() throws {
        let d = try temp()
        let story = d.appendingPathComponent("story.txt")
        try """
            Council approves harbour budget

            By Ada Quill

            The council voted on Tuesday to approve the harbour budget after a long public hearing, officials said, and the work will begin in the spring.

            Residents asked for more detail on costs and on the timetable, and the mayor promised a report next month.
            """.write(to: story, atomically: true, encoding: .utf8)
        let cases = d.appendingPathComponent("cases.yaml")
        try """
            cases:
              - name: right about the title
                input: {file: story.txt}
                expect: {title: Council approves harbour budget}
              - name: wrong about the genre and the topics
                input: {file: story.txt}
                expect:
                  genre: opinion
                  topics: {includes: [sport]}
                  title: Council approves harbour budget
              - name: expects a rejection that does not come
                input: {file: story.txt}
                expect: {rejected: no_content}
            """.write(to: cases, atomically: true, encoding: .utf8)
        let r = try DaemonHarness.run(["test", news, cases.path])
        XCTAssertEqual(r.status, 1, r.out + r.err)
        XCTAssertTrue(r.out.contains("✓ right about the title"), r.out)
        XCTAssertTrue(r.out.contains("✗ wrong about the genre and the topics  (cases.yaml:5)"), r.out)
        XCTAssertTrue(r.out.contains("""
                  labels.genre
                    - expected: "opinion"
                    + actual:   null
            """), r.out)
        XCTAssertTrue(r.out.contains("""
                  labels.topics
                    - expected: contains "sport"
            """), r.out)
        XCTAssertFalse(r.out.contains("      title\n"), "the title was right: \(r.out)")
        XCTAssertTrue(r.out.contains("""
                  outcome
                    - expected: rejected as no_content
                    + actual:   recorded
            """), r.out)
        XCTAssertTrue(r.out.hasSuffix("1 passed, 2 failed\n"), r.out)
    }

    func testAMalformedCaseFileIsExitStatusTwoWithFileLineAndColumn() throws {
        let d = try temp()
        let cases = d.appendingPathComponent("bad.yaml")
        try """
            cases:
              - name: typo in a key
                input: {txt: hello there}
                expect: {genre: news, topic: [diplomacy]}
              - name: no expectation
                input: {file: missing.txt}
            """.write(to: cases, atomically: true, encoding: .utf8)
        let r = try DaemonHarness.run(["test", news, cases.path])
        XCTAssertEqual(r.status, 2, r.out + r.err)
        XCTAssertEqual(r.err.split(separator: "\n").map(String.init), [
            "\(cases.path):3:12: cases[0].input: an input needs text:, html: or file:",
            "\(cases.path):3:13: cases[0].input: unknown key 'txt'; did you mean 'text'?",
            "\(cases.path):4:27: cases[0].expect: unknown key 'topic'; did you mean 'topics'?",
            "\(cases.path):5:5: cases[1]: case 'no expectation' expects nothing; add expect: (to the case, for its last document, or to an input)",
            "\(cases.path):6:19: cases[1].input.file: no such file: \(d.path)/missing.txt (a path is relative to the case file)",
        ])
        XCTAssertEqual(r.out, "", "no case runs when the file has problems")

        let tabs = d.appendingPathComponent("tabs.yaml")
        try "cases:\n\t- name: x\n".write(to: tabs, atomically: true, encoding: .utf8)
        let t = try DaemonHarness.run(["test", news, tabs.path])
        XCTAssertEqual(t.status, 2)
        XCTAssertTrue(t.err.hasPrefix("\(tabs.path):2:"), t.err)
    }

    func testABadPipelineOrNoCasesIsExitStatusTwo() throws {
        let d = try temp()
        let pipeline = d.appendingPathComponent("p.yaml")
        try "stages:\n  - use: sentiment\n".write(to: pipeline, atomically: true, encoding: .utf8)
        let bad = try DaemonHarness.run(["test", pipeline.path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.hasPrefix("\(pipeline.path):2:10: stages[0].use: unknown stage 'sentiment'"), bad.err)

        try "stages:\n  - use: normalize\n".write(to: pipeline, atomically: true, encoding: .utf8)
        let none = try DaemonHarness.run(["test", pipeline.path])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.err.contains("no case file for this pipeline: looked for \(d.path)/p.test.yaml"), none.err)
    }
}
