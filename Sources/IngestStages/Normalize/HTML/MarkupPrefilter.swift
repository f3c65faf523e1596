import Glibc

/// Removes what can never be article text before the HTML parser sees it: scripts, styles,
/// SVG, templates and comments, which are about two thirds of the bytes of a typical news
/// page, and the attributes extraction never reads (`data-*`, `srcset`, `onclick`, link
/// targets, …), a third of what is left. JSON-LD scripts are kept aside: they carry the best
/// metadata.
///
/// A byte scan, linear in the input; the parser then does a quarter of the work.
enum MarkupPrefilter {
    struct Output {
        var html: [UInt8]
        var jsonLD: [String]
        /// The kept attributes of the start tags in `html`, by the `_a` marker on each tag.
        var attributes: AttributeTable
    }

    private static let dropped: [[UInt8]] = ["script", "style", "svg", "template", "noscript"].map { Array($0.utf8) }

    /// With `discardEvery` (a large page that nothing reads afterwards), the pages of the input
    /// already filtered are handed back to the kernel every that many bytes, and the output is
    /// reserved at the input's size (plus the byte the parser's terminator takes): it then
    /// never grows by copying, and the input does not stay whole beside it. The input buffer is
    /// then written to (a copy is made if it is shared).
    static func run(_ input: consuming [UInt8], discardEvery step: Int? = nil) -> Output {
        var out: [UInt8] = []
        out.reserveCapacity(step == nil ? input.count / 2 : input.count + 1)
        var jsonLD: [String] = []
        var attributes = AttributeTable(capacity: input.count)
        if let step {
            input.withUnsafeMutableBufferPointer { b in
                scan(UnsafeBufferPointer(b), into: &out, jsonLD: &jsonLD, attributes: &attributes, discardEvery: step)
            }
        } else {
            input.withUnsafeBufferPointer { b in
                scan(b, into: &out, jsonLD: &jsonLD, attributes: &attributes)
            }
        }
        return Output(html: out, jsonLD: jsonLD, attributes: attributes)
    }

