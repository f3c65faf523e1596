import Foundation

/// The block model's inputs: shallow text features that hold across eras and markup
/// (boilerpipe's words, link density, text density, sentence shape, with the same of the
/// neighbours), where the block sits, and what the content finder and the line rules said of it.
/// `scripts/train-block-model` fits on exactly these values (dumped by `ingestd-bench
/// --dump-blocks`), so this is the one implementation; `names` order is the weights' order.
enum BlockFeatures {
    static let names: [String] = {
        var n = [
            "log_words", "log_chars", "link_density", "sentence_ends_per_word", "commas_per_word", "avg_word_len",
            "digit_ratio", "text_density", "ends_with_punct", "starts_upper", "rel_position", "rel_char_position",
            "log_depth", "in_root", "pruned_by_tag", "pruned_by_name", "in_article", "in_body_container", "writer_skips",
            "log_root_distance", "equals_title", "short_no_punct", "writer_keeps",
            "prose_share_2", "log_words_around_2", "prose_share_5", "log_words_around_5", "page_word_share",
        ]
        n += PageBlock.Kind.allCases.map { "kind_\($0)" }
        n += ["line_text", "line_duplicate", "line_caption", "line_editors_note", "line_furniture", "line_terminal"]
        for side in ["prev", "next"] {
            n += ["\(side)_log_words", "\(side)_link_density", "\(side)_in_root", "\(side)_sentence_ends_per_word", "\(side)_exists"]
        }
        return n
    }()

    /// Counts over one block's text, in one pass over its bytes.
    struct Shape {
        var words = 0, chars = 0, digits = 0, commas = 0, sentenceEnds = 0
        var endsWithPunct = false, startsUpper = false

        init(_ text: String) {
            var text = text
            text.withUTF8 { b in
                var inWord = false
                var last: UInt8 = 0
                for (k, c) in b.enumerated() {
                    if c & 0xC0 != 0x80 { chars += 1 }
                    if c == 0x20 {
                        if inWord, last == 0x2E || last == 0x21 || last == 0x3F { sentenceEnds += 1 }
                        inWord = false
                    } else {
                        if !inWord { words += 1; inWord = true }
                        if c >= 0x30, c <= 0x39 { digits += 1 }
                        if c == 0x2C { commas += 1 }
                        // 。！？ end sentences in scripts without spaces.
                        if c == 0xE3, k + 2 < b.count, b[k + 1] == 0x80, b[k + 2] == 0x82 { sentenceEnds += 1 }
                        if c == 0xEF, k + 2 < b.count, b[k + 1] == 0xBC, b[k + 2] == 0x81 || b[k + 2] == 0x9F { sentenceEnds += 1 }
                    }
                    last = c
                }
                if inWord, last == 0x2E || last == 0x21 || last == 0x3F { sentenceEnds += 1 }
                // A closing quote or bracket after the stop still ends a sentence.
                var e = b.count - 1
                while e >= 0, b[e] == 0x22 || b[e] == 0x27 || b[e] == 0x29 || b[e] == 0x9D || b[e] == 0x99 || b[e] == 0x80 || b[e] == 0xE2 { e -= 1 }
                if e >= 0 { endsWithPunct = b[e] == 0x2E || b[e] == 0x21 || b[e] == 0x3F || b[e] == 0x3A || b[e] == 0x82 }
                if let f = b.first { startsUpper = (f >= 0x41 && f <= 0x5A) || f >= 0xC0 || f == 0x22 || (f >= 0x30 && f <= 0x39) }
            }
        }
    }

