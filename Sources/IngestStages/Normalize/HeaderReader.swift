import Foundation

/// Person-name and outlet-name shapes.
enum AuthorNames {
    static let particles: Set<String> = ["de", "da", "van", "von", "der", "den", "bin", "binti", "al", "el", "la", "le", "du", "dos", "di", "del", "ibn", "y"]
    static let roleWords: Set<String> = ["opinion", "columnist", "staff", "writer", "editor", "reporter", "correspondent", "contributor",
                                         "contributing", "senior", "chief", "associate", "special", "guest", "political", "news",
                                         "digital", "producer", "photographer", "updated", "published", "posted", "in", "for", "at"]
    static let notPeople: Set<String> = ["admin", "administrator", "staff", "editor", "editors", "reuters", "afp", "ap", "xinhua", "agencies",
                                         "newsroom", "team", "desk", "web", "online", "bureau", "guest", "anonymous", "unknown"]

    /// Cleans a candidate name ("Jane Q. Doe", "Liu Jianna") and validates it as a person's name of
    /// `minWords`...5 words; nil if it does not look like one.
    static func personName(_ candidate: Substring, minWords: Int = 2) -> String? {
        var words = candidate.split(separator: " ").map { ScrapeText.trim($0, [" ", ",", ";", ":", "|", "(", ")", "-", "–", "—", "•", "·"]) }.filter { !$0.isEmpty }
        // Drop trailing role words ("Jane Doe Opinion Columnist").
        while let last = words.last, roleWords.contains(ScrapeText.asciiLower(last)) { words.removeLast() }
        guard words.count >= minWords, words.count <= 5 else { return nil }
        var capitalised = 0
        for w in words {
            let lower = ScrapeText.asciiLower(w)
            if notPeople.contains(lower) || SiteNames.outletWords.contains(lower) { return nil }
            if particles.contains(lower) && w.unicodeScalars.first!.properties.isLowercase { continue }
            guard let f = w.unicodeScalars.first, f.properties.isUppercase else { return nil }
            for s in w.unicodeScalars {
                guard s.properties.isAlphabetic || s == "." || s == "'" || s == "’" || s == "-" else { return nil }
            }
            capitalised += 1
        }
        guard capitalised >= minWords else { return nil }
        return words.joined(separator: " ")
    }

    /// "NAME is a/an/the ..." at the start of a text: returns NAME when it is 2-4 capitalised words
    /// (1-4 with `allowSingle`).
    static func leadingName(in text: String, allowSingle: Bool = false) -> String? {
        let words = text.split(separator: " ", maxSplits: 8)
        guard words.count >= 3 else { return nil }
        for k in 1...min(4, words.count - 2) {
            if words[k] == "is" || words[k] == "was" {
                let next = ScrapeText.asciiLower(words[k + 1])
                guard next == "a" || next == "an" || next == "the" || next == "currently" || next == "also" || next == "professor" || next == "director" || next == "chief" || next == "senior" else { return nil }
                let name = words[0..<k].joined(separator: " ")
                if !allowSingle && k < 2 { return nil }
                if k == 1 {
                    // A single word must be a capitalised name, not "He"/"She"/"This".
                    let w = ScrapeText.asciiLower(words[0])
                    if ["he", "she", "it", "this", "that", "there", "which", "who", "what", "they", "we", "i", "the"].contains(w) { return nil }
                }
                return personName(Substring(name), minWords: allowSingle ? 1 : 2)
            }
        }
        return nil
    }
}

enum SiteNames {
    static let outletWords: Set<String> = ["daily", "times", "news", "post", "online", "herald", "journal", "network", "agency",
                                           "tribune", "gazette", "press", "telegraph", "magazine", "radio", "tv", "television",
                                           "broadcasting", "chronicle", "observer", "guardian", "express", "monitor", "standard",
                                           "weekly", "media", "wire", "insider", "bulletin", "courier", "dispatch", "examiner",
                                           "inquirer", "ledger", "sentinel", "channel", "newspaper", "newswire", "cgtn", "bbc", "cnn"]

