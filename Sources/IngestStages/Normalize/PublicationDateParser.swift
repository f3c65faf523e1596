/// Finds a calendar date stated in a short line (a dateline, a byline, an "Updated:" stamp).
///
/// Recognised shapes (anywhere in the line, first match wins):
/// - `2019-02-27`, `2019/02/27`, `2019.02.27` (year first, optionally followed by a time)
/// - `February 27, 2019`, `Feb. 27 2019`, `Tuesday, Feb 27th, 2019, 11:20`
/// - `27 February 2019`, `27th of Feb, 2019`, `27-Feb-2019`
/// - `27.02.2019` (day first with dots) and unambiguous `27/02/2019` or `02/27/2019`
///   (slash dates where both numbers are ≤ 12 are ambiguous and rejected).
/// Impossible dates (month 13, February 30, years outside 1900...2100) are rejected.
public enum PublicationDateParser {
    /// Parses a date stated in a line such as "Tuesday, January 29, 2019, 11:20", "Feb 27, 2019", "27 February 2019",
    /// "2019-02-27 10:11", "2019/02/27", "Updated: 2019-02-27", returns "YYYY-MM-DD" or nil. Rejects impossible dates.
    public static func isoDate(in line: String) -> String? {
        // Cheap rejection: every supported shape has a four-digit year.
        guard hasFourDigitRun(line) else { return nil }
        // Bounded work: dates are stated in short lines; look at the first 400 scalars only.
        let tokens = tokenize(line, limit: 400)
        if tokens.isEmpty { return nil }
        var i = 0
        while i < tokens.count {
            if let date = match(tokens, at: i) { return date }
            i += 1
        }
        return nil
    }

    static func hasFourDigitRun(_ line: String) -> Bool {
        var run = 0
        var seen = 0
        for b in line.utf8 {
            seen += 1
            if seen > 1600 { return false }
            if b >= 48 && b <= 57 { run += 1; if run >= 4 { return true } } else { run = 0 }
        }
        return false
    }

    // MARK: - Tokens

    enum Kind: Equatable { case number, word, sep }

    struct Token {
        var kind: Kind
        var text: String      // lowercased for words; digits for numbers; the separator scalar for seps
        var value: Int = 0    // numeric value for numbers
        var digits: Int = 0   // digit count for numbers
    }