    /// Filters `b` (the page, or a fragment of it that starts and ends between tags) into `out`.
    /// With `discardEvery`, the whole page: bytes before `copyFrom` are never read again.
    private static func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], jsonLD: inout [String],
                             attributes: inout AttributeTable, discardEvery step: Int? = nil) {
        let n = b.count
        var i = 0
        var copyFrom = 0
        var discarded = 0
        while i < n {
            if let step, copyFrom - discarded >= step {
                PageDiscard.discard(b, from: discarded, to: copyFrom)
                discarded = copyFrom
            }
            // memchr finds the next '<' many bytes at a time.
            guard b[i] == 0x3C else {
                guard let lt = memchr(b.baseAddress! + i, 0x3C, n - i) else { break }
                i = b.baseAddress!.distance(to: lt.assumingMemoryBound(to: UInt8.self))
                continue
            }
            if i + 3 < n, b[i + 1] == 0x21, b[i + 2] == 0x2D, b[i + 3] == 0x2D {  // <!--
                var j = i + 4
                while j + 2 < n, !(b[j] == 0x2D && b[j + 1] == 0x2D && b[j + 2] == 0x3E) { j += 1 }
                appendFoldingSpace(b, copyFrom..<i, into: &out)
                i = min(n, j + 3)
                copyFrom = i
                continue
            }
            // Only s(cript|tyle|vg), t(emplate) and n(oscript) can start a dropped element.
            let first = i + 1 < n ? b[i + 1] | 0x20 : 0
            let candidate = first == 0x73 || first == 0x74 || first == 0x6E
            guard candidate, let name = dropped.first(where: { matchesTag($0, b, at: i + 1) }) else {
                if i + 1 < n, isASCIILetter(b[i + 1]) {
                    appendFoldingSpace(b, copyFrom..<i, into: &out)
                    let container = FurnitureSubtrees.containers.first { matchesTag($0, b, at: i + 1) }
                    var after = StartTagRewriter.rewrite(b, at: i, into: &out, attributes: &attributes)
                    if after == nil, let container, i + 1 + container.count < n, b[i + 1 + container.count] == 0x3E {
                        // "<nav>": copied as it is.
                        after = i + 2 + container.count
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<after!]))
                    }
                    if let after {
                        i = after
                        copyFrom = after
                        // A furniture container (not self-closed): leave out its contents when that is
                        // safe, all but the metadata elements inside, which are filtered as usual.
                        if let container, b[after - 2] != 0x2F,
                           let drop = FurnitureSubtrees.droppableContents(b, container: container, from: after) {
                            for kept in drop.kept {
                                scan(UnsafeBufferPointer(rebasing: b[kept]), into: &out, jsonLD: &jsonLD, attributes: &attributes)
                            }
                            i = drop.end
                            copyFrom = drop.end
                        }
                        continue
                    }
                    copyFrom = i
                }
                i += 1
                continue
            }
            let openEnd = tagEnd(b, from: i)
            let close = closingTag(name, b, from: openEnd)
            if name.count == 6, name[1] == 0x63, isJSONLD(b, from: i, to: openEnd) {  // "script"
                jsonLD.append(String(decoding: UnsafeBufferPointer(rebasing: b[openEnd..<close]), as: UTF8.self))
            }
            appendFoldingSpace(b, copyFrom..<i, into: &out)
            i = close < n ? tagEnd(b, from: close) : n
            copyFrom = i
        }
        appendFoldingSpace(b, copyFrom..<n, into: &out)
    }

    /// Copies markup outside tags with every run of ASCII white space cut to its first
    /// character. Extraction collapses white space anyway (a run counts as one space, in `<pre>`
    /// too), and indentation is a tenth of a page's bytes that the parser would read one by one.
    static func appendFoldingSpace(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into out: inout [UInt8]) {
        var i = range.lowerBound
        let end = range.upperBound
        var runStart = i
        while i < end {
            let c = b[i]
            guard c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == 0x0C else { i += 1; continue }
            // A single space between words is the common case: nothing to cut.
            guard i + 1 < end, b[i + 1] == 0x20 || b[i + 1] == 0x0A || b[i + 1] == 0x09 || b[i + 1] == 0x0D || b[i + 1] == 0x0C else {
                i += 1
                continue
            }
            // Keep the first white-space character, drop the rest of the run.
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart...i]))
            i += 1
            while i < end, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x09 || b[i] == 0x0D || b[i] == 0x0C { i += 1 }
            runStart = i
        }
        if runStart < end { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<end])) }
    }

    @inline(__always)
    static func isASCIILetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    /// `<name` followed by white space, `>` or `/`, case-insensitively.
    @inline(__always)
    private static func matchesTag(_ name: [UInt8], _ b: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard start + name.count < b.count else { return false }
        for k in 0..<name.count where (b[start + k] | 0x20) != name[k] { return false }
        let after = b[start + name.count]
        return after == 0x20 || after == 0x3E || after == 0x2F || after == 0x0A || after == 0x09 || after == 0x0D
    }

    /// Index just past the `>` closing the tag that starts at `from`, honouring quotes.
    private static func tagEnd(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var j = from
        var quote: UInt8 = 0
        while j < b.count {
            let c = b[j]
            if quote != 0 { if c == quote { quote = 0 } }
            else if c == 0x22 || c == 0x27 { quote = c }
            else if c == 0x3E { return j + 1 }
            j += 1
        }
        return b.count
    }

    /// Start of `</name`, or the end of input when it never closes.
    static func closingTag(_ name: [UInt8], _ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var j = from
        let n = b.count
        while j + 1 + name.count < n {
            guard let lt = memchr(b.baseAddress! + j, 0x3C, n - j) else { return n }
            j = b.baseAddress!.distance(to: lt.assumingMemoryBound(to: UInt8.self))
            guard j + 1 + name.count < n else { return n }
            if b[j + 1] == 0x2F {
                var ok = true
                for k in 0..<name.count where (b[j + 2 + k] | 0x20) != name[k] { ok = false; break }
                if ok { return j }
            }
            j += 1
        }
        return n
    }

    static func isJSONLD(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Bool {
        let needle = Array("ld+json".utf8)
        guard to - from > needle.count else { return false }
        var j = from
        while j + needle.count <= to {
            var ok = true
            for k in 0..<needle.count where (b[j + k] | 0x20) != needle[k] { ok = false; break }
            if ok { return true }
            j += 1
        }
        return false
    }
}

/// Writes a start tag without its attributes: the ones `DOMTree` keeps go to the attribute
/// table and the tag gets the table row's marker (`<div _a=12>`), the others are dropped.
/// Tokenized the way HTML tokenizers do: names up to white space, `/`, `>` or `=`; values quoted
/// or up to white space or `>`.
enum StartTagRewriter {
    static let href = Array("href".utf8), content = Array("content".utf8)
    static let link = Array("link".utf8), meta = Array("meta".utf8)
    /// Attributes kept on every element, by name length (a handful of short names: comparing
    /// bytes beats hashing); `href` only on `<link>`, `content` only on `<meta>`.
    static let everywhere: [[(HTMLAttribute, [UInt8])]] = {
        var byLength = [[(HTMLAttribute, [UInt8])]](repeating: [], count: 16)
        for a in HTMLAttribute.allCases where a != .href && a != .content {
            byLength[a.rawValue.utf8.count].append((a, Array(a.rawValue.utf8)))
        }
        return byLength
    }()