    /// A short line naming an outlet: 1-6 capitalised words with an outlet word ("Daily", "Times", "News", ...),
    /// or a domain-like name ("Example.com").
    static func isSiteName(_ text: String) -> Bool {
        let words = text.split(separator: " ")
        guard (1...6).contains(words.count), text.unicodeScalars.count <= 60 else { return false }
        if let last = text.last, ".!?:;,".contains(last) { return false }
        var hasOutletWord = false
        for w in words {
            let lower = ScrapeText.asciiLower(w)
            if w.contains(":") { return false }
            if outletWords.contains(lower) { hasOutletWord = true }
            if lower.fastHasSuffix(".com") || lower.fastHasSuffix(".net") || lower.fastHasSuffix(".org") || lower.fastHasSuffix(".co.uk") || lower.fastHasSuffix(".ca") || lower.fastHasSuffix(".in") {
                hasOutletWord = true
            }
            if ["the", "of", "and", "&", "de", "la", "el", "le", "du", "for"].contains(lower) { continue }
            guard let f = w.unicodeScalars.first, f.properties.isUppercase || f.properties.numericType != nil else { return false }
        }
        return hasOutletWord
    }

    /// "... not necessarily the views of OUTLET", "... don't necessarily represent those of OUTLET",
    /// "... do not necessarily reflect the views of OUTLET".
    static func fromDisclaimer(_ text: String) -> String? {
        let lower = ScrapeText.asciiLower(text)
        guard lower.fastContains("necessarily"), let nec = lower.range(of: "necessarily") else { return nil }
        let after = lower[nec.upperBound...]
        let markers = ["views of ", "those of ", "position of ", "opinions of ", "opinion of ", "stance of ", "policy of ", "viewpoint of ", "editorial position of "]
        var best: Range<String.Index>? = nil
        for m in markers {
            if let r = after.range(of: m), best == nil || r.lowerBound < best!.lowerBound { best = r }
        }
        guard let r = best else { return nil }
        // Same offsets in the original text (asciiLower keeps one scalar per scalar).
        let offset = lower.unicodeScalars.distance(from: lower.unicodeScalars.startIndex, to: r.upperBound)
        var name = String(String.UnicodeScalarView(text.unicodeScalars.dropFirst(offset)))
        if let end = name.firstIndex(where: { $0 == "." || $0 == "," || $0 == ";" || $0 == "(" || $0 == "!" }) {
            // Keep dots inside domains ("Example.com"): cut only at a dot followed by space or end.
            if name[end] == "." {
                var cut = name.endIndex
                var idx = name.startIndex
                while idx < name.endIndex {
                    if name[idx] == "." || name[idx] == "," || name[idx] == ";" || name[idx] == "(" || name[idx] == "!" {
                        let next = name.index(after: idx)
                        if name[idx] != "." || next == name.endIndex || name[next] == " " || name[next] == ")" { cut = idx; break }
                    }
                    idx = name.index(after: idx)
                }
                name = String(name[..<cut])
            } else {
                name = String(name[..<end])
            }
        }
        name = ScrapeText.trim(name, [" ", "\"", "'", "“", "”", ")"])
        if ScrapeText.asciiLower(name).hasPrefix("the ") && name.split(separator: " ").count == 2 {
            // "the newspaper", "the website" — generic, not a name.
            let second = ScrapeText.asciiLower(String(name.split(separator: " ")[1]))
            if ["newspaper", "website", "site", "publication", "outlet", "publisher", "editors", "editor", "company", "station"].contains(second) { return nil }
        }
        let words = name.split(separator: " ")
        guard (1...6).contains(words.count), let f = name.unicodeScalars.first, f.properties.isUppercase || ScrapeText.asciiLower(name).hasPrefix("the ") else { return nil }
        if ScrapeText.asciiLower(name).hasPrefix("the ") && words.count >= 2 {
            guard let g = words[1].unicodeScalars.first, g.properties.isUppercase else { return nil }
        }
        return name
    }
}

/// Reads title, site, bylines and the publication date from the lines before the body.
enum HeaderReader {
    static let separators = [" | ", " - ", " – ", " — ", " :: ", " » "]

