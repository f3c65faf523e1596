import CLibXML2

/// A compact copy of the parsed page: elements and text in document order, with the few
/// attributes extraction looks at. Built once from libxml2's tree, which is freed at once;
/// every later pass is a loop over arrays, no recursion, so depth costs nothing.
struct DOMTree {
    struct Node {
        /// Lower-case tag name; "#text" for text.
        var tag: String
        var parent: Int
        var children: [Int] = []
        /// Text of a text node, white space as in the source.
        var text: String = ""
        /// Lower-cased `class` and `id`, space separated: what content heuristics read.
        var classAndID: String = ""
        var attributes = Attributes()
        var isText: Bool { tag == "#text" }
    }

    /// The few attributes kept per element, searched linearly: cheaper than a dictionary
    /// per element for two or three entries.
    struct Attributes: Equatable {
        private var pairs: [(String, String)] = []
        subscript(_ name: String) -> String? {
            get { pairs.first { $0.0 == name }?.1 }
            set {
                if let i = pairs.firstIndex(where: { $0.0 == name }) {
                    if let newValue { pairs[i].1 = newValue } else { pairs.remove(at: i) }
                } else if let newValue {
                    pairs.append((name, newValue))
                }
            }
        }
        static func == (a: Attributes, b: Attributes) -> Bool {
            a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        }
    }

    private(set) var nodes: [Node] = []
    /// Index of `<html>` (or the first element) and of `<body>`, -1 when absent.
    private(set) var root = -1
    private(set) var body = -1

    static let keptAttributes: Set<String> = [
        "class", "id", "itemprop", "itemtype", "role", "href", "content", "property", "name", "rel", "datetime",
        "lang", "style", "hidden", "aria-hidden", "http-equiv", "charset", "type",
    ]

    /// Parses UTF-8 HTML. libxml2's HTML parser recovers from any markup; its depth limit
    /// (256 levels without XML_PARSE_HUGE) bounds pathological nesting.
    ///
    /// The parser runs in SAX mode: its events build this compact tree directly, so libxml2
    /// never allocates a tree of its own that would then be copied and freed.
    static func parse(_ html: [UInt8]) -> DOMTree {
        LibXML.prepare()
        let builder = Builder()
        guard !html.isEmpty else { return builder.tree }
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                            | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOIMPLIED.rawValue
                            // The bytes are UTF-8 already (CharsetDecoder converted them); a
                            // `<meta charset>` must not make libxml2 decode them a second time.
                            | HTML_PARSE_IGNORE_ENC.rawValue)
        withExtendedLifetime(builder) {
            html.withUnsafeBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { chars in
                    guard let ctxt = htmlCreateMemoryParserCtxt(chars, Int32(clamping: buf.count)) else { return }
                    defer {
                        if let doc = ctxt.pointee.myDoc { xmlFreeDoc(doc); ctxt.pointee.myDoc = nil }
                        htmlFreeParserCtxt(ctxt)
                    }
                    htmlCtxtUseOptions(ctxt, options)
                    guard let sax = ctxt.pointee.sax else { return }
                    sax.pointee = htmlSAXHandler()
                    sax.pointee.startElement = { ctx, name, attributes in
                        guard let ctx, let name else { return }
                        Unmanaged<Builder>.fromOpaque(ctx).takeUnretainedValue().start(name, attributes)
                    }
                    sax.pointee.endElement = { ctx, _ in
                        guard let ctx else { return }
                        Unmanaged<Builder>.fromOpaque(ctx).takeUnretainedValue().end()
                    }
                    let characters: charactersSAXFunc = { ctx, chars, length in
                        guard let ctx, let chars, length > 0 else { return }
                        Unmanaged<Builder>.fromOpaque(ctx).takeUnretainedValue().characters(chars, Int(length))
                    }
                    sax.pointee.characters = characters
                    sax.pointee.cdataBlock = characters
                    ctxt.pointee.userData = Unmanaged.passUnretained(builder).toOpaque()
                    xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8)
                    htmlParseDocument(ctxt)
                }
            }
        }
        builder.flushText()
        return builder.tree
    }

    /// Receives the parser's events; confined to the parsing thread.
    private final class Builder {
        var tree = DOMTree()
        var open: [Int] = []
        var textBytes: [UInt8] = []
        /// Index of the text node that `textBytes` belongs to, while text keeps arriving.
        var textNode = -1

        init() { tree.nodes.reserveCapacity(2048) }

        func flushText() {
            guard textNode >= 0 else { return }
            tree.nodes[textNode].text = String(decoding: textBytes, as: UTF8.self)
            textBytes.removeAll(keepingCapacity: true)
            textNode = -1
        }

        func start(_ name: UnsafePointer<xmlChar>, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
            flushText()
            let parent = open.last ?? -1
            var element = Node(tag: String(cString: name), parent: parent)
            if var a = attributes {
                while let an = a.pointee {
                    let value = a.advanced(by: 1).pointee
                    let name = String(cString: an).lowercased()
                    if DOMTree.keptAttributes.contains(name) {
                        element.attributes[name] = value.map { String(cString: $0) } ?? ""
                    }
                    guard value != nil || a.advanced(by: 1).pointee == nil else { break }
                    a = a.advanced(by: 2)
                }
            }
            let cls = element.attributes["class"] ?? ""
            let id = element.attributes["id"] ?? ""
            if !cls.isEmpty || !id.isEmpty { element.classAndID = (cls + " " + id).lowercased() }
            tree.nodes.append(element)
            let index = tree.nodes.count - 1
            if parent >= 0 { tree.nodes[parent].children.append(index) }
            if tree.root < 0 { tree.root = index }
            if element.tag == "body", tree.body < 0 { tree.body = index }
            open.append(index)
        }

        func end() {
            flushText()
            _ = open.popLast()
        }

        func characters(_ chars: UnsafePointer<xmlChar>, _ length: Int) {
            guard let parent = open.last else { return }
            if textNode < 0 {
                tree.nodes.append(Node(tag: "#text", parent: parent))
                textNode = tree.nodes.count - 1
                tree.nodes[parent].children.append(textNode)
            }
            textBytes.append(contentsOf: UnsafeBufferPointer(start: chars, count: length))
        }
    }

    // `_read` hands out the stored node without copying it (a copy retains every field).
    subscript(_ i: Int) -> Node { _read { yield nodes[i] } }
    var count: Int { nodes.count }

    /// Text of the subtree with white space collapsed.
    func text(of index: Int) -> String {
        var folder = WhitespaceFolder()
        var stack = [index]
        while let i = stack.popLast() {
            let n = nodes[i]
            if n.isText {
                folder.append(n.text)
            } else {
                // Block boundaries separate words even where the markup has no space.
                if n.tag != "a" && n.tag != "span" && n.tag != "b" && n.tag != "i" && n.tag != "em" && n.tag != "strong" { folder.space() }
                stack.append(contentsOf: n.children.reversed())
            }
        }
        return folder.take()
    }

    /// Indices of elements with this tag, in document order.
    func elements(_ tag: String) -> [Int] {
        nodes.indices.filter { nodes[$0].tag == tag }
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
