import Foundation
import XCTest
import IngestCore
@testable import IngestDaemon

/// `ingestd tail`'s parser, filter and renderer on a log recorded for the test: the daemon's own
/// lines, the journal's JSON export (our line in MESSAGE, and systemd's own messages), a
/// syslog-style line and garbage.
final class TailLogTests: XCTestCase {
    static let recorded = [
        #"{"ts":"2026-11-24T05:31:02.123Z","level":"notice","msg":"ingestd started","pipeline":"news","stages":["normalize","dedupe"]}"#,
        #"{"ts":"2026-11-24T05:31:03.900Z","level":"warning","msg":"document rejected","detail":"fewer than 10 words","doc":"0123456789abcdef0123456789abcdef","path":"/data/inbox/a b.txt","reason":"no_content","stage":"normalize"}"#,
        "Segmentation fault (core dumped)",
        #"{"__REALTIME_TIMESTAMP":"1795325464000000","PRIORITY":"6","_SYSTEMD_UNIT":"ingestd.service","MESSAGE":"{\"ts\":\"2026-11-24T05:31:04.000Z\",\"level\":\"info\",\"msg\":\"record written\",\"dedupe\":\"duplicate\",\"doc\":\"fedcba9876543210fedcba9876543210\",\"ms\":12.5,\"path\":\"/data/inbox/b.txt\",\"words\":120}"}"#,
        #"{"__REALTIME_TIMESTAMP":"1795325465500000","PRIORITY":"3","_SYSTEMD_UNIT":"init.scope","MESSAGE":"ingestd.service: Main process exited, code=exited, status=1/FAILURE"}"#,
        #"{"__REALTIME_TIMESTAMP":"1795325466000000","PRIORITY":"4","MESSAGE":[105,110,103,101,115,116,100,32,255]}"#,
        #"Nov 24 05:31:07 host ingestd[81]: {"ts":"2026-11-24T05:31:07.000Z","level":"info","msg":"document dropped","doc":"aaaabbbbccccddddaaaabbbbccccdddd","of":"fedcba9876543210fedcba9876543210","reason":"duplicate","stage":"dedupe"}"#,
        "",
        #"{"not":"a log line"}"#,
    ]

    private var lines: [LogLine] { Self.recorded.compactMap(LogLineParser.parse) }
    private let utc = TimeZone(identifier: "UTC")!