    static func read(_ lines: [ScrapeLine], headerEnd: Int, into article: inout ScrapedArticle) {
        let end = min(headerEnd, lines.count)
        guard end > 0 else { return }
        var titleIndex: Int? = nil

        // 1. Page-title line "Headline - Outlet" whose headline is repeated in the header.
        let first = lines[0]
        var pageTitleSplit: (left: String, right: String)? = nil
        if first.kind != .editorsNote && first.kind != .caption && first.units <= 40 {
            for sep in separators {
                if let r = first.text.range(of: sep, options: .backwards) {
                    let left = String(first.text[..<r.lowerBound])
                    let right = String(first.text[r.upperBound...])
                    if right.split(separator: " ").count <= 6 && left.split(separator: " ").count >= 2 {
                        pageTitleSplit = (left, right)
                        break
                    }
                }
            }
        }
        // Any other run of marks between spaces ("Headline ✩ Blog name").
        if pageTitleSplit == nil, first.kind != .editorsNote, first.kind != .caption, first.units <= 40 {
            let segments = KnownSiteNames.split(first.text)
            if segments.count >= 2, let last = segments.last {
                let left = String(first.text[segments[0].range.lowerBound..<segments[segments.count - 2].range.upperBound])
                if last.text.split(separator: " ").count <= 6 && left.split(separator: " ").count >= 2 {
                    pageTitleSplit = (ScrapeText.trim(left), last.text)
                }
            }
        }
        if let split = pageTitleSplit {
            let leftLower = ScrapeText.asciiLower(split.left)
            for i in 1..<max(1, end) where lines[i].kind != .caption && lines[i].wordCount >= 2 {
                let l = lines[i].lower
                if l == leftLower || (lines[i].wordCount >= 3 && leftLower.fastHasSuffix(l)) {
                    titleIndex = i
                    break
                }
            }
            if titleIndex == nil && headlineShaped(first, pageTitle: true) {
                article.title = split.left
                titleIndex = 0
            }
            let right = ScrapeText.trim(split.right)
            if !right.isEmpty, right.split(separator: " ").count <= 6, right.unicodeScalars.first?.properties.isUppercase == true || right.contains(".") {
                article.site = right
            }
        }

        // 1b. A first line with no site name that the page repeats further down (its heading): the
        // page title, saved first as scrapers do, is the headline.
        if titleIndex == nil, pageTitleSplit == nil, first.kind == .text, headlineShaped(first, pageTitle: true),
           lines.dropFirst().prefix(300).contains(where: { $0.units == first.units && $0.lower == first.lower }) {
            article.title = first.text
            titleIndex = 0
        }

        // 2. "Source: OUTLET" or a site line in the header.
        if article.site == nil {
            for i in 0..<end where lines[i].units <= 30 {
                if let s = sourceSite(lines[i]) { article.site = s; break }
            }
        }
        if article.site == nil {
            for i in 0..<end where lines[i].kind != .caption && lines[i].kind != .editorsNote {
                if let s = siteFromLine(lines[i]) { article.site = s; break }
            }
        }

        // 3. Bylines and dates.
        var bylineIndex: Int? = nil
        for i in 0..<end where lines[i].units <= 30 && lines[i].kind != .caption && lines[i].kind != .editorsNote {
            let names = bylineNames(lines[i])
            if !names.isEmpty {
                for n in names where !article.byline.contains(n) { article.byline.append(n) }
                if bylineIndex == nil { bylineIndex = i }
            }
            if article.site == nil, let s = sourceSite(lines[i]) { article.site = s }
        }

        // 4. Title from headline-shaped candidates when the page title did not settle it.
        if titleIndex == nil {
            var candidates: [Int] = []
            for i in 0..<end where isTitleCandidate(lines[i], article: article) { candidates.append(i) }
            if let b = bylineIndex, let c = candidates.last(where: { $0 < b && b - $0 <= 4 }) {
                titleIndex = c
            } else if let c = candidates.first {
                titleIndex = c
            }
        }
        if let t = titleIndex, article.title == nil { article.title = lines[t].text }

        // 5. Publication date: a dated line next to the byline/title, else the dated header line nearest the body.
        var dated: [(Int, String)] = []
        for i in 0..<end where lines[i].units <= 30 && lines[i].kind != .caption && lines[i].kind != .editorsNote {
            if let d = PublicationDateParser.isoDate(in: lines[i].text) { dated.append((i, d)) }
        }
        if !dated.isEmpty {
            let anchors = [bylineIndex, titleIndex].compactMap { $0 }
            var chosen: String? = nil
            var bestDistance = Int.max
            for (i, d) in dated {
                for a in anchors {
                    let dist = abs(i - a)
                    if dist <= 4 && dist < bestDistance { bestDistance = dist; chosen = d }
                }
            }
            article.published = chosen ?? dated.last!.1
        }
    }

