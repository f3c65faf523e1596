import CLibXML2
import Glibc

/// A compact copy of the parsed page: elements and text in document order (preorder), with the
/// few attributes extraction looks at, as parallel arrays over one byte arena. No node owns a
/// String or an array, so building and walking the tree costs no reference counting, and the
/// subtree of node `i` is the contiguous range `i..<end(i)`: walks are loops, never recursion,
/// so depth costs nothing.
struct DOMTree {
    private(set) var tags: [HTMLTag] = []
    private var parents: [Int32] = []
    private var ends: [Int32] = []
    /// Text nodes: their bytes in `bytes`. Elements: their attributes in `attributeNames`/`attributeSpans`.
    private var spanStart: [Int32] = []
    private var spanEnd: [Int32] = []
    /// Elements: index into `names` of their lower-cased "class id", or -1 without either.
    private var nameIndex: [Int32] = []
    private var attributeNames: [HTMLAttribute] = []
    private var attributeStart: [Int32] = []
    private var attributeEnd: [Int32] = []
    private var bytes: [UInt8] = []
    /// The distinct lower-cased "class id" strings of the page; pages repeat a few dozen names
    /// over thousands of elements, so judgments about a name are made once per name.
    private(set) var names: [String] = []

    /// Index of `<html>` (or the first element) and of `<body>`, -1 when absent.
    private(set) var root = -1
    private(set) var body = -1

    var count: Int { tags.count }
    @inline(__always) func tag(_ i: Int) -> HTMLTag { tags[i] }
    @inline(__always) func isText(_ i: Int) -> Bool { tags[i] == .text }
    @inline(__always) func parent(_ i: Int) -> Int { Int(parents[i]) }
    /// One past the last node of the subtree of `i`.
    @inline(__always) func end(_ i: Int) -> Int { Int(ends[i]) }
    @inline(__always) func children(_ i: Int) -> Children { Children(tree: self, parent: i) }

    /// Lower-cased `class` and `id`, space separated ("" without either): what content heuristics read.
    func classAndID(_ i: Int) -> String { nameIndex[i] >= 0 ? names[Int(nameIndex[i])] : "" }
    /// Index of the element's name in `names`, or -1.
    func nameID(_ i: Int) -> Int { Int(nameIndex[i]) }

    func attribute(_ name: HTMLAttribute, of i: Int) -> String? {
        guard !isText(i) else { return nil }
        for k in Int(spanStart[i])..<Int(spanEnd[i]) where attributeNames[k] == name {
            return String(decoding: bytes[Int(attributeStart[k])..<Int(attributeEnd[k])], as: UTF8.self)
        }
        return nil
    }

    func hasAttribute(_ name: HTMLAttribute, of i: Int) -> Bool {
        guard !isText(i) else { return false }
        return attributeNames[Int(spanStart[i])..<Int(spanEnd[i])].contains(name)
    }