    /// The index just past the tag when it was written to `out`, or nil when the tag is left
    /// as it is (no attributes, or no `>` before the end of the input).
    static func rewrite(_ b: UnsafeBufferPointer<UInt8>, at start: Int, into out: inout [UInt8],
                        attributes table: inout AttributeTable) -> Int? {
        let n = b.count
        var i = start + 1
        while i < n, !isSpace(b[i]), b[i] != 0x3E, b[i] != 0x2F { i += 1 }
        guard i < n, isSpace(b[i]) else { return nil }
        let tagName = (start + 1)..<i
        let isLink = equalsLower(b, tagName, link), isMeta = equalsLower(b, tagName, meta)
        while true {
            switch AttributeTokenizer.next(b, &i) {
            case .end(let selfClosing):
                // <meta> and <link> are read for metadata only (void, pruned): the ones the reader
                // never looks at are dropped whole, a few dozen elements of a page's head.
                let unreadMeta = isMeta && !HTMLMetadataReader.isRead(
                    metaKeys: [table.pendingValue(.property), table.pendingValue(.name), table.pendingValue(.itemprop)],
                    content: table.pendingValue(.content))
                let unreadLink = isLink && !HTMLMetadataReader.isRead(linkRel: table.pendingValue(.rel))
                if unreadMeta || unreadLink {
                    table.discardRow()
                    return i
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<tagName.upperBound]))
                var marked = false
                if let row = table.endRow() {
                    out.append(0x20)  // " _a="
                    out.append(0x5F)
                    out.append(0x61)
                    out.append(0x3D)
                    appendDecimal(row, into: &out)
                    marked = true
                }
                // An unquoted value runs up to white space or '>', so "_a=12/>" would give the
                // marker "12/" and the element would lose every attribute (`<meta … />`: its byline).
                if selfClosing {
                    if marked { out.append(0x20) }
                    out.append(0x2F)  // "/>"
                }
                out.append(0x3E)
                return i
            case .attribute(let name, let value):
                if let kept = keptAttribute(b, name, isLink: isLink, isMeta: isMeta) {
                    table.add(kept, rawValue: value.map { UnsafeBufferPointer(rebasing: b[$0]) })
                }
                continue
            case .cutOff:
                break
            }
            break
        }
        // No '>' before the end: leave the tag to the parser as it was.
        table.discardRow()
        return nil
    }

    @inline(__always)
    static func keptAttribute(_ b: UnsafeBufferPointer<UInt8>, _ name: Range<Int>, isLink: Bool, isMeta: Bool) -> HTMLAttribute? {
        guard name.count < everywhere.count else { return nil }
        for (attribute, word) in everywhere[name.count] where equalsLower(b, name, word) { return attribute }
        if isLink, equalsLower(b, name, href) { return .href }
        if isMeta, equalsLower(b, name, content) { return .content }
        return nil
    }

    static func appendDecimal(_ value: Int, into out: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var v = value
        while divisor > 0 {
            out.append(UInt8(0x30 + v / divisor))
            v %= divisor
            divisor /= 10
        }
    }

    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == 0x0C }

    /// ASCII case-insensitive equality with a lower-case word of letters, digits and '-'.
    @inline(__always)
    static func equalsLower(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ word: [UInt8]) -> Bool {
        guard range.count == word.count else { return false }
        var k = range.lowerBound
        for c in word {
            let x = b[k]
            if x != c && ((x | 0x20) != c || x < 0x41) { return false }
            k += 1
        }
        return true
    }
}

/// The attributes of a start tag, one at a time, tokenized the way HTML tokenizers do: names up
/// to white space, `/`, `>` or `=`; values quoted, or up to white space or `>`.
enum AttributeTokenizer {
    enum Token {
        case attribute(name: Range<Int>, value: Range<Int>?)
        /// The tag's `>` (or `/>`); the index is then just past it.
        case end(selfClosing: Bool)
        /// The input ended inside the tag.
        case cutOff
    }

    /// The next token from `i` (just past the tag name or the previous attribute).
    static func next(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Token {
        let n = b.count
        while i < n, StartTagRewriter.isSpace(b[i]) || (b[i] == 0x2F && !(i + 1 < n && b[i + 1] == 0x3E)) { i += 1 }
        guard i < n else { return .cutOff }
        if b[i] == 0x3E { i += 1; return .end(selfClosing: false) }
        if b[i] == 0x2F { i += 2; return .end(selfClosing: true) }
        let nameStart = i
        i += 1  // a name may begin with '=' (an error, but a name all the same)
        while i < n, !StartTagRewriter.isSpace(b[i]), b[i] != 0x2F, b[i] != 0x3E, b[i] != 0x3D { i += 1 }
        let name = nameStart..<i
        var value: Range<Int>?
        var j = i
        while j < n, StartTagRewriter.isSpace(b[j]) { j += 1 }
        if j < n, b[j] == 0x3D {
            j += 1
            while j < n, StartTagRewriter.isSpace(b[j]) { j += 1 }
            if j < n, b[j] == 0x22 || b[j] == 0x27 {
                let quote = b[j]
                let from = j + 1
                // Values run long (srcset, data-* JSON): find the closing quote with memchr.
                if from < n, let q = memchr(b.baseAddress! + from, Int32(quote), n - from) {
                    j = b.baseAddress!.distance(to: q.assumingMemoryBound(to: UInt8.self))
                } else {
                    j = n
                }
                value = from..<j
                j = min(n, j + 1)
            } else {
                let from = j
                while j < n, !StartTagRewriter.isSpace(b[j]), b[j] != 0x3E { j += 1 }
                value = from..<j
            }
            i = j
        }
        return .attribute(name: name, value: value)
    }
}
