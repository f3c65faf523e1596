/// Element names as one byte each. Extraction asks "is this a paragraph, a block, furniture?"
/// millions of times a second; a switch over a one-byte enum answers without hashing or
/// comparing strings. Names the extractor never asks about are `.other`.
enum HTMLTag: String, CaseIterable, Sendable {
    case text = "#text", other = "#other"
    case html, head, body, title, meta, link, base
    case a, abbr, address, article, aside, audio, b, blockquote, br, button, canvas, caption, center, cite, code
    case dd, details, dialog, div, dl, dt, em, embed, figcaption, figure, font, footer, form
    case h1, h2, h3, h4, h5, h6, header, hr, i, iframe, img, input, label, li, main, map, mark, menu, nav, noscript
    case object, ol, p, picture, pre, q, s, script, section, select, small, source, span, strong, style, sub
    case summary, sup, svg, table, tbody, td, template, textarea, tfoot, th, thead, time, tr, u, ul, video, wbr

    /// A lower-case element name as libxml2's HTML parser reports it.
    init(name: String) { self = HTMLTag(rawValue: name) ?? .other }

    /// Never article text, whatever the content. (Not `form`: some sites wrap the whole page in one.)
    var isJunk: Bool {
        switch self {
        case .nav, .aside, .footer, .button, .select, .input, .textarea, .iframe, .noscript, .svg, .canvas, .object,
             .embed, .menu, .dialog, .header, .figcaption, .picture, .video, .audio, .map, .script, .style, .template,
             .head, .title, .meta, .link:
            return true
        default:
            return false
        }
    }

    /// Elements whose text scores their ancestors as one paragraph.
    var isParagraph: Bool {
        switch self {
        case .p, .pre, .td, .blockquote, .li, .h2, .h3, .dd: return true
        default: return false
        }
    }

    /// Block-level elements: a `div` holding one of these is a container, not a paragraph.
    var isBlock: Bool {
        switch self {
        case .p, .div, .section, .article, .main, .pre, .table, .tr, .td, .ul, .ol, .li, .dl, .dd, .dt, .blockquote,
             .h1, .h2, .h3, .h4, .h5, .h6, .figure, .header, .footer, .form, .aside, .nav, .hr, .address, .center,
             .details, .summary:
            return true
        default:
            return false
        }
    }

    /// Elements that end the line of text before them and start a new one.
    var breaksLine: Bool {
        switch self {
        case .p, .div, .section, .article, .main, .pre, .table, .tr, .td, .th, .ul, .ol, .li, .dl, .dd, .dt,
             .blockquote, .h1, .h2, .h3, .h4, .h5, .h6, .hr, .br, .address, .center, .details, .summary, .caption,
             .tbody, .thead:
            return true
        default:
            return false
        }
    }

    /// Table cells (`td`, `th`).
    var isCell: Bool { self == .td || self == .th }

    /// Inline elements that join the words around them without a space.
    var joinsWords: Bool {
        switch self {
        case .a, .span, .b, .i, .em, .strong: return true
        default: return false
        }
    }
}

/// The attributes extraction reads; every other attribute is dropped while parsing.
enum HTMLAttribute: String, CaseIterable, Sendable {
    case classes = "class", id, itemprop, itemtype, role, href, content, property, name, rel, datetime, lang, style
    case hidden, ariaHidden = "aria-hidden", httpEquiv = "http-equiv", charset, type
}