    func testParsesEveryKindOfLineAndSkipsBlankOnes() {
        let parsed = lines
        XCTAssertEqual(parsed.count, 8, "the blank line is skipped")
        guard case .entry(let started) = parsed[0], case .entry(let rejected) = parsed[1], case .other(let crash) = parsed[2],
              case .entry(let wrapped) = parsed[3], case .entry(let systemd) = parsed[4], case .entry(let bytes) = parsed[5],
              case .entry(let prefixed) = parsed[6], case .other(let unknown) = parsed[7] else {
            return XCTFail("unexpected kinds: \(parsed)")
        }
        XCTAssertEqual(started.level, .notice)
        XCTAssertEqual(started.time ?? 0, 1_795_498_262.123, accuracy: 0.0005)
        XCTAssertEqual(rejected.field("reason"), .string("no_content"))
        XCTAssertEqual(crash, "Segmentation fault (core dumped)")
        XCTAssertEqual(wrapped.message, "record written", "the journal's MESSAGE holds our line")
        XCTAssertEqual(wrapped.field("doc"), .string("fedcba9876543210fedcba9876543210"))
        XCTAssertEqual(systemd.message, "ingestd.service: Main process exited, code=exited, status=1/FAILURE")
        XCTAssertEqual(systemd.level, .error, "PRIORITY 3 is err")
        XCTAssertEqual(systemd.time, 1_795_325_465.5)
        XCTAssertEqual(bytes.message, "ingestd \u{FFFD}", "a MESSAGE exported as bytes")
        XCTAssertEqual(prefixed.field("stage"), .string("dedupe"))
        XCTAssertEqual(unknown, #"{"not":"a log line"}"#)
    }

    func testLevelIsAMinimumSeverity() {
        let shown = lines.filter(LogFilter(minimum: .warning).shows)
        let messages = shown.map { line -> String in
            if case .entry(let e) = line { return e.message }
            if case .other(let t) = line { return t }
            return ""
        }
        XCTAssertEqual(messages, ["document rejected", "Segmentation fault (core dumped)",
                                  "ingestd.service: Main process exited, code=exited, status=1/FAILURE", "ingestd \u{FFFD}",
                                  #"{"not":"a log line"}"#])
    }

    func testDocAndStageFiltersKeepOnlyTheirEntries() {
        let byDoc = lines.filter(LogFilter(doc: "fedcba987654").shows)
        XCTAssertEqual(byDoc.count, 1, "the prefix the renderer shows finds the document; lines about others (even with of=) are hidden")
        guard case .entry(let e) = byDoc.first else { return XCTFail() }
        XCTAssertEqual(e.message, "record written")
        XCTAssertEqual(lines.filter(LogFilter(doc: "").shows).count, 0)
        let byStage = lines.filter(LogFilter(stage: "dedupe").shows)
        XCTAssertEqual(byStage.count, 1)
        let both = lines.filter(LogFilter(minimum: .warning, stage: "normalize").shows)
        XCTAssertEqual(both.count, 1)
    }

    func testPlainRenderingHasNoEscapesAndPutsWhatALineIsAboutFirst() {
        let renderer = LogRenderer(style: TerminalStyle(colored: false), timeZone: utc)
        let out = lines.map(renderer.render)
        XCTAssertEqual(out[0], #"05:31:02 NOTE  ingestd started  pipeline=news  stages=["normalize","dedupe"]"#)
        XCTAssertEqual(out[1], #"05:31:03 WARN  document rejected  doc=0123456789ab  stage=normalize  reason=no_content  path="/data/inbox/a b.txt"  detail="fewer than 10 words""#)
        XCTAssertEqual(out[2], "Segmentation fault (core dumped)")
        XCTAssertEqual(out[3], "05:31:04 INFO  record written  doc=fedcba987654  path=/data/inbox/b.txt  dedupe=duplicate  ms=12.5  words=120")
        XCTAssertEqual(out[4], "05:31:05 ERROR ingestd.service: Main process exited, code=exited, status=1/FAILURE  unit=init.scope")
        XCTAssertEqual(out[6], "05:31:07 INFO  document dropped  doc=aaaabbbbcccc  stage=dedupe  reason=duplicate  of=fedcba987654")
        XCTAssertFalse(out.joined().contains("\u{1B}"), "no ANSI escapes when not a terminal")
    }

    func testColouredRenderingMarksLevelsAndDimsOtherLines() {
        let renderer = LogRenderer(style: TerminalStyle(colored: true), timeZone: utc)
        let out = lines.map(renderer.render)
        XCTAssertTrue(out[1].contains("\u{1B}[33mWARN \u{1B}[0m"), out[1])
        XCTAssertTrue(out[4].contains("\u{1B}[31mERROR\u{1B}[0m"), out[4])
        XCTAssertEqual(out[2], "\u{1B}[2mSegmentation fault (core dumped)\u{1B}[0m")
    }

    func testTimesAreShownInTheLocalZone() {
        let renderer = LogRenderer(style: TerminalStyle(colored: false), timeZone: TimeZone(secondsFromGMT: 9 * 3600)!)
        XCTAssertTrue(renderer.render(lines[0]).hasPrefix("14:31:02 "), renderer.render(lines[0]))
        XCTAssertEqual(RFC3339.seconds("2026-11-24T14:31:02+09:00"), RFC3339.seconds("2026-11-24T05:31:02Z"))
        XCTAssertNil(RFC3339.seconds("yesterday"))
    }
}
