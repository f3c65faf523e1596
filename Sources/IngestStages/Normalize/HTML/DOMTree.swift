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

    private static let keptAttributes: Set<String> = [
        "class", "id", "itemprop", "itemtype", "role", "href", "content", "property", "name", "rel", "datetime",
        "lang", "style", "hidden", "aria-hidden", "http-equiv", "charset", "type",
    ]

    /// Parses UTF-8 HTML. libxml2's HTML parser recovers from any markup; its depth limit
    /// (256 levels without XML_PARSE_HUGE) bounds pathological nesting.
    static func parse(_ html: [UInt8]) -> DOMTree {
        LibXML.prepare()
        var tree = DOMTree()
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                            | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue | HTML_PARSE_NOIMPLIED.rawValue
                            // The bytes are UTF-8 already (CharsetDecoder converted them); a
                            // `<meta charset>` must not make libxml2 decode them a second time.
                            | HTML_PARSE_IGNORE_ENC.rawValue)
        let doc: htmlDocPtr? = html.withUnsafeBufferPointer { buf in
            buf.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                    htmlReadMemory($0, Int32(clamping: buf.count), nil, "UTF-8", options)
                }
            }
        }
        guard let doc else { return tree }
        defer { xmlFreeDoc(doc) }
        tree.nodes.reserveCapacity(2048)
        // Depth-first, pre-order, with an explicit stack of (libxml2 node, parent index).
        var stack: [(xmlNodePtr, Int)] = []
        var child = doc.pointee.children
        var topLevel: [xmlNodePtr] = []
        while let c = child { topLevel.append(c); child = c.pointee.next }
        for c in topLevel.reversed() { stack.append((c, -1)) }
        while let (node, parent) = stack.popLast() {
            let type = node.pointee.type
            if type == XML_TEXT_NODE || type == XML_CDATA_SECTION_NODE {
                guard parent >= 0, let content = node.pointee.content else { continue }
                let text = String(cString: content)
                if text.isEmpty { continue }
                tree.nodes.append(Node(tag: "#text", parent: parent, text: text))
                tree.nodes[parent].children.append(tree.nodes.count - 1)
                continue
            }
            guard type == XML_ELEMENT_NODE, let namePtr = node.pointee.name else { continue }
            var element = Node(tag: String(cString: namePtr), parent: parent)
            var attr = node.pointee.properties
            while let a = attr {
                if let an = a.pointee.name {
                    let name = String(cString: an).lowercased()
                    if keptAttributes.contains(name) {
                        var value = ""
                        if let v = a.pointee.children, let content = v.pointee.content { value = String(cString: content) }
                        element.attributes[name] = value
                    }
                }
                attr = a.pointee.next
            }
            let cls = element.attributes["class"] ?? ""
            let id = element.attributes["id"] ?? ""
            if !cls.isEmpty || !id.isEmpty { element.classAndID = (cls + " " + id).lowercased() }
            tree.nodes.append(element)
            let index = tree.nodes.count - 1
            if parent >= 0 { tree.nodes[parent].children.append(index) }
            if tree.root < 0 { tree.root = index }
            if element.tag == "body", tree.body < 0 { tree.body = index }
            var kids: [xmlNodePtr] = []
            var k = node.pointee.children
            while let c = k { kids.append(c); k = c.pointee.next }
            for c in kids.reversed() { stack.append((c, index)) }
        }
        return tree
    }

    subscript(_ i: Int) -> Node { nodes[i] }
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
