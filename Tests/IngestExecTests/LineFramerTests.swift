import XCTest
@testable import IngestExec

/// How stdout bytes become lines, whatever the pipe's chunking.
final class LineFramerTests: XCTestCase {
    private func frame(_ chunks: [String], max: Int = 1024) -> [String] {
        var framer = LineFramer(maxLineBytes: max)
        var out: [String] = []
        for chunk in chunks {
            Array(chunk.utf8).withUnsafeBufferPointer { bytes in
                framer.feed(bytes) { event in
                    switch event {
                    case .line(let l): out.append(String(decoding: l, as: UTF8.self))
                    case .overlong(let p): out.append("OVERLONG:\(p.count)")
                    }
                }
            }
        }
        return out
    }

    func testLinesSplitAcrossChunksAndCarriageReturnsAreJoinedAndTrimmed() {
        XCTAssertEqual(frame(["{\"a\"", ":1}\r\n{\"b\":2}\n{\"c", "\":3}\n"]), [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#])
        XCTAssertEqual(frame(["no newline yet"]), [])
    }

    func testAnOverlongLineIsReportedOnceWithAPrefixAndTheNextLineIsRead() {
        let long = String(repeating: "x", count: 3000)
        XCTAssertEqual(frame([long.prefix(1500) + "", long.suffix(1500) + "\nok\n"], max: 2000), ["OVERLONG:1024", "ok"])
    }
}
