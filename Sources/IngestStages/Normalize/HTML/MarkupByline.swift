import Foundation

/// Author names from the page's byline markup, for pages whose metadata names no author: an
/// element marked `rel=author` or `itemprop=author`, or named `byline`/`author` in its class or
/// id ("c-byline__author", "author-name", "pb-byline"), holding a short text ("By Jane Roe",
/// "Jane Roe and John Doe", "Par Jean Dupont | 12 mai 2015"). Old markup marks bylines the same
/// way (`<span class="byline">`), so this serves pages that state no metadata at all.
enum MarkupByline {
    /// Only before the end of the article: after it, "author" names the commenters. Of nested
    /// byline elements the innermost that names someone is taken ("Jane Roe" of
    /// `<div class=byline>By <span class=author>Jane Roe</span> Health News</div>`).
    static func names(_ tree: DOMTree, before limit: Int) -> [String] {
        var i = tree.body >= 0 ? tree.body : 0
        let end = min(limit, tree.count)
        var found: (node: Int, names: [String])? = nil
        // Judged once per distinct class/id name.
        var named = [Int8](repeating: -1, count: tree.names.count)
        while i < end {
            if let f = found, i >= tree.end(f.node) { break }
            guard !tree.isText(i) else { i += 1; continue }
            var marked = false
            let id = tree.nameID(i)
            if id >= 0 {
                if named[id] < 0 { named[id] = namesByline(tree.names[id]) ? 1 : 0 }
                marked = named[id] == 1
            }
            if !marked, tree.hasAttribute(.rel, of: i) || tree.hasAttribute(.itemprop, of: i) { marked = marksByline(tree, i) }
            guard marked else { i += 1; continue }
            let text = tree.text(of: i)
            if text.utf8.count >= 3, text.utf8.count <= 120 {
                let named = names(in: text)
                if !named.isEmpty { found = (i, named) }
            }
            // Nested byline elements are looked at too (a long author box may hold a short one).
            i += 1
        }
        return found?.names ?? []
    }

    static func marksByline(_ tree: DOMTree, _ i: Int) -> Bool {
        if let rel = tree.attribute(.rel, of: i)?.lowercased(), rel.split(separator: " ").contains("author") { return true }
        if let prop = tree.attribute(.itemprop, of: i)?.lowercased(), prop.split(separator: " ").contains("author") { return true }
        return namesByline(tree.classAndID(i))
    }

    /// A class/id name of byline words, not of a box about the author or of the comments.
    static func namesByline(_ name: String) -> Bool {
        guard name.fastContains("byl") || name.fastContains("author") || name.fastContains("writer") else { return false }
        var sawByline = false
        var word: [UInt8] = []
        func judge() -> Bool? {
            defer { word.removeAll(keepingCapacity: true) }
            if bylineWords.contains(word) { sawByline = true }
            return refusedWords.contains(word) ? false : nil
        }
        for b in name.utf8 {
            if b == 0x20 || b == 0x2D || b == 0x5F {
                if judge() == false { return false }
            } else {
                word.append(b)
            }
        }
        if judge() == false { return false }
        return sawByline
    }

    static let bylineWords: Set<[UInt8]> = Set(["byline", "byl", "author", "authors", "writer", "authorname", "bylines"].map { Array($0.utf8) })
    /// Boxes about the author, and the commenters' names.
    static let refusedWords: Set<[UInt8]> = Set(["bio", "avatar", "comment", "comments", "img", "image", "photo", "follow", "social", "more", "other"].map { Array($0.utf8) })

    /// "By Jane Roe and John Doe", "Jane Roe", "Par Jean Dupont | 12 mai 2015" → the names.
    static func names(in text: String) -> [String] {
        var t = Substring(text)
        let lower = t.lowercased()
        for prefix in ["written by ", "words by ", "story by ", "posted by ", "by ", "par ", "por ", "von ", "door ", "di "] where lower.hasPrefix(prefix) {
            t = t.dropFirst(prefix.count)
            break
        }
        var cut = HeaderReader.cutAtMeta(t)
        // "Joe Wee Monday": the day of a date whose digits were cut off.
        if let last = cut.split(separator: " ").last, weekdays.contains(last.lowercased().trimmingCharacters(in: .punctuationCharacters)) {
            cut = cut[..<last.startIndex]
        }
        var named = HeaderReader.splitNames(cut, minWords: 2)
        if named.isEmpty, let one = AuthorNames.personName(cut, minWords: 2) { named = [one] }
        // Initials alone ("J J") are a widget's label, not a name.
        return named.filter { $0.split(separator: " ").contains { $0.count >= 3 } }
    }

    static let weekdays: Set<String> = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
}
