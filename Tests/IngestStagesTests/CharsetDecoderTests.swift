import XCTest
@testable import IngestStages

final class CharsetDecoderTests: XCTestCase {
    typealias F = CharsetFixtures

    /// `<html>` page around `body`, declaring its charset with `declaration` (a whole tag, or "").
    private func page(_ declaration: String, _ body: [UInt8]) -> [UInt8] {
        Array("<!DOCTYPE html>\n<html><head>\(declaration)<title>t</title></head><body><p>".utf8) + body
            + Array("</p></body></html>\n".utf8)
    }

    private func pageText(_ declaration: String, _ body: String) -> String {
        "<!DOCTYPE html>\n<html><head>\(declaration)<title>t</title></head><body><p>" + body + "</p></body></html>\n"
    }

    private func assertResult(_ result: CharsetDecoder.Result, _ text: String, _ encoding: String, _ source: String,
                              errors: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.text, text, file: file, line: line)
        XCTAssertEqual(result.encoding, encoding, file: file, line: line)
        XCTAssertEqual(result.source, source, file: file, line: line)
        XCTAssertEqual(result.hadErrors, errors, file: file, line: line)
    }

    // MARK: - One test per supported encoding: declared in the page, and detected without declaration

    func testWindows1252DeclaredAndDetected() {
        let meta = "<meta charset=\"windows-1252\">"
        assertResult(CharsetDecoder.decode(page(meta, F.cp1252French)), pageText(meta, F.cp1252FrenchText), "windows-1252", "declared")
        assertResult(CharsetDecoder.decode(F.cp1252French), F.cp1252FrenchText, "windows-1252", "detected")
        assertResult(CharsetDecoder.decode(F.cp1252German), F.cp1252GermanText, "windows-1252", "detected")
    }

    func testISO88591DeclaredDecodesWithWindows1252Rules() {
        // 0x93/0x94 are C1 controls in real ISO-8859-1; WHATWG (and browsers) read them as “ ”.
        let meta = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">"
        assertResult(CharsetDecoder.decode(page(meta, F.cp1252German)), pageText(meta, F.cp1252GermanText), "windows-1252", "declared")
        assertResult(CharsetDecoder.decode(F.cp1252German, declared: "ISO-8859-1"), F.cp1252GermanText, "windows-1252", "declared")
        assertResult(CharsetDecoder.decode(F.cp1252German, declared: "latin1"), F.cp1252GermanText, "windows-1252", "declared")
    }

    func testGBKDeclaredAsGB2312AndDetected() {
        let meta = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
        assertResult(CharsetDecoder.decode(page(meta, F.gbkChinese)), pageText(meta, F.gbkChineseText), "gbk", "declared")
        assertResult(CharsetDecoder.decode(F.gbkChinese, declared: "GBK"), F.gbkChineseText, "gbk", "declared")
        assertResult(CharsetDecoder.decode(F.gbkChinese), F.gbkChineseText, "gbk", "detected")
        assertResult(CharsetDecoder.decode(page("", F.gbkChinese)), pageText("", F.gbkChineseText), "gbk", "detected")
    }

    func testShiftJISDeclaredAndDetected() {
        let meta = "<meta charset=\"Shift_JIS\">"
        assertResult(CharsetDecoder.decode(page(meta, F.sjisJapanese)), pageText(meta, F.sjisJapaneseText), "shift_jis", "declared")
        assertResult(CharsetDecoder.decode(F.sjisJapanese, declared: "x-sjis"), F.sjisJapaneseText, "shift_jis", "declared")
        assertResult(CharsetDecoder.decode(F.sjisJapanese), F.sjisJapaneseText, "shift_jis", "detected")
        assertResult(CharsetDecoder.decode(page("", F.sjisJapanese)), pageText("", F.sjisJapaneseText), "shift_jis", "detected")
    }

    func testEUCJPDeclaredAndDetected() {
        let xml = "<?xml version=\"1.0\" encoding=\"EUC-JP\"?>"
        let bytes = Array(xml.utf8) + F.eucjpJapanese
        assertResult(CharsetDecoder.decode(bytes), xml + F.eucjpJapaneseText, "euc-jp", "declared")
        assertResult(CharsetDecoder.decode(F.eucjpJapanese), F.eucjpJapaneseText, "euc-jp", "detected")
    }

    func testEUCKRDeclaredAndDetected() {
        let meta = "<meta charset=ks_c_5601-1987>"
        assertResult(CharsetDecoder.decode(page(meta, F.euckrKorean)), pageText(meta, F.euckrKoreanText), "euc-kr", "declared")
        assertResult(CharsetDecoder.decode(F.euckrKorean, declared: "EUC-KR"), F.euckrKoreanText, "euc-kr", "declared")
        assertResult(CharsetDecoder.decode(F.euckrKorean), F.euckrKoreanText, "euc-kr", "detected")
        assertResult(CharsetDecoder.decode(page("", F.euckrKorean)), pageText("", F.euckrKoreanText), "euc-kr", "detected")
    }

    func testKOI8RDeclaredAndDetected() {
        let meta = "<meta http-equiv=Content-Type content='text/html; charset=KOI8-R'>"
        assertResult(CharsetDecoder.decode(page(meta, F.koi8rRussian)), pageText(meta, F.russianText), "koi8-r", "declared")
        assertResult(CharsetDecoder.decode(F.koi8rRussian), F.russianText, "koi8-r", "detected")
        assertResult(CharsetDecoder.decode(page("", F.koi8rRussian)), pageText("", F.russianText), "koi8-r", "detected")
    }

    func testWindows1251DetectedAndToldApartFromKOI8R() {
        assertResult(CharsetDecoder.decode(F.cp1251Russian), F.russianText, "windows-1251", "detected")
        assertResult(CharsetDecoder.decode(F.cp1251Russian, declared: "cp1251"), F.russianText, "windows-1251", "declared")
    }

    func testBig5DeclaredAndDetected() {
        let meta = "<meta charset=\"big5\">"
        assertResult(CharsetDecoder.decode(page(meta, F.big5Chinese)), pageText(meta, F.big5ChineseText), "big5", "declared")
        assertResult(CharsetDecoder.decode(F.big5Chinese), F.big5ChineseText, "big5", "detected")
    }

    func testUTF8Detected() {
        let text = "Grüße aus 東京 — Привет"
        assertResult(CharsetDecoder.decode(Array(text.utf8)), text, "utf-8", "detected")
        assertResult(CharsetDecoder.decode(Array("plain ASCII".utf8)), "plain ASCII", "utf-8", "detected")
    }

    // MARK: - BOMs

    func testByteOrderMarks() {
        let text = "Grüße aus 東京 𝄞"
        assertResult(CharsetDecoder.decode([0xEF, 0xBB, 0xBF] + Array(text.utf8)), text, "utf-8", "bom")
        let le = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let be = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        assertResult(CharsetDecoder.decode([0xFF, 0xFE] + le), text, "utf-16le", "bom")
        assertResult(CharsetDecoder.decode([0xFE, 0xFF] + be), text, "utf-16be", "bom")
        // The BOM beats both the declared label and the markup.
        let html = "<meta charset=\"shift_jis\"><p>café</p>"
        assertResult(CharsetDecoder.decode([0xEF, 0xBB, 0xBF] + Array(html.utf8), declared: "windows-1252"), html, "utf-8", "bom")
        // An odd trailing byte after UTF-16 is an error, not a crash.
        assertResult(CharsetDecoder.decode([0xFF, 0xFE, 0x41, 0x00, 0x42]), "A\u{FFFD}", "utf-16le", "bom", errors: true)
    }

    func testUTF16WithoutBOMDetectedFromNULs() {
        let text = "<html><body>Hello, world</body></html>"
        let le = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let be = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        assertResult(CharsetDecoder.decode(le), text, "utf-16le", "detected")
        assertResult(CharsetDecoder.decode(be), text, "utf-16be", "detected")
    }

    // MARK: - Order of evidence and distrust of declarations

    func testDeclaredArgumentBeatsMarkup() {
        let meta = "<meta charset=\"windows-1251\">"
        assertResult(CharsetDecoder.decode(page(meta, F.koi8rRussian), declared: "koi8-r"), pageText(meta, F.russianText),
                     "koi8-r", "declared")
    }

    func testSniffHTMLFalseIgnoresMarkup() {
        let meta = "<meta charset=\"windows-1251\">"
        assertResult(CharsetDecoder.decode(page(meta, F.koi8rRussian), sniffHTML: false), pageText(meta, F.russianText),
                     "koi8-r", "detected")
    }

    func testPageDeclaringISO88591ButWrittenInUTF8() {
        let meta = "<meta charset=\"iso-8859-1\">"
        let body = "Café “naïve” — Zoë’s 東京"
        assertResult(CharsetDecoder.decode(Array(pageText(meta, body).utf8)), pageText(meta, body), "utf-8", "detected")
        assertResult(CharsetDecoder.decode(Array(body.utf8), declared: "ISO-8859-1"), body, "utf-8", "detected")
    }

    func testPageDeclaringGBKButWrittenInUTF8() {
        let meta = "<meta charset=\"gbk\">"
        let body = "北京市政府今天发布了新的交通管理办法。"
        assertResult(CharsetDecoder.decode(Array(pageText(meta, body).utf8)), pageText(meta, body), "utf-8", "detected")
    }

    func testPageDeclaringUTF8ButWrittenInWindows1252() {
        let meta = "<meta charset=\"utf-8\">"
        assertResult(CharsetDecoder.decode(page(meta, F.cp1252French)), pageText(meta, F.cp1252FrenchText), "windows-1252", "detected")
    }

    func testPageDeclaringShiftJISButWrittenInEUCJP() {
        let meta = "<meta charset=\"shift_jis\">"
        assertResult(CharsetDecoder.decode(page(meta, F.eucjpJapanese)), pageText(meta, F.eucjpJapaneseText), "euc-jp", "detected")
    }

    func testUnknownDeclaredLabelsAreIgnored() {
        assertResult(CharsetDecoder.decode(F.koi8rRussian, declared: "x-klingon"), F.russianText, "koi8-r", "detected")
        let meta = "<meta charset=\"bogus-8\">"
        let body = "Grüße aus Köln"
        assertResult(CharsetDecoder.decode(Array(pageText(meta, body).utf8)), pageText(meta, body), "utf-8", "detected")
        // An unknown first declaration does not hide a later, known one.
        let two = "<meta charset=\"bogus-8\"><meta charset=\"koi8-r\">"
        assertResult(CharsetDecoder.decode(page(two, F.koi8rRussian)), pageText(two, F.russianText), "koi8-r", "declared")
        // "replacement" labels (ISO-2022-KR, HZ) are not used to decode.
        assertResult(CharsetDecoder.decode(F.euckrKorean, declared: "iso-2022-kr"), F.euckrKoreanText, "euc-kr", "detected")
    }

    // MARK: - Invalid input

    func testInvalidBytesBecomeReplacementCharacters() {
        // UTF-8 with one broken byte stays UTF-8.
        let utf8 = Array("Привет, мир! Как дела? ".utf8) + [0xFF] + Array(" Всё хорошо.".utf8)
        assertResult(CharsetDecoder.decode(utf8, declared: "utf-8"), "Привет, мир! Как дела? \u{FFFD} Всё хорошо.", "utf-8",
                     "declared", errors: true)
        assertResult(CharsetDecoder.decode(utf8), "Привет, мир! Как дела? \u{FFFD} Всё хорошо.", "utf-8", "detected", errors: true)
        // GBK with a byte that is no GBK lead byte, and a lead byte cut off at the end.
        assertResult(CharsetDecoder.decode(F.gbkChinese + [0xFF] + F.gbkChinese, declared: "gb2312"),
                     F.gbkChineseText + "\u{FFFD}" + F.gbkChineseText, "gbk", "declared", errors: true)
        assertResult(CharsetDecoder.decode(F.gbkChinese + [0xB1], declared: "gbk"), F.gbkChineseText + "\u{FFFD}", "gbk",
                     "declared", errors: true)
        // UTF-8 cut inside its last character (a truncated write).
        let cut = Array("東京の天気".utf8).dropLast()
        assertResult(CharsetDecoder.decode(Array(cut)), "東京の天\u{FFFD}", "utf-8", "detected", errors: true)
    }

    // MARK: - Pathological input

    func testEmptyInput() {
        assertResult(CharsetDecoder.decode([]), "", "utf-8", "detected")
        assertResult(CharsetDecoder.decode([], declared: "gbk"), "", "gbk", "declared")
        assertResult(CharsetDecoder.decode([], declared: "utf-16le"), "", "utf-16le", "declared")
        XCTAssertNil(CharsetDecoder.declaredInMarkup([]))
    }

    func testNULFilledInput() {
        let nuls = [UInt8](repeating: 0, count: 100_000)
        assertResult(CharsetDecoder.decode(nuls), String(repeating: "\u{0}", count: 100_000), "utf-8", "detected")
        let r = CharsetDecoder.decode(nuls, declared: "shift_jis")
        XCTAssertEqual(r.text.unicodeScalars.count, 100_000)
        XCTAssertEqual(r.encoding, "shift_jis")
    }

    func testTenMegabytesOf0xFF() {
        let ff = [UInt8](repeating: 0xFF, count: 10 * 1024 * 1024)
        let r = CharsetDecoder.decode(ff)
        XCTAssertEqual(r.encoding, "windows-1252")
        XCTAssertEqual(r.source, "fallback")
        XCTAssertFalse(r.hadErrors)
        XCTAssertEqual(r.text.unicodeScalars.count, ff.count)
        XCTAssertTrue(r.text.unicodeScalars.allSatisfy { $0 == "ÿ" })
        // Declared as GBK, where 0xFF is never valid: every byte is one U+FFFD.
        let g = CharsetDecoder.decode(ff, declared: "gbk")
        XCTAssertEqual(g.encoding, "gbk")
        XCTAssertTrue(g.hadErrors)
        XCTAssertEqual(g.text.unicodeScalars.count, ff.count)
        XCTAssertTrue(g.text.unicodeScalars.allSatisfy { $0 == "\u{FFFD}" })
    }

    func testTruncatedMultiByteSequencesAtTheEnd() {
        let leads: [(String, UInt8)] = [("gbk", 0x81), ("gb18030", 0x81), ("shift_jis", 0x81), ("euc-jp", 0xB0),
                                        ("euc-kr", 0xB0), ("big5", 0xA4), ("utf-8", 0xE6)]
        for (encoding, lead) in leads {
            let r = CharsetDecoder.decode(Array("ok ".utf8) + [lead], declared: encoding)
            XCTAssertTrue(r.hadErrors, encoding)
            XCTAssertTrue(r.text.hasSuffix("\u{FFFD}"), encoding)
        }
        assertResult(CharsetDecoder.decode([0x00, 0x41, 0x00], declared: "utf-16be"), "A\u{FFFD}", "utf-16be", "declared", errors: true)
        let sjis = CharsetDecoder.decode(F.sjisJapanese + [0x93], declared: "shift_jis")
        assertResult(sjis, F.sjisJapaneseText + "\u{FFFD}", "shift_jis", "declared", errors: true)
    }

    func testRandomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 2, 3, 7, 64, 1000, 70_000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for declared in [nil, "gbk", "shift_jis", "euc-jp", "euc-kr", "big5", "koi8-r", "utf-8", "utf-16le", "iso-2022-jp"] {
                let r = CharsetDecoder.decode(bytes, declared: declared)
                XCTAssertFalse(r.encoding.isEmpty)
            }
        }
    }

    // MARK: - declaredInMarkup

    func testDeclaredInMarkupForms() {
        XCTAssertEqual(CharsetDecoder.declaredInMarkup(Array("<html><head><meta charset=\"UTF-8\"></head>".utf8)), "utf-8")
        XCTAssertEqual(CharsetDecoder.declaredInMarkup(Array(
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">".utf8)), "shift_jis")
        XCTAssertEqual(CharsetDecoder.declaredInMarkup(Array("<?xml version=\"1.0\" encoding=\"EUC-JP\"?><rss>".utf8)), "euc-jp")
    }

    func testDeclaredInMarkupOddSpellings() {
        let cases: [(String, String?)] = [
            ("<META CHARSET=GB2312>", "gb2312"),
            ("<meta   charset = 'koi8-r' />", "koi8-r"),
            ("<meta\ncharset=\"  windows-1251  \"\n>", "windows-1251"),
            ("<Meta Content=\"text/html;charset=EUC-KR\" HTTP-EQUIV=\"content-type\">", "euc-kr"),
            ("<meta http-equiv='Content-Type' content='text/html; Charset = \"big5\"'>", "big5"),
            ("<meta http-equiv=content-type content=text/html;charset=iso-8859-2>", "iso-8859-2"),
            ("<?xml version='1.0' encoding = 'windows-1252' ?>", "windows-1252"),
            ("<meta name=\"viewport\" content=\"width=device-width\"><meta charset=utf-8>", "utf-8"),
            // Not declarations:
            ("<html><body>charset=gbk</body></html>", nil),
            ("<!-- <meta charset=\"gbk\"> --><p>x</p>", nil),
            ("<a title='<meta charset=gbk>'>x</a>", nil),
            ("<meta content=\"text/html; charset=gbk\">", nil),   // content without http-equiv
            ("<meta charset=\"\">", nil),
            ("<metadata charset=\"gbk\">", nil),
            ("", nil),
        ]
        for (html, expected) in cases {
            XCTAssertEqual(CharsetDecoder.declaredInMarkup(Array(html.utf8)), expected, html)
        }
        // Only the first 4 KB are looked at.
        let late = String(repeating: " ", count: 4100) + "<meta charset=\"gbk\">"
        XCTAssertNil(CharsetDecoder.declaredInMarkup(Array(late.utf8)))
        // Unterminated tags and quotes at the end of the input do not hang.
        XCTAssertNil(CharsetDecoder.declaredInMarkup(Array("<meta charset=\"gbk".utf8)))
        XCTAssertNil(CharsetDecoder.declaredInMarkup(Array("<!--".utf8)))
        XCTAssertNil(CharsetDecoder.declaredInMarkup(Array("<?xml encoding=".utf8)))
    }

    // MARK: - canonicalName

    func testCanonicalNames() {
        let cases: [(String, String?)] = [
            ("latin1", "windows-1252"), ("iso-8859-1", "windows-1252"), ("ascii", "windows-1252"), ("US-ASCII", "windows-1252"),
            ("gb2312", "gbk"), ("x-gbk", "gbk"), ("GBK", "gbk"), ("gb18030", "gb18030"),
            ("sjis", "shift_jis"), ("ms_kanji", "shift_jis"), ("Windows-31J", "shift_jis"),
            ("ks_c_5601-1987", "euc-kr"), ("windows-949", "euc-kr"),
            ("utf8", "utf-8"), (" UTF-8\n", "utf-8"), ("utf-16", "utf-16le"), ("unicodefffe", "utf-16be"),
            ("koi8", "koi8-r"), ("cp1251", "windows-1251"), ("latin2", "iso-8859-2"), ("big5-hkscs", "big5"),
            ("x-euc-jp", "euc-jp"), ("iso-8859-9", "windows-1254"), ("tis-620", "windows-874"),
            ("iso-2022-kr", "replacement"), ("hz-gb-2312", "replacement"),
            ("utf-7", nil), ("x-klingon", nil), ("", nil), ("latin-1", nil),
        ]
        for (label, expected) in cases {
            XCTAssertEqual(CharsetDecoder.canonicalName(label), expected, label)
        }
    }

    func testEveryCanonicalNameHasAConverter() {
        for (name, _) in CharsetDecoder.labelTable where name != "replacement" {
            XCTAssertTrue(CharsetDecoder.canConvert(name), name)
        }
    }
}