    static func tokenize(_ line: String, limit: Int) -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var currentKind: Kind? = nil
        var count = 0
        func flush() {
            guard let kind = currentKind else { return }
            var token = Token(kind: kind, text: current)
            if kind == .number {
                token.digits = current.unicodeScalars.count
                token.value = token.digits <= 9 ? (Int(current) ?? 0) : -1
            }
            tokens.append(token)
            current = ""
            currentKind = nil
        }
        for scalar in line.unicodeScalars {
            count += 1
            if count > limit { break }
            let v = scalar.value
            if v >= 48 && v <= 57 {
                if currentKind != .number { flush(); currentKind = .number }
                current.unicodeScalars.append(scalar)
            } else if (v >= 65 && v <= 90) || (v >= 97 && v <= 122) {
                if currentKind != .word { flush(); currentKind = .word }
                let lower = (v <= 90) ? Unicode.Scalar(v + 32)! : scalar
                current.unicodeScalars.append(lower)
            } else {
                flush()
                switch v {
                case 32, 9, 0xA0:
                    continue // whitespace is not a token
                case 45, 47, 46, 44, 0x2013, 0x2014, 58, 124:
                    var t = Token(kind: .sep, text: "")
                    t.text.unicodeScalars.append(scalar)
                    tokens.append(t)
                default:
                    // Any other scalar (letters outside ASCII, brackets, ...) separates tokens.
                    tokens.append(Token(kind: .sep, text: "#"))
                }
            }
        }
        flush()
        return tokens
    }

    // MARK: - Matching

    static let months: [String: Int] = [
        "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
        "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
        "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
        "dec": 12, "december": 12,
    ]
    static let ordinalSuffixes: Set<String> = ["st", "nd", "rd", "th"]

    static func match(_ t: [Token], at i: Int) -> String? {
        let tok = t[i]
        // Only consider a token that starts a word or number (not glued to a preceding number/word).
        if tok.kind == .number {
            if tok.digits == 4 {
                // YYYY sep MM sep DD
                if i + 4 < t.count,
                   t[i + 1].kind == .sep, ["-", "/", "."].contains(t[i + 1].text),
                   t[i + 2].kind == .number, t[i + 2].digits <= 2,
                   t[i + 3].kind == .sep, t[i + 3].text == t[i + 1].text,
                   t[i + 4].kind == .number, t[i + 4].digits <= 2,
                   !precededByDigitGroup(t, before: i),
                   notFollowedByDigitGroup(t, after: i + 4, sep: t[i + 1].text) {
                    return iso(tok.value, t[i + 2].value, t[i + 4].value)
                }
                return nil
            }
            if tok.digits <= 2 {
                // DD sep MM sep YYYY (numeric)
                if i + 4 < t.count,
                   t[i + 1].kind == .sep, ["-", "/", "."].contains(t[i + 1].text),
                   t[i + 2].kind == .number, t[i + 2].digits <= 2,
                   t[i + 3].kind == .sep, t[i + 3].text == t[i + 1].text,
                   t[i + 4].kind == .number, t[i + 4].digits == 4,
                   !precededByDigitGroup(t, before: i) {
                    let a = tok.value, b = t[i + 2].value, y = t[i + 4].value
                    let sep = t[i + 1].text
                    if sep == "." || sep == "-" { return iso(y, b, a) }
                    // Slash: accept only unambiguous forms.
                    if a > 12 && b <= 12 { return iso(y, b, a) }
                    if b > 12 && a <= 12 { return iso(y, a, b) }
                    if a == b { return iso(y, a, b) }
                    return nil
                }
                // DD [st|nd|rd|th] [of] Month [,] YYYY   or DD-Mon-YYYY
                var j = i + 1
                if j < t.count, t[j].kind == .word, ordinalSuffixes.contains(t[j].text) { j += 1 }
                if j < t.count, t[j].kind == .sep, t[j].text == "-" || t[j].text == "." { j += 1 }
                if j < t.count, t[j].kind == .word, t[j].text == "of" { j += 1 }
                if j < t.count, t[j].kind == .word, let m = months[t[j].text] {
                    j += 1
                    while j < t.count, t[j].kind == .sep, [",", ".", "-"].contains(t[j].text) { j += 1 }
                    if j < t.count, t[j].kind == .number, t[j].digits == 4 {
                        return iso(t[j].value, m, tok.value)
                    }
                }
            }
            return nil
        }
        if tok.kind == .word, let m = months[tok.text] {
            // Month [.] DD [st] [,] YYYY
            var j = i + 1
            if j < t.count, t[j].kind == .sep, t[j].text == "." { j += 1 }
            guard j < t.count, t[j].kind == .number, t[j].digits <= 2 else { return nil }
            let day = t[j].value
            j += 1
            if j < t.count, t[j].kind == .word, ordinalSuffixes.contains(t[j].text) { j += 1 }
            while j < t.count, t[j].kind == .sep, t[j].text == "," || t[j].text == "." { j += 1 }
            if j < t.count, t[j].kind == .number, t[j].digits == 4 {
                return iso(t[j].value, m, day)
            }
            return nil
        }
        return nil
    }

    static func notFollowedByDigitGroup(_ t: [Token], after k: Int, sep: String) -> Bool {
        // Reject "2019.02.27.5" style version strings.
        if k + 2 < t.count, t[k + 1].kind == .sep, t[k + 1].text == sep, t[k + 2].kind == .number {
            return false
        }
        return true
    }

    static func precededByDigitGroup(_ t: [Token], before k: Int) -> Bool {
        if k >= 2, t[k - 1].kind == .sep, ["-", "/", "."].contains(t[k - 1].text), t[k - 2].kind == .number {
            return true
        }
        return false
    }

    static func iso(_ year: Int, _ month: Int, _ day: Int) -> String? {
        guard (1900...2100).contains(year), (1...12).contains(month), day >= 1 else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return nil }
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