    static func headlineShaped(_ line: ScrapeLine, pageTitle: Bool = false) -> Bool {
        guard line.wordCount >= 3 || line.units >= 6, line.units <= 30 else { return false }
        if !pageTitle, let last = line.text.last, last == "." && !line.text.hasSuffix("...") { return false }
        return true
    }

    static func isTitleCandidate(_ line: ScrapeLine, article: ScrapedArticle) -> Bool {
        guard line.kind == .text || line.kind == .duplicate, headlineShaped(line) else { return false }
        if line.text.hasSuffix(":") { return false }
        let lower = line.lower
        if lower.fastHasPrefix("by ") || lower.fastContains(" by ") && PublicationDateParser.isoDate(in: line.text) != nil { return false }
        if PublicationDateParser.isoDate(in: line.text) != nil && line.units <= 10 { return false }
        if lower.fastContains("> ") || lower.fastContains(" >") || lower.fastContains("»") || lower.fastContains(" › ") { return false }
        if let site = article.site, line.text == site { return false }
        if SiteNames.isSiteName(line.text) { return false }
        if !bylineNames(line).isEmpty { return false }
        if lower.fastHasPrefix("source:") || lower.fastHasPrefix("home ") { return false }
        return true
    }

    /// "Global Times / No Comments Share:" → "Global Times"; "Example Daily" → "Example Daily".
    static func siteFromLine(_ line: ScrapeLine) -> String? {
        guard line.units <= 14 else { return nil }
        if SiteNames.isSiteName(line.text) { return line.text }
        for sep in [" / ", " | ", " · ", " • "] where line.text.contains(sep) {
            let parts = line.text.components(separatedBy: sep)
            let head = ScrapeText.trim(parts[0])
            if SiteNames.isSiteName(head) { return head }
        }
        return nil
    }

    /// "Source: Example Daily Published: 2019-02-27" → "Example Daily".
    static func sourceSite(_ line: ScrapeLine) -> String? {
        guard line.lower.fastHasPrefix("source:") || line.lower.fastHasPrefix("source :") else { return nil }
        var rest = Substring(line.text.drop(while: { $0 != ":" }).dropFirst())
        for stop in [" published", " Published", " updated", " Updated", " |", " Date", " date", " Editor", " editor", " By ", " by "] {
            if let r = rest.range(of: stop) { rest = rest[..<r.lowerBound] }
        }
        let name = ScrapeText.trim(rest)
        let words = name.split(separator: " ")
        guard (1...6).contains(words.count), PublicationDateParser.isoDate(in: name) == nil else { return nil }
        return name
    }

    static let bylinePrefixes = ["by ", "written by ", "words by ", "story by ", "text by ", "reported by ", "author: ", "authors: ",
                                 "author:", "reporter: ", "writer: ", "posted by ", "article by "]