/// Byte fixtures: sentences written for these tests, encoded with Python's codecs
/// (`list('…'.encode('gbk'))` etc.).
enum CharsetFixtures {
    static let cp1252FrenchText = "Le café de la gare coûte 3 € — « très cher », dit Zoë à l'hôtel."
    static let cp1252GermanText = "Die Bürger in Köln sagten: “Großartig!” Das Straßenfest läuft."
    static let gbkChineseText = "北京市政府今天发布了新的交通管理办法，市民对此反应积极。"
    static let sjisJapaneseText = "東京では今日、新しい図書館が開館しました。多くの人が訪れています。"
    static let eucjpJapaneseText = sjisJapaneseText
    static let euckrKoreanText = "서울시는 오늘 새로운 교통 정책을 발표했습니다. 시민들의 반응은 긍정적입니다."
    static let russianText = "Сегодня в Москве открылась новая библиотека, и многие жители пришли её посетить."
    static let big5ChineseText = "臺北市政府今天宣布新的交通政策，市民反應熱烈。"

    /// "Le café de la gare coûte 3 € — « très cher », dit Zoë à l'hôtel." in cp1252
    static let cp1252French: [UInt8] = [
        0x4C, 0x65, 0x20, 0x63, 0x61, 0x66, 0xE9, 0x20, 0x64, 0x65, 0x20, 0x6C, 0x61, 0x20, 0x67, 0x61,
        0x72, 0x65, 0x20, 0x63, 0x6F, 0xFB, 0x74, 0x65, 0x20, 0x33, 0x20, 0x80, 0x20, 0x97, 0x20, 0xAB,
        0x20, 0x74, 0x72, 0xE8, 0x73, 0x20, 0x63, 0x68, 0x65, 0x72, 0x20, 0xBB, 0x2C, 0x20, 0x64, 0x69,
        0x74, 0x20, 0x5A, 0x6F, 0xEB, 0x20, 0xE0, 0x20, 0x6C, 0x27, 0x68, 0xF4, 0x74, 0x65, 0x6C, 0x2E,
    ]
    /// 'Die Bürger in Köln sagten: “Großartig!” Das Straßenfest läuft.' in cp1252
    static let cp1252German: [UInt8] = [
        0x44, 0x69, 0x65, 0x20, 0x42, 0xFC, 0x72, 0x67, 0x65, 0x72, 0x20, 0x69, 0x6E, 0x20, 0x4B, 0xF6,
        0x6C, 0x6E, 0x20, 0x73, 0x61, 0x67, 0x74, 0x65, 0x6E, 0x3A, 0x20, 0x93, 0x47, 0x72, 0x6F, 0xDF,
        0x61, 0x72, 0x74, 0x69, 0x67, 0x21, 0x94, 0x20, 0x44, 0x61, 0x73, 0x20, 0x53, 0x74, 0x72, 0x61,
        0xDF, 0x65, 0x6E, 0x66, 0x65, 0x73, 0x74, 0x20, 0x6C, 0xE4, 0x75, 0x66, 0x74, 0x2E,
    ]
    /// '北京市政府今天发布了新的交通管理办法，市民对此反应积极。' in gbk
    static let gbkChinese: [UInt8] = [
        0xB1, 0xB1, 0xBE, 0xA9, 0xCA, 0xD0, 0xD5, 0xFE, 0xB8, 0xAE, 0xBD, 0xF1, 0xCC, 0xEC, 0xB7, 0xA2,
        0xB2, 0xBC, 0xC1, 0xCB, 0xD0, 0xC2, 0xB5, 0xC4, 0xBD, 0xBB, 0xCD, 0xA8, 0xB9, 0xDC, 0xC0, 0xED,
        0xB0, 0xEC, 0xB7, 0xA8, 0xA3, 0xAC, 0xCA, 0xD0, 0xC3, 0xF1, 0xB6, 0xD4, 0xB4, 0xCB, 0xB7, 0xB4,
        0xD3, 0xA6, 0xBB, 0xFD, 0xBC, 0xAB, 0xA1, 0xA3,
    ]
    /// '東京では今日、新しい図書館が開館しました。多くの人が訪れています。' in cp932
    static let sjisJapanese: [UInt8] = [
        0x93, 0x8C, 0x8B, 0x9E, 0x82, 0xC5, 0x82, 0xCD, 0x8D, 0xA1, 0x93, 0xFA, 0x81, 0x41, 0x90, 0x56,
        0x82, 0xB5, 0x82, 0xA2, 0x90, 0x7D, 0x8F, 0x91, 0x8A, 0xD9, 0x82, 0xAA, 0x8A, 0x4A, 0x8A, 0xD9,
        0x82, 0xB5, 0x82, 0xDC, 0x82, 0xB5, 0x82, 0xBD, 0x81, 0x42, 0x91, 0xBD, 0x82, 0xAD, 0x82, 0xCC,
        0x90, 0x6C, 0x82, 0xAA, 0x96, 0x4B, 0x82, 0xEA, 0x82, 0xC4, 0x82, 0xA2, 0x82, 0xDC, 0x82, 0xB7,
        0x81, 0x42,
    ]
    /// '東京では今日、新しい図書館が開館しました。多くの人が訪れています。' in euc_jp
    static let eucjpJapanese: [UInt8] = [
        0xC5, 0xEC, 0xB5, 0xFE, 0xA4, 0xC7, 0xA4, 0xCF, 0xBA, 0xA3, 0xC6, 0xFC, 0xA1, 0xA2, 0xBF, 0xB7,
        0xA4, 0xB7, 0xA4, 0xA4, 0xBF, 0xDE, 0xBD, 0xF1, 0xB4, 0xDB, 0xA4, 0xAC, 0xB3, 0xAB, 0xB4, 0xDB,
        0xA4, 0xB7, 0xA4, 0xDE, 0xA4, 0xB7, 0xA4, 0xBF, 0xA1, 0xA3, 0xC2, 0xBF, 0xA4, 0xAF, 0xA4, 0xCE,
        0xBF, 0xCD, 0xA4, 0xAC, 0xCB, 0xAC, 0xA4, 0xEC, 0xA4, 0xC6, 0xA4, 0xA4, 0xA4, 0xDE, 0xA4, 0xB9,
        0xA1, 0xA3,
    ]
    /// '서울시는 오늘 새로운 교통 정책을 발표했습니다. 시민들의 반응은 긍정적입니다.' in euc_kr
    static let euckrKorean: [UInt8] = [
        0xBC, 0xAD, 0xBF, 0xEF, 0xBD, 0xC3, 0xB4, 0xC2, 0x20, 0xBF, 0xC0, 0xB4, 0xC3, 0x20, 0xBB, 0xF5,
        0xB7, 0xCE, 0xBF, 0xEE, 0x20, 0xB1, 0xB3, 0xC5, 0xEB, 0x20, 0xC1, 0xA4, 0xC3, 0xA5, 0xC0, 0xBB,
        0x20, 0xB9, 0xDF, 0xC7, 0xA5, 0xC7, 0xDF, 0xBD, 0xC0, 0xB4, 0xCF, 0xB4, 0xD9, 0x2E, 0x20, 0xBD,
        0xC3, 0xB9, 0xCE, 0xB5, 0xE9, 0xC0, 0xC7, 0x20, 0xB9, 0xDD, 0xC0, 0xC0, 0xC0, 0xBA, 0x20, 0xB1,
        0xE0, 0xC1, 0xA4, 0xC0, 0xFB, 0xC0, 0xD4, 0xB4, 0xCF, 0xB4, 0xD9, 0x2E,
    ]
    /// 'Сегодня в Москве открылась новая библиотека, и многие жители пришли её посетить.' in koi8_r
    static let koi8rRussian: [UInt8] = [
        0xF3, 0xC5, 0xC7, 0xCF, 0xC4, 0xCE, 0xD1, 0x20, 0xD7, 0x20, 0xED, 0xCF, 0xD3, 0xCB, 0xD7, 0xC5,
        0x20, 0xCF, 0xD4, 0xCB, 0xD2, 0xD9, 0xCC, 0xC1, 0xD3, 0xD8, 0x20, 0xCE, 0xCF, 0xD7, 0xC1, 0xD1,
        0x20, 0xC2, 0xC9, 0xC2, 0xCC, 0xC9, 0xCF, 0xD4, 0xC5, 0xCB, 0xC1, 0x2C, 0x20, 0xC9, 0x20, 0xCD,
        0xCE, 0xCF, 0xC7, 0xC9, 0xC5, 0x20, 0xD6, 0xC9, 0xD4, 0xC5, 0xCC, 0xC9, 0x20, 0xD0, 0xD2, 0xC9,
        0xDB, 0xCC, 0xC9, 0x20, 0xC5, 0xA3, 0x20, 0xD0, 0xCF, 0xD3, 0xC5, 0xD4, 0xC9, 0xD4, 0xD8, 0x2E,
    ]
    /// 'Сегодня в Москве открылась новая библиотека, и многие жители пришли её посетить.' in cp1251
    static let cp1251Russian: [UInt8] = [
        0xD1, 0xE5, 0xE3, 0xEE, 0xE4, 0xED, 0xFF, 0x20, 0xE2, 0x20, 0xCC, 0xEE, 0xF1, 0xEA, 0xE2, 0xE5,
        0x20, 0xEE, 0xF2, 0xEA, 0xF0, 0xFB, 0xEB, 0xE0, 0xF1, 0xFC, 0x20, 0xED, 0xEE, 0xE2, 0xE0, 0xFF,
        0x20, 0xE1, 0xE8, 0xE1, 0xEB, 0xE8, 0xEE, 0xF2, 0xE5, 0xEA, 0xE0, 0x2C, 0x20, 0xE8, 0x20, 0xEC,
        0xED, 0xEE, 0xE3, 0xE8, 0xE5, 0x20, 0xE6, 0xE8, 0xF2, 0xE5, 0xEB, 0xE8, 0x20, 0xEF, 0xF0, 0xE8,
        0xF8, 0xEB, 0xE8, 0x20, 0xE5, 0xB8, 0x20, 0xEF, 0xEE, 0xF1, 0xE5, 0xF2, 0xE8, 0xF2, 0xFC, 0x2E,
    ]
    /// '臺北市政府今天宣布新的交通政策，市民反應熱烈。' in big5
    static let big5Chinese: [UInt8] = [
        0xBB, 0x4F, 0xA5, 0x5F, 0xA5, 0xAB, 0xAC, 0x46, 0xA9, 0xB2, 0xA4, 0xB5, 0xA4, 0xD1, 0xAB, 0xC5,
        0xA5, 0xAC, 0xB7, 0x73, 0xAA, 0xBA, 0xA5, 0xE6, 0xB3, 0x71, 0xAC, 0x46, 0xB5, 0xA6, 0xA1, 0x41,
        0xA5, 0xAB, 0xA5, 0xC1, 0xA4, 0xCF, 0xC0, 0xB3, 0xBC, 0xF6, 0xAF, 0x50, 0xA1, 0x43,
    ]
}
