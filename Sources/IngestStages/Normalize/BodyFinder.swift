/// Locates the article body: the run of lines with the highest total "prose score".
enum BodyFinder {
    static func score(_ line: ScrapeLine) -> Int {
        switch line.kind {
        case .text:
            if line.isProse { return max(1, min(line.units, 120) - 4) }
            // A list item or a wrapped line earns like the paragraph it belongs to, less its marker.
            if line.flowing { return max(1, min(line.units, 120) - 2) }
            if line.units <= 3 { return -2 }
            return -3
        case .furniture: return -3
        case .duplicate: return -2
        case .caption, .editorsNote: return -1
        case .terminal: return -15
        }
    }

    /// The body region (inclusive line indices), or nil when nothing prose-like exists.
    ///
    /// Terminal markers ("Related Posts", "Comments", "Next Article") split the page into pieces unless real prose
    /// continues right after them; each piece contributes its best-scoring run of lines (maximum-sum subarray).
    /// The article comes first on a page, so the first run carrying a fair share (40%) of the best run's score
    /// wins; later runs (comments, footers, teaser blurbs) only win when the earlier ones are slight.
    static func region(_ lines: [ScrapeLine]) -> ClosedRange<Int>? {
        var runs: [(ClosedRange<Int>, Int)] = []
        var segStart = 0
        var i = 0
        while i <= lines.count {
            if i == lines.count || (lines[i].kind == .terminal && !proseContinues(lines, after: i)) {
                if segStart < i, let run = bestRun(lines, segStart..<i) { runs.append(run) }
                segStart = i + 1
            }
            i += 1
        }
        guard let top = runs.map({ $0.1 }).max() else { return nil }
        for (range, total) in runs where total == top || (total * 4 >= top && proseCount(lines, range) >= 3)
            || (total * 10 >= top && isArticleLike(lines, range)) {
            return continued(lines, range)
        }
        return nil
    }

    /// How far after a run's end its continuation may start: an inline box (a newsletter prompt, a list of
    /// teasers, a video player's controls) is rarely longer.
    static let continuationGap = 40

    /// The run extended over the article's continuation: an inline box in the middle of an article ("Most Read",
    /// a newsletter prompt, a video player) either ends the run at a terminal marker or costs more than the
    /// paragraphs before it earned, and the article goes on after it. The next run of prose within
    /// `continuationGap` lines belongs to the article when it reads like it (`isArticleLike`) and no hard end
    /// (comments, a copyright footer, the next article) lies between.
    static func continued(_ lines: [ScrapeLine], _ run: ClosedRange<Int>) -> ClosedRange<Int> {
        var end = run.upperBound
        while end + 1 < lines.count {
            var limit = end + 1
            while limit < lines.count && limit <= end + continuationGap && !isHardEnd(lines[limit]) { limit += 1 }
            guard limit > end + 1, let (found, _) = bestRun(lines, (end + 1)..<limit) else { break }
            var next = found
            if !isArticleLike(lines, next) {
                // The best run may carry past the article's own end marker ("Share this article") into a
                // comment prompt or a newsletter blurb, which dilute it: judge the part before that marker.
                guard let cut = firstTerminal(lines, after: next.lowerBound, through: next.upperBound),
                      let (head, _) = bestRun(lines, next.lowerBound..<cut), isArticleLike(lines, head) else { break }
                next = head
            }
            end = next.upperBound
        }
        return run.lowerBound...end
    }

    /// The first terminal marker in (start, end], or nil.
    static func firstTerminal(_ lines: [ScrapeLine], after start: Int, through end: Int) -> Int? {
        guard start < end else { return nil }
        for i in (start + 1)...end where lines[i].kind == .terminal { return i }
        return nil
    }

    /// Paragraph after paragraph: at least three prose lines, two of them long, most lines prose, and few lines
    /// of anything else between them. Teaser lists alternate headlines, blurbs and dates; comment threads alternate names,
    /// dates and replies.
    static func isArticleLike(_ lines: [ScrapeLine], _ range: ClosedRange<Int>) -> Bool {
        var prose = 0
        var long = 0
        var other = 0
        for i in range {
            if lines[i].kind == .text && lines[i].isProse && lines[i].units >= 12 {
                prose += 1
                if lines[i].units >= 40 { long += 1 }
            } else {
                other += 1
            }
        }
        // Teaser blurbs and replies are seldom 40 words long; an article's paragraphs often are.
        return prose >= 3 && long >= 2 && prose >= other
    }

    /// Markers after which no more of the article comes: comments, the page footer, the next article.
    static func isHardEnd(_ line: ScrapeLine) -> Bool {
        guard line.kind == .terminal else { return false }
        if LineClassifier.isCopyrightNotice(line) { return true }
        let key = line.key
        for word in ["comment", "repl", "respons", "discussion", "conversation", "your say", "about the author", "next", "previous"]
        where key.fastContains(word) {
            return true
        }
        return false
    }

    static func proseCount(_ lines: [ScrapeLine], _ range: ClosedRange<Int>) -> Int {
        var n = 0
        for i in range where lines[i].kind == .text && lines[i].isProse { n += 1 }
        return n
    }

    static func bestRun(_ lines: [ScrapeLine], _ range: Range<Int>) -> (ClosedRange<Int>, Int)? {
        var bestSum = 0
        var best: ClosedRange<Int>? = nil
        var sum = 0
        var start = range.lowerBound
        for i in range {
            let s = lines[i].kind == .terminal ? 0 : score(lines[i])
            if sum <= 0 {
                sum = s
                start = i
            } else {
                sum += s
            }
            if sum > bestSum {
                bestSum = sum
                best = start...i
            }
        }
        guard let best else { return nil }
        return (best, bestSum)
    }

    /// True when two consecutive long prose paragraphs follow a terminal marker within its next few lines
    /// (a share bar or an inline "Related" box in the middle of an article, not the end of the article).
    static func proseContinues(_ lines: [ScrapeLine], after index: Int) -> Bool {
        var consecutive = 0
        var j = index + 1
        var inspected = 0
        while j < lines.count && inspected < 8 {
            let line = lines[j]
            j += 1
            switch line.kind {
            case .furniture, .caption, .duplicate: continue
            case .text:
                inspected += 1
                if line.isProse && (line.units >= 20 || (consecutive > 0 && line.units >= 12)) {
                    consecutive += 1
                    if consecutive >= 2 { return true }
                } else {
                    if consecutive > 0 { return false }
                    // A teaser blurb (a mid-length sentence) ends the article; short headline-sized lines of an
                    // inline box ("Video shows rescue: \"We did it!\"") do not.
                    if line.isProse && line.units > 12 { return false }
                }
            default:
                return false
            }
        }
        return false
    }

    /// Short lines directly after a mid-article terminal marker (the teaser headlines of an inline "Related"
    /// box): they are not body text.
    static func teaserLines(_ lines: [ScrapeLine], in region: ClosedRange<Int>) -> Set<Int> {
        var out = Set<Int>()
        var i = region.lowerBound
        while i <= region.upperBound {
            if lines[i].kind == .terminal {
                var j = i + 1
                while j <= region.upperBound && !(lines[j].kind == .text && lines[j].isProse && lines[j].units >= 20) { out.insert(j); j += 1 }
                i = j
                continue
            }
            i += 1
        }
        return out
    }
}