    /// Author names stated by a byline line, or [] when the line is not a byline.
    static func bylineNames(_ line: ScrapeLine) -> [String] {
        guard line.units <= 30 else { return [] }
        let text = line.text
        let lower = line.lower
        var rest: Substring? = nil
        for p in bylinePrefixes where lower.fastHasPrefix(p) {
            rest = Substring(String(String.UnicodeScalarView(text.unicodeScalars.dropFirst(p.count))))
            break
        }
        if rest == nil, let off = lower.fastFirstOffset(of: " by ") {
            // "DATE By NAME", "Posted on DATE by NAME" (asciiLower keeps byte offsets for ASCII text)
            let before = lower.prefixBytes(off)
            if PublicationDateParser.isoDate(in: before) != nil || before.fastHasPrefix("posted") || before.fastHasPrefix("published") || before.fastHasPrefix("updated") {
                let scalars = lower.prefixBytes(off + 4).unicodeScalars.count
                rest = Substring(String(String.UnicodeScalarView(text.unicodeScalars.dropFirst(scalars))))
            }
        }
        if let rest {
            let cut = cutAtMeta(rest)
            let names = splitNames(cut, minWords: 2)
            if names.isEmpty, let single = singleNameByline(cut) { return [single] }
            return names
        }
        // "NAME | Updated: DATE", "NAME - DATE", "NAME • 3 min read"
        for sep in [" | ", " - ", " – ", " — ", " • ", " · ", ", "] {
            guard let off = text.fastFirstOffset(of: sep) else { continue }
            let head = Substring(text.prefixBytes(off))
            let tail = ScrapeText.asciiLower(text.dropFirstBytes(off + sep.utf8.count))
            let tailIsMeta = PublicationDateParser.isoDate(in: tail) != nil || tail.fastHasPrefix("updated") || tail.fastHasPrefix("published")
                || tail.fastHasPrefix("posted") || tail.fastContains("min read")
            if tailIsMeta, let name = AuthorNames.personName(head, minWords: 2), head.split(separator: " ").count <= 4 {
                return [name]
            }
        }
        return []
    }

    /// "By Reuters", "By AP", "By Madonna": an explicit byline naming one word (an agency or a single-name author).
    static func singleNameByline(_ s: Substring) -> String? {
        let name = ScrapeText.trim(s, [" ", ",", ";", ":", "|", "-", "–", "—", ".", "•", "·"])
        guard !name.isEmpty, !name.contains(" "), name.unicodeScalars.count >= 2, name.unicodeScalars.count <= 24 else { return nil }
        guard let f = name.unicodeScalars.first, f.properties.isUppercase else { return nil }
        for s in name.unicodeScalars where !(s.properties.isAlphabetic || s == "-" || s == "'" || s == "’" || s == ".") { return nil }
        let lower = ScrapeText.asciiLower(name)
        if PublicationDateParser.months[lower] != nil || singleNameStopWords.contains(lower) { return nil }
        return name
    }

    static let singleNameStopWords: Set<String> = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                                                   "today", "yesterday", "tomorrow", "admin", "administrator", "staff", "guest",
                                                   "anonymous", "unknown", "the", "this", "then", "now", "far", "contrast"]

    /// Cuts a byline remainder at the first piece of metadata (date, "Updated", separators, parentheses, digits).
    static func cutAtMeta(_ s: Substring) -> Substring {
        var end = s.endIndex
        for stop in [" | ", " - ", " – ", " — ", " • ", " · ", "(", " on ", " On ", " updated", " Updated", " UPDATED", " published",
                     " Published", " PUBLISHED", " posted", " Posted", " in ", " for ", " at ", " |", "/", " via "] {
            if let r = s.range(of: stop), r.lowerBound < end { end = r.lowerBound }
        }
        if let digit = s.firstIndex(where: { $0.isNumber }), digit < end { end = digit }
        var head = s[..<end]
        // A trailing month name left over from "By NAME Feb 27, 2019".
        let words = head.split(separator: " ")
        if let last = words.last, PublicationDateParser.months[ScrapeText.asciiLower(String(last)).trimmingCharacters(in: CharacterSet(charactersIn: ".,"))] != nil {
            head = head[..<last.startIndex]
        }
        return head
    }

    static func splitNames(_ s: Substring, minWords: Int) -> [String] {
        var normalized = String(s)
        for joiner in [" and ", " And ", " & ", "; "] { normalized = normalized.replacingOccurrences(of: joiner, with: ", ") }
        var names: [String] = []
        for part in normalized.components(separatedBy: ", ") {
            let trimmed = ScrapeText.trim(part)
            if trimmed.isEmpty { continue }
            if let n = AuthorNames.personName(Substring(trimmed), minWords: minWords) {
                names.append(n)
            } else if names.isEmpty {
                return []
            } else {
                break // trailing role ("Jane Doe, Staff Writer")
            }
        }
        return names
    }
}
