/// Lines that carry the article without looking like paragraphs one by one: the items of a list written out
/// with its markers ("+ Added Slime Block", "2. Wash the sheets") and text hard-wrapped over several lines (a
/// `<br>` after every few words, a plain-text mail). Each line alone is short and ends without a full stop, as
/// menu items and teaser headlines do; what tells them apart is their neighbours.
enum FlowingLines {
    /// Runs this long or longer of marked items are a list.
    static let minimumListRun = 3
    /// A hard-wrapped chain must hold at least this many words and end a sentence.
    static let minimumWrappedWords = 20

    /// Sets `flowing` on the lines of marked lists and of hard-wrapped paragraphs.
    static func mark(_ lines: inout [ScrapeLine]) {
        markLists(&lines)
        markNumbered(&lines)
        markWrapped(&lines)
    }

    /// How many lines may separate numbered items of one list (an item's link or its paragraphs).
    static let numberedGap = 4

    /// The number before "1. " / "12) ", or nil.
    static func itemNumber(_ line: ScrapeLine) -> Int? {
        guard line.kind == .text, line.wordCount >= 2, hasListMarker(line) else { return nil }
        var n = 0
        for b in line.text.utf8 {
            guard b >= 0x30 && b <= 0x39 else { break }
            n = n * 10 + Int(b - 0x30)
        }
        return n > 0 ? n : nil
    }

    /// Items numbered one after another ("1) ...", a link, "2) ...", a paragraph, "3) ..."): the items and the
    /// text lines between them are the list's entries. Three in sequence or more make a list.
    static func markNumbered(_ lines: inout [ScrapeLine]) {
        var i = 0
        while i < lines.count {
            guard let first = itemNumber(lines[i]) else { i += 1; continue }
            var items = [i]
            var expected = first + 1
            var j = i + 1
            while j < lines.count && j - items[items.count - 1] <= numberedGap {
                if let n = itemNumber(lines[j]) {
                    guard n == expected else { break }
                    items.append(j)
                    expected += 1
                }
                j += 1
            }
            guard items.count >= minimumListRun else { i += 1; continue }
            // The last item has as many lines under it as the one before had.
            let step = items[items.count - 1] - items[items.count - 2]
            let last = min(lines.count - 1, items[items.count - 1] + step - 1)
            for k in items[0]...last where lines[k].kind == .text { lines[k].flowing = true }
            i = last + 1
        }
    }

    /// "+ ", "* ", "- ", "• ", "· ", "– " or "12. ", "3) " before the first word.
    static func hasListMarker(_ line: ScrapeLine) -> Bool {
        line.text.withBytes { b in
            guard b.count >= 3 else { return false }
            switch b[0] {
            case 0x2B, 0x2A, 0x2D: return b[1] == 0x20
            case 0xE2: // U+2022 bullet, U+2013 en dash
                return b.count >= 4 && b[1] == 0x80 && (b[2] == 0xA2 || b[2] == 0x93) && b[3] == 0x20
            case 0xC2: // U+00B7 middle dot
                return b[1] == 0xB7 && b[2] == 0x20
            case 0x30...0x39:
                var i = 0
                while i < b.count && i < 3 && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
                return i + 1 < b.count && (b[i] == 0x2E || b[i] == 0x29) && b[i + 1] == 0x20
            default: return false
            }
        }
    }

    static func markLists(_ lines: inout [ScrapeLine]) {
        var runStart = 0
        for i in 0...lines.count {
            let item = i < lines.count && lines[i].kind == .text && lines[i].wordCount >= 2 && hasListMarker(lines[i])
            if item { continue }
            if i - runStart >= minimumListRun { for j in runStart..<i { lines[j].flowing = true } }
            runStart = i + 1
        }
    }

    /// A line that stops mid-sentence, followed by one that starts in lower case, continues into it.
    static func continues(_ line: ScrapeLine, into next: ScrapeLine) -> Bool {
        guard line.kind == .text, next.kind == .text, !line.endsSentence, line.wordCount >= 2, next.wordCount >= 2 else {
            return false
        }
        guard let first = next.text.unicodeScalars.first else { return false }
        return first.properties.isLowercase
    }

    static func markWrapped(_ lines: inout [ScrapeLine]) {
        var i = 0
        while i < lines.count {
            var end = i
            var words = lines[i].wordCount
            while end + 1 < lines.count && continues(lines[end], into: lines[end + 1]) {
                end += 1
                words += lines[end].wordCount
            }
            if end > i && words >= minimumWrappedWords && lines[end].endsSentence {
                for j in i...end { lines[j].flowing = true }
            }
            i = end + 1
        }
    }
}