    /// The bytes of a text node, white space as in the source.
    @inline(__always)
    func withText<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[Int(spanStart[i])..<Int(spanEnd[i])])) }
    }

    /// Where a text node's bytes start in the arena; the arena is written in node order.
    @inline(__always) func textStart(_ i: Int) -> Int { Int(spanStart[i]) }

    /// Hands back to the kernel the arena pages between two offsets, for the last reader of a
    /// large page's tree (`BlockTextWriter`), which goes through the text in order: the memory
    /// is freed as the paragraphs are made, instead of with the tree. Nothing may read those
    /// bytes afterwards, through this tree or a copy of it (they read back as zeros).
    func discardText(from: Int, to: Int) {
        bytes.withUnsafeBufferPointer { PageDiscard.discard($0, from: from, to: to) }
    }

    struct Children: Sequence {
        let tree: DOMTree
        let parent: Int
        struct Iterator: IteratorProtocol {
            let ends: [Int32]
            var position: Int
            let stop: Int
            mutating func next() -> Int? {
                guard position < stop else { return nil }
                defer { position = Int(ends[position]) }
                return position
            }
        }
        func makeIterator() -> Iterator { Iterator(ends: tree.ends, position: parent + 1, stop: tree.end(parent)) }
    }

    /// Parses UTF-8 HTML. libxml2's HTML parser recovers from any markup; its depth limit
    /// (256 levels without XML_PARSE_HUGE) bounds pathological nesting.
    ///
    /// The parser runs in SAX mode: its events build this compact tree directly, so libxml2
    /// never allocates a tree of its own that would then be copied and freed.
    ///
    /// With `discardEvery` (a large page that nothing reads afterwards), libxml2 reads the bytes
    /// through a callback, a few kilobytes at a time, instead of copying them whole into its input
    /// buffer first (what `htmlCreateMemoryParserCtxt` does), and the pages of the input it has
    /// been handed are given back to the kernel every that many bytes; the text arena is reserved
    /// at its largest size so that it never grows by copying. The tree then replaces the markup
    /// instead of coming on top of it and of libxml2's copy. (A static buffer, which libxml2 2.9
    /// reads in place, is no way out: tried on a 40 MB page, the parser read back into bytes it
    /// had passed near the end of the input, as libxml2 2.9.14 shrinks such a buffer's input
    /// wrongly.) The parse is the same (`htmlParseDocument` reads a file through such a
    /// callback): LargePageTests compares the two routes.
    static func parse(_ html: consuming [UInt8], attributes: AttributeTable = AttributeTable(),
                      discardEvery step: Int? = nil) -> DOMTree {
        LibXML.prepare()
        var builder = Builder(capacity: html.count, table: attributes, large: step != nil)
        guard !html.isEmpty else { return builder.finish() }
        // The builder is a struct reached through a pointer for the whole parse: the callbacks
        // mutate it without the reference counting and exclusivity checks a class would cost.
        withUnsafeMutablePointer(to: &builder) { builderPointer in
            if let step {
                html.withUnsafeMutableBufferPointer { buf in
                    var reader = InputReader(input: UnsafeBufferPointer(buf), step: step)
                    withUnsafeMutablePointer(to: &reader) { readerPointer in
                        guard let ctxt = htmlNewParserCtxt() else { return }
                        defer { free(ctxt) }
                        let read: xmlInputReadCallback = { context, buffer, length in
                            guard let context, let buffer, length > 0 else { return 0 }
                            return context.assumingMemoryBound(to: InputReader.self).pointee.read(into: buffer, Int(length))
                        }
                        guard let input = xmlParserInputBufferCreateIO(read, nil, readerPointer, XML_CHAR_ENCODING_NONE) else { return }
                        guard let stream = xmlNewIOInputStream(ctxt, input, XML_CHAR_ENCODING_NONE) else {
                            xmlFreeParserInputBuffer(input)
                            return
                        }
                        inputPush(ctxt, stream)
                        // The first bytes, where `htmlCreateMemoryParserCtxt` would have them all:
                        // the UTF-8 switch below looks at them for a byte-order mark.
                        xmlParserInputGrow(stream, INPUT_CHUNK)
                        run(ctxt, builderPointer)
                    }
                }
            } else {
                html.withUnsafeBufferPointer { buf in
                    buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { chars in
                        guard let ctxt = htmlCreateMemoryParserCtxt(chars, Int32(clamping: buf.count)) else { return }
                        defer { free(ctxt) }
                        run(ctxt, builderPointer)
                    }
                }
            }
        }
        return builder.finish()

        func free(_ ctxt: htmlParserCtxtPtr) {
            if let doc = ctxt.pointee.myDoc { xmlFreeDoc(doc); ctxt.pointee.myDoc = nil }
            htmlFreeParserCtxt(ctxt)
        }
    }

    /// Parses the input of `ctxt` into the builder.
    private static func run(_ ctxt: htmlParserCtxtPtr, _ builderPointer: UnsafeMutablePointer<Builder>) {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                            | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOIMPLIED.rawValue
                            // The bytes are UTF-8 already (CharsetDecoder converted them); a
                            // `<meta charset>` must not make libxml2 decode them a second time.
                            | HTML_PARSE_IGNORE_ENC.rawValue)
        htmlCtxtUseOptions(ctxt, options)
        guard let sax = ctxt.pointee.sax else { return }
        sax.pointee = htmlSAXHandler()
        sax.pointee.startElement = { ctx, name, attributes in
            guard let ctx, let name else { return }
            ctx.assumingMemoryBound(to: Builder.self).pointee.start(name, attributes)
        }
        sax.pointee.endElement = { ctx, _ in
            guard let ctx else { return }
            ctx.assumingMemoryBound(to: Builder.self).pointee.end()
        }
        let characters: charactersSAXFunc = { ctx, chars, length in
            guard let ctx, let chars, length > 0 else { return }
            ctx.assumingMemoryBound(to: Builder.self).pointee.characters(chars, Int(length))
        }
        sax.pointee.characters = characters
        sax.pointee.cdataBlock = characters
        ctxt.pointee.userData = UnsafeMutableRawPointer(builderPointer)
        xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8)
        htmlParseDocument(ctxt)
    }

    /// Hands a large page to libxml2 as it asks for it, and gives back the pages of what it has
    /// been handed (libxml2 copies them into its own small buffer) every `step` bytes.
    struct InputReader {
        let input: UnsafeBufferPointer<UInt8>
        let step: Int
        var position = 0
        var discarded = 0

        mutating func read(into buffer: UnsafeMutablePointer<CChar>, _ length: Int) -> Int32 {
            let n = min(length, input.count - position)
            guard n > 0, let base = input.baseAddress else { return 0 }
            UnsafeMutableRawPointer(buffer).copyMemory(from: base + position, byteCount: n)
            position += n
            if position - discarded >= step {
                PageDiscard.discard(input, from: discarded, to: position)
                discarded = position
            }
            return Int32(n)
        }
    }

    /// Receives the parser's events; confined to the parsing thread.
    private struct Builder {
        var tree = DOMTree()
        var open: [Int32] = []
        /// The text node that characters go to while text keeps arriving, or -1.
        var textNode = -1
        /// libxml2 hands out element and attribute names interned in its parser dictionary, so
        /// the same pointer means the same name for the whole parse: each is looked up once
        /// and remembered in a small direct-mapped cache.
        var tagCache = PointerCache<HTMLTag>()
        var attributeCache = PointerCache<HTMLAttribute?>()
        var interner = ByteInterner()
        var nameBuffer: [UInt8] = []
        /// The attributes the prefilter took out of the markup, by row (see `AttributeTable`).
        let table: AttributeTable

        init(capacity: Int, table: AttributeTable, large: Bool = false) {
            self.table = table
            let nodes = max(256, capacity / 40)
            tree.tags.reserveCapacity(nodes)
            tree.parents.reserveCapacity(nodes)
            tree.ends.reserveCapacity(nodes)
            tree.spanStart.reserveCapacity(nodes)
            tree.spanEnd.reserveCapacity(nodes)
            tree.nameIndex.reserveCapacity(nodes)
            // Text and kept attribute values are at most about the markup and the table; reserved
            // memory is not resident until written.
            tree.bytes.reserveCapacity(large ? capacity + table.bytes.count + 4096 : capacity / 2)
        }

        mutating func finish() -> DOMTree {
            textNode = -1
            // Elements never closed (the end of a truncated page) end with the document.
            for i in open { tree.ends[Int(i)] = Int32(tree.tags.count) }
            open.removeAll()
            tree.names = interner.strings
            return tree
        }

        private mutating func append(_ tag: HTMLTag, parent: Int32) -> Int {
            tree.tags.append(tag)
            tree.parents.append(parent)
            tree.ends.append(Int32(tree.tags.count))
            tree.nameIndex.append(-1)
            tree.spanStart.append(0)
            tree.spanEnd.append(0)
            return tree.tags.count - 1
        }

        mutating func start(_ name: UnsafePointer<xmlChar>, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
            textNode = -1
            let tag = tagCache.value(for: name) { HTMLTag(name: String(cString: name)) }
            let index = append(tag, parent: open.last ?? -1)
            let firstAttribute = Int32(tree.attributeNames.count)
            var classRange = 0..<0, idRange = 0..<0
            if var a = attributes {
                while let an = a.pointee {
                    let value = a.advanced(by: 1).pointee
                    if an[0] == 0x5F, an[1] == 0x61, an[2] == 0, let value, let row = Self.row(value), row < table.rowCount {
                        // The prefilter's marker: the tag's attributes are in the table.
                        for k in table.attributes(ofRow: row) {
                            let from = tree.bytes.count
                            tree.bytes.append(contentsOf: table.bytes[Int(table.valueStart[k])..<Int(table.valueEnd[k])])
                            let range = from..<tree.bytes.count
                            let attribute = table.names[k]
                            tree.attributeNames.append(attribute)
                            tree.attributeStart.append(Int32(range.lowerBound))
                            tree.attributeEnd.append(Int32(range.upperBound))
                            if attribute == .classes { classRange = range } else if attribute == .id { idRange = range }
                        }
                        a = a.advanced(by: 2)
                        continue
                    }
                    let attribute = attributeCache.value(for: an) { HTMLAttribute(rawValue: String(cString: an).lowercased()) }
                    if let attribute {
                        let from = tree.bytes.count
                        if let value { tree.bytes.append(contentsOf: UnsafeBufferPointer(start: value, count: strlen(value))) }
                        let range = from..<tree.bytes.count
                        // (libxml2 has already dropped repeats of an attribute, as browsers do.)
                        tree.attributeNames.append(attribute)
                        tree.attributeStart.append(Int32(range.lowerBound))
                        tree.attributeEnd.append(Int32(range.upperBound))
                        if attribute == .classes { classRange = range } else if attribute == .id { idRange = range }
                    }
                    guard value != nil || a.advanced(by: 1).pointee == nil else { break }
                    a = a.advanced(by: 2)
                }
            }
            tree.spanStart[index] = firstAttribute
            tree.spanEnd[index] = Int32(tree.attributeNames.count)
            if !classRange.isEmpty || !idRange.isEmpty { tree.nameIndex[index] = nameID(classRange, idRange) }
            if tree.root < 0 { tree.root = index }
            if tag == .body, tree.body < 0 { tree.body = index }
            open.append(Int32(index))
        }

        /// The decimal number a marker carries, or nil.
        static func row(_ value: UnsafePointer<UInt8>) -> Int? {
            var v = 0, k = 0
            while value[k] >= 0x30 && value[k] <= 0x39 {
                v = v * 10 + Int(value[k] - 0x30)
                k += 1
                if k > 9 { return nil }
            }
            return k > 0 && value[k] == 0 ? v : nil
        }

        /// The interned lower-cased "class id" of an element.
        private mutating func nameID(_ cls: Range<Int>, _ id: Range<Int>) -> Int32 {
            nameBuffer.removeAll(keepingCapacity: true)
            nameBuffer.append(contentsOf: tree.bytes[cls])
            nameBuffer.append(0x20)
            nameBuffer.append(contentsOf: tree.bytes[id])
            return Int32(interner.intern(&nameBuffer))
        }

        mutating func end() {
            textNode = -1
            if let i = open.popLast() { tree.ends[Int(i)] = Int32(tree.tags.count) }
        }

        mutating func characters(_ chars: UnsafePointer<xmlChar>, _ length: Int) {
            guard let parent = open.last else { return }
            if textNode < 0 {
                textNode = append(.text, parent: parent)
                tree.spanStart[textNode] = Int32(tree.bytes.count)
            }
            tree.bytes.append(contentsOf: UnsafeBufferPointer(start: chars, count: length))
            tree.spanEnd[textNode] = Int32(tree.bytes.count)
        }
    }

    /// Text of the subtree with white space collapsed.
    func text(of index: Int) -> String {
        var folder = WhitespaceFolder()
        bytes.withUnsafeBufferPointer { arena in
            for i in index..<end(index) {
                if isText(i) {
                    folder.append(UnsafeBufferPointer(rebasing: arena[Int(spanStart[i])..<Int(spanEnd[i])]))
                } else if !tags[i].joinsWords {
                    // Block boundaries separate words even where the markup has no space.
                    folder.space()
                }
            }
        }
        return folder.take()
    }

    /// Indices of elements with this tag, in document order.
    func elements(_ tag: HTMLTag) -> [Int] {
        tags.indices.filter { tags[$0] == tag }
    }
}

/// libxml2 set-up: the parser is initialized once, before threads use it; error printing is
/// silenced on every calling thread, because libxml2 keeps its error handlers per thread
/// (the HTML parser would otherwise report every unclosed tag of real pages).
enum LibXML {
    private static let once: Void = { xmlInitParser() }()
    static func prepare() {
        _ = once
        ingestd_xml_silence_errors()
    }
}
