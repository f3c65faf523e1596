/// A news agency's dateline opening a story: the place in capitals, maybe its state or country,
/// then the date, the agency in brackets, or a dash — "LONDON 1996-08-30", "BIRMINGHAM, England
/// 1996-08-31", "NAIROBI, Kenya (AP) —", "WASHINGTON (Reuters) - ". Web pages rarely open so;
/// wire copy nearly always does.
enum WireDateline {
    static func opens(_ line: String) -> Bool {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        var i = 0
        // The place: one to four words in capitals ("NEW YORK", "FARMINGTON HILLS,", "ST. LOUIS").
        while i < words.count, i < 4, isCapitals(words[i]) { i += 1 }
        guard i > 0 else { return false }
        // ", England" / ", Mich." after a comma: up to three capitalized words.
        if words[i - 1].hasSuffix(",") {
            var k = 0
            while i < words.count, k < 3, let f = words[i].unicodeScalars.first, f.properties.isUppercase, !isMarker(words[i]) {
                i += 1; k += 1
                if !words[i - 1].hasSuffix(",") { break }
            }
            guard k > 0 else { return false }
        }
        guard i < words.count else { return false }
        return isMarker(words[i])
    }

    /// Two letters or more, every letter a capital: "LONDON", "ST.", "HILLS,".
    private static func isCapitals(_ word: Substring) -> Bool {
        var letters = 0
        for u in word.unicodeScalars {
            if u.properties.isLowercase { return false }
            if u.properties.isAlphabetic { letters += 1 } else if !".,-'".unicodeScalars.contains(u) { return false }
        }
        return letters >= 2
    }

    /// What follows the place: an ISO date, the agency in brackets, or a dash.
    private static func isMarker(_ word: Substring) -> Bool {
        if ["-", "--", "—", "–"].contains(word) { return true }
        if word.hasPrefix("("), word.hasSuffix(")") || word.hasSuffix("),"), word.count <= 12 { return true }
        let digits = word.unicodeScalars.filter { $0.properties.numericType != nil }.count
        let u = Array(word.unicodeScalars)
        return word.count == 10 && digits == 8 && u[4] == "-" && u[7] == "-"
    }
}
