import Foundation

/// Language identification for Latin- and Cyrillic-script text from character trigram profiles
/// (`LanguageProfileData`, from langdetect's profiles): every candidate language scores the
/// text's trigrams by their log-probability in its profile (a trigram outside a profile gets
/// that profile's floor), and the best wins when it is clearly ahead of the runner-up.
enum TrigramLanguageModel {
    /// One script's languages as a table: trigram → row of log-probabilities, one per language.
    struct Table {
        var codes: [String] = []
        var rows: [UInt64: Int] = [:]
        var logp: [Float] = []
        var floors: [Float] = []
    }

    static let tables: [LanguageProfileData.Script: Table] = {
        var grouped: [LanguageProfileData.Script: [(String, [UInt64: Float])]] = [:]
        for entry in LanguageProfileData.profiles {
            var grams: [UInt64: Float] = [:]
            for line in entry.grams.split(separator: "\n") {
                let parts = line.split(separator: "\t")
                guard parts.count == 2, let c = Double(parts[1]) else { continue }
                let scalars = Array(parts[0].unicodeScalars)
                guard scalars.count == 3 else { continue }
                grams[key(scalars[0].value, scalars[1].value, scalars[2].value)] = Float(log(c / entry.total))
            }
            grouped[entry.script, default: []].append((entry.code, grams))
        }
        var tables: [LanguageProfileData.Script: Table] = [:]
        for (script, languages) in grouped {
            var t = Table()
            t.codes = languages.map(\.0)
            // Below the least frequent kept trigram: unseen, but not impossible.
            t.floors = languages.map { ($0.1.values.min() ?? -20) - 2 }
            for (l, (_, grams)) in languages.enumerated() {
                for (g, p) in grams {
                    let row: Int
                    if let r = t.rows[g] { row = r } else {
                        row = t.logp.count / languages.count
                        t.rows[g] = row
                        t.logp.append(contentsOf: t.floors)
                    }
                    t.logp[row * languages.count + l] = p
                }
            }
            tables[script] = t
        }
        return tables
    }()

    @inline(__always)
    static func key(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt64 { UInt64(a) << 42 | UInt64(b) << 21 | UInt64(c) }

    /// The trigrams of the text's words, space-padded (" th", "the", "he "), lower-cased, from
    /// the first `limit` letters, and how many words they came from.
    static func trigrams(_ text: String, limit: Int = 250) -> (grams: [UInt64], words: Int) {
        var out: [UInt64] = []
        var a: UInt32 = 0x20, b: UInt32 = 0x20
        var words = 0, letters = 0, filled = 1
        func push(_ c: UInt32) {
            filled += 1
            if filled >= 3, !(b == 0x20 && (a == 0x20 || c == 0x20)) { out.append(key(a, b, c)) }
            a = b
            b = c
        }
        let alphabetic = ScalarClasses.alphabeticBMP
        for u in text.unicodeScalars {
            let v = u.value
            if ScalarClasses.isAlphabetic(v, in: alphabetic) {
                if b == 0x20 { words += 1 }
                if v < 0x80 {
                    push(v >= 0x41 && v <= 0x5A ? v | 0x20 : v)
                } else {
                    for l in u.properties.lowercaseMapping.unicodeScalars { push(l.value) }
                }
                letters += 1
                if letters >= limit { break }
            } else if b != 0x20 {
                push(0x20)
            }
        }
        if b != 0x20 { push(0x20) }
        return (out, words)
    }

    /// The best language of `script` for the text, or nil when the text is too short or no
    /// language is clearly ahead.
    static func detect(_ text: String, script: LanguageProfileData.Script) -> String? {
        guard let table = tables[script] else { return nil }
        let (grams, words) = trigrams(text)
        // Two words ("Hello world") say too little.
        guard grams.count >= 12, words >= 3 else { return nil }
        let n = table.codes.count
        var scores = [Float](repeating: 0, count: n)
        for g in grams {
            if let row = table.rows[g] {
                for l in 0..<n { scores[l] += table.logp[row * n + l] }
            } else {
                for l in 0..<n { scores[l] += table.floors[l] }
            }
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        guard order.count >= 2 else { return order.first.map { table.codes[$0] } }
        // Ahead of the runner-up by at least 0.05 nat per trigram on average.
        let margin = (scores[order[0]] - scores[order[1]]) / Float(grams.count)
        return margin >= 0.05 ? table.codes[order[0]] : nil
    }
}