    /// One row of features per block, in `names` order.
    static func rows(_ blocks: [PageBlock], title: String?) -> [[Double]] {
        let n = blocks.count
        guard n > 0 else { return [] }
        let shapes = blocks.map { Shape($0.text) }
        let totalChars = max(1, shapes.reduce(0) { $0 + $1.chars })
        let lowerTitle = title?.lowercased()
        // Lower-casing every block to compare would cost an allocation each; lengths first.
        let titleBytes = title?.utf8.count ?? -1
        // Blocks to the nearest block inside the chosen roots, in either direction.
        var distance = [Int](repeating: n, count: n)
        var last = -1
        for k in 0..<n {
            if blocks[k].inRoot { last = k }
            if last >= 0 { distance[k] = k - last }
        }
        last = -1
        for k in stride(from: n - 1, through: 0, by: -1) {
            if blocks[k].inRoot { last = k }
            if last >= 0 { distance[k] = min(distance[k], last - k) }
        }
        func linkDensity(_ k: Int) -> Double { Double(blocks[k].linkBytes) / Double(max(1, blocks[k].bytes)) }
        // The region around a block (boilerpipe's context, widened): how much of it is prose,
        // and how many unlinked words it holds. Prefix sums make each window two lookups.
        var proseBefore = [0.0], wordsBefore = [0.0]
        var proseWords = 0.0
        for k in 0..<n {
            let s = shapes[k]
            let unlinked = Double(s.words) * (1 - linkDensity(k))
            let prose = s.words > 15 && linkDensity(k) < 0.3 && s.endsWithPunct
            proseBefore.append(proseBefore[k] + (prose ? 1 : 0))
            wordsBefore.append(wordsBefore[k] + unlinked)
            if prose { proseWords += unlinked }
        }
        func around(_ k: Int, _ r: Int) -> (Double, Double) {
            let lo = max(0, k - r), hi = min(n, k + r + 1)
            return ((proseBefore[hi] - proseBefore[lo]) / Double(hi - lo), log1p(wordsBefore[hi] - wordsBefore[lo]))
        }
        func perWord(_ x: Int, _ s: Shape) -> Double { Double(x) / Double(max(1, s.words)) }
        var rows: [[Double]] = []
        rows.reserveCapacity(n)
        var charsBefore = 0
        for k in 0..<n {
            let b = blocks[k], s = shapes[k]
            var r: [Double] = []
            r.reserveCapacity(names.count)
            // boilerpipe's text density: words per line once the text is wrapped at 80 columns.
            let lines = max(1, (s.chars + 79) / 80)
            r += [
                log1p(Double(s.words)), log1p(Double(s.chars)), linkDensity(k), perWord(s.sentenceEnds, s), perWord(s.commas, s),
                min(15, Double(s.chars) / Double(max(1, s.words))), Double(s.digits) / Double(max(1, s.chars)),
                Double(s.words) / Double(lines), s.endsWithPunct ? 1 : 0, s.startsUpper ? 1 : 0,
                Double(k) / Double(n), Double(charsBefore) / Double(totalChars), log1p(Double(b.depth)),
                b.inRoot ? 1 : 0, b.prunedByTag ? 1 : 0, b.prunedByName ? 1 : 0, b.inArticle ? 1 : 0,
                b.inBodyContainer ? 1 : 0, b.writerSkips ? 1 : 0, log1p(Double(distance[k])),
                lowerTitle != nil && b.bytes == titleBytes && b.text.lowercased() == lowerTitle ? 1 : 0,
                s.words < 8 && !s.endsWithPunct ? 1 : 0,
                b.keptByWriter ? 1 : 0,
            ]
            let (share2, words2) = around(k, 2), (share5, words5) = around(k, 5)
            r += [share2, words2, share5, words5, log1p(Double(s.words) * (1 - linkDensity(k))) / log1p(proseWords + 1)]
            for kind in PageBlock.Kind.allCases { r.append(b.kind == kind ? 1 : 0) }
            let line = LineClassifier.classify(ScrapeLine(b.text))
            r += [line == .text, line == .duplicate, line == .caption, line == .editorsNote, line == .furniture, line == .terminal].map { $0 ? 1 : 0 }
            for j in [k - 1, k + 1] {
                if j >= 0, j < n {
                    r += [log1p(Double(shapes[j].words)), linkDensity(j), blocks[j].inRoot ? 1 : 0, perWord(shapes[j].sentenceEnds, shapes[j]), 1]
                } else {
                    r += [0, 0, 0, 0, 0]
                }
            }
            rows.append(r)
            charsBefore += s.chars
        }
        return rows
    }
}
