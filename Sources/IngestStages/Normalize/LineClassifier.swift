import Foundation

/// Rules that recognise page furniture, terminal markers, captions and editor's notes line by line.
/// All rules are general shapes (prompts, credits, markup residue), never tied to one outlet.
enum LineClassifier {
    /// `knownNotCode`: the caller has already found the line is not code residue (the check
    /// is among the dearest, and the HTML path makes it first).
    static func classify(_ line: ScrapeLine, knownNotCode: Bool = false) -> ScrapeLine.Kind {
        if editorsNoteBody(line) != nil { return .editorsNote }
        if !knownNotCode, isCodeResidue(line) { return .furniture }
        if line.letterCount == 0 { return .furniture } // ". .", "16", "|", "***"
        if isTerminal(line) { return .terminal }
        if isCaption(line) { return .caption }
        if isFurniture(line) { return .furniture }
        return .text
    }

    // MARK: Editor's note

    static let notePrefixes = ["editor's note", "editors' note", "editors note", "editor's notes", "editor note", "note from the editor"]

    /// The note text with its prefix removed, or nil when the line is not an editor's note.
    static func editorsNoteBody(_ line: ScrapeLine) -> String? {
        let lower = line.lower
        guard let first = lower.first, first == "e" || first == "n" || first == "(" || first == "[" else { return nil }
        var head = lower
        var skip = 0
        if first == "(" || first == "[" { head = String(head.dropFirst()); skip = 1 }
        for prefix in notePrefixes where head.fastHasPrefix(prefix) {
            let rest = head.dropFirstBytes(prefix.utf8.count)
            guard let next = rest.first, next == ":" || next == " " || next == "-" || next == "—" || next == "–" else { continue }
            // Map back to the original text: the lowercased form keeps scalar positions for ASCII and folded quotes.
            let offset = skip + prefix.count
            var body = Substring(line.text.unicodeScalars.dropFirst(offset))
            body = Substring(ScrapeText.trim(body, [" ", ":", "-", "—", "–"]))
            if skip == 1, let last = body.last, last == ")" || last == "]" { body = body.dropLast() }
            let text = ScrapeText.trim(body, [" "])
            return text.isEmpty ? nil : text
        }
        return nil
    }

    // MARK: Markup / script residue

    static let codeMarkers = ["<div", "</", "/>", "<a ", "<li", "<span", "<script", "<iframe", "<form", "<br", "{*", "*}", "{{", "}}",
                              "data-module", ".tpl", "function(", "function (", "window.", "document.", "[if ", "<!", "-->", "href=",
                              "src=", "class=", "style=", "px;", "/*", "*/", "=\"", "var ", "();", "]]>", "&gt;", "&lt;", "&nbsp;"]

    static let strongCodeSet = PatternSet(["<div", "</", "/>", "<a ", "<li", "<span", "<script", "<iframe", "<form", "<br", "{*",
                                           "data-module", ".tpl", "[if ", "<!", "=\""])
    static let weakCodeSet = PatternSet(["*}", "{{", "}}", "function(", "function (", "window.", "document.", "-->", "href=", "src=",
                                         "class=", "style=", "px;", "/*", "*/", "var ", "();", "]]>", "&gt;", "&lt;", "&nbsp;"])

    static func isCodeResidue(_ line: ScrapeLine) -> Bool {
        let lower = line.lower
        if strongCodeSet.occurs(in: lower) { return true }
        if let (_, off) = weakCodeSet.firstOccurrence(in: lower) {
            if !line.isProse { return true }
            // Two markers make residue even in a long line.
            let rest = lower.dropFirstBytes(off + 1)
            if weakCodeSet.occurs(in: rest) { return true }
        }
        // Selector-like remnants: ".article-content", "#primary", "/footer", "end of .post", "END .body-container".
        // (A selector begins with '.', '#' or '/': without one of those there is nothing to split.)
        if line.wordCount <= 6, lower.withBytes({ $0.contains { $0 == 0x2E || $0 == 0x23 || $0 == 0x2F } }) {
            for word in lower.split(separator: " ") {
                guard let f = word.first, word.count >= 3 else { continue }
                let second = word[word.index(after: word.startIndex)]
                if (f == "." || f == "#" || f == "/") && second.isLetter && second.isLowercase {
                    if word.contains("-") || word.contains("_") || word.contains(".") || line.wordCount <= 2 || lower.fastHasPrefix("end") {
                        // Hashtags in prose ("#TBT") are not lowercase-dashed selectors; URLs are handled by the caller.
                        if f == "#" && !word.contains("-") && !word.contains("_") && !lower.fastHasPrefix("end") { continue }
                        return true
                    }
                }
            }
        }
        return false
    }

    // MARK: Terminal markers

    static let terminalPhrases: [String] = [
        "related", "related posts", "related post", "related news", "related articles", "related article", "related stories",
        "related story", "related content", "related coverage", "related links", "related reading", "related topics",
        "related videos", "related tags", "read more", "read also", "also read", "see also", "more from", "more stories",
        "more news", "more on this", "more on this story", "more on this topic", "more in", "more like this",
        "previous article", "next article", "previous post", "next post", "previous story", "next story",
        "share this story", "share this article", "share this post", "share and like this post", "share this page",
        "most popular", "most read", "most viewed", "most shared", "most commented", "popular posts", "popular stories",
        "popular now", "trending", "trending now", "trending stories", "recommended", "recommended for you",
        "recommended stories", "recommended articles", "you may also like", "you might also like", "you may like",
        "you might like", "you may be interested in", "you might be interested in", "we recommend", "comments",
        "leave a comment", "leave a reply", "post a comment", "add a comment", "join the conversation", "join the discussion",
        "have your say", "about the author", "about the authors", "latest news", "latest stories", "latest articles",
        "latest posts", "further reading", "top stories", "editor's picks", "editors' picks", "what to read next",
        "from around the web", "sponsored content", "sponsored stories", "around the web", "don't miss", "must read",
        "also on", "in case you missed it", "keep reading", "up next", "what's next", "read next", "more to explore",
        "show comments", "view comments", "load comments", "comments are closed", "responses", "discussion",
        "tags", "topics", "filed under", "categories", "similar posts", "similar articles", "other articles", "other stories",
        "more articles", "more headlines", "more videos", "related items", "you may have missed", "top articles",
        "latest", "popular", "top news",
    ]
    static let terminalSet: Set<String> = Set(terminalPhrases)
    static let terminalPrefixes: [String] = [
        "related ", "more from ", "more stories from ", "more news from ", "more in ", "more on ", "more articles from ",
        "previous article", "next article", "previous post", "next post", "most popular", "most read", "you may also",
        "you might also", "recommended ", "latest news", "latest from", "further reading", "read more", "also read",
        "share this story", "share this article", "share and like", "comments (", "leave a comment", "leave a reply",
        "about the author", "top stories", "more stories", "trending ",
    ]

    static let keyTrimSet: Set<Character> = [" ", ":", "-", "|", "–", "—", ",", ";", "/", "•", "·", ">", "»", "›", ".", "!", "(", ")", "[", "]", "+", "*"]

    /// Lowercased text without surrounding punctuation, for short lines only ("" for long ones).
    static func normalizedShort(_ line: ScrapeLine) -> String { line.key }

    static let terminalPrefixSet = PatternSet(terminalPrefixes)
    static let captionPrefixSet = PatternSet(captionPrefixes)
    static let captionContainsSet = PatternSet(captionContains)
    static let furniturePrefixSet = PatternSet(furniturePrefixes)
    static let furnitureContainsSet = PatternSet(furnitureContains)

    static func isTerminal(_ line: ScrapeLine) -> Bool {
        if line.wordCount <= 25 && isCopyrightNotice(line) { return true }
        guard line.wordCount <= 8 else { return false }
        if line.endsSentence {
            // "You may also like...", "Read more:" still head a box; a full stop or question does not.
            let lower = line.lower
            guard lower.fastHasSuffix(":") || lower.fastHasSuffix("...") || lower.fastHasSuffix("…") else { return false }
        }
        let key = normalizedShort(line)
        if terminalSet.contains(key) { return true }
        if terminalPrefixSet.hasPrefix(key) { return true }
        // "12 Comments", "Comments (3)"
        if key.fastHasSuffix(" comments") || key.fastHasSuffix(" comment") || key.fastHasSuffix(" responses") || key.fastHasSuffix(" replies") {
            let first = key.split(separator: " ").first ?? ""
            if first.allSatisfy({ $0.isNumber }) || first == "no" { return true }
        }
        return false
    }

    /// "© 2020 Example Media Inc. All rights reserved.", "Copyright 2020 Example": the page footer starts here.
    static func isCopyrightNotice(_ line: ScrapeLine) -> Bool {
        let key = line.key
        return key.fastHasPrefix("©") || key.fastHasPrefix("copyright ©") || key.fastHasPrefix("copyright (c)")
            || (key.fastHasPrefix("copyright 1") || key.fastHasPrefix("copyright 2"))
    }

    static let consentWords = PatternSet(["use", "accept", "consent", "agree", "brows", "privacy", "setting", "polic", "website",
                                          "this site", "experience", "personal data", "third part", "opt out", "manage"])

    /// A consent banner mentions cookies together with consent vocabulary; a paragraph about baking cookies does not.
    /// Banners in other languages that borrow the word ("Wir verwenden Cookies") have no English function words.
    static func isCookieConsent(_ lower: String) -> Bool {
        guard lower.fastContains("cookie") else { return false }
        if consentWords.occurs(in: lower) { return true }
        // Not English prose at all (a banner in another language that borrows the word).
        return !(lower.fastContains(" the ") || lower.fastContains(" and ") || lower.fastContains(" with "))
    }

    // MARK: Captions

    static let captionPrefixes = ["photo:", "photo :", "photos:", "file photo", "(photo", "[photo", "photo by ", "photo credit", "photograph:",
                                  "photographs:", "image:", "image credit", "images:", "picture:", "pictured:", "pictured above",
                                  "caption:", "above:", "top:", "main image", "main photo", "(file photo", "[file photo", "illustration:",
                                  "(illustration", "video:", "graphic:", "(credit", "credit:", "credit ...", "credits:"]
    static let captionContains = ["(photo:", "(photo/", "[photo/", "(photo by", "[photo by", "photo/", "ap photo", "afp photo",
                                  "(photo credit", "/getty", "via getty", "getty images/", "(getty", "photo courtesy", "credit...",
                                  "(xinhua/", "/xinhua", "xinhua photo", "/imaginechina", "/ imaginechina", "(file photo)", "/vcg",
                                  "/ vcg", "shutterstock", "/istock", "(reuters/", "/reuters", "/ reuters", "/afp", "/ afp",
                                  "/associated press", "/ associated press", "/epa", "epa-efe/", "/ap)", "/ ap)", "/cfp", "/ cfp",
                                  "/sipa", "courtesy photo", "(courtesy", "[courtesy", "/cgtn photo", "photo/"]
    static let captionSuffixes = ["getty images", "getty images)", "(xinhua)", "xinhua", "/ap", "/ap)", "photo)", "photo", "photos",
                                  "(ap)", "(afp)", "(reuters)", "/reuters", "/afp", "afp/getty images", "file photo", "(file)",
                                  "[photo]", "/file", "/ file"]

    static let captionSuffixBytes: [[UInt8]] = captionSuffixes.map { Array($0.utf8) }

    static func isCaption(_ line: ScrapeLine) -> Bool {
        guard line.units <= 90 else { return false }
        let lower = line.lower
        if captionPrefixSet.hasPrefix(lower) { return true }
        for (k, suffix) in captionSuffixBytes.enumerated() where lower.withBytes({ b in
            b.count >= suffix.count && b[(b.count - suffix.count)...].elementsEqual(suffix)
        }) {
            let s = captionSuffixes[k]
            // "... photo" alone at the end of a sentence is rare in prose; demand a credit shape ("/", "(") or a short line.
            if s == "photo" || s == "photos" || s == "xinhua" {
                if lower.fastHasSuffix("/" + s) || lower.fastHasSuffix("/ " + s) || lower.fastHasSuffix(" " + s) && (lower.fastContains(" /") || lower.fastContains("/")) { return true }
                continue
            }
            return true
        }
        if let (k, off) = captionContainsSet.lastOccurrence(in: lower) {
            // Must look like a credit: near the end of the line or in a short line.
            if line.units <= 12 { return true }
            if lower.utf8.count - off - captionContainsSet.length(k) <= 60 { return true }
        }
        if hasAgencySlashCredit(line.text) { return true }
        // Whole line in parentheses with a slash: "(Jane Doe / Wire Agency)"
        if line.units <= 10, line.text.hasPrefix("("), line.text.hasSuffix(")"), line.text.contains("/") { return true }
        return false
    }

    /// "REUTERS/Leah Millis", "AFP/Jane Roe", "EPA/John Doe" style credit at the end of the line:
    /// an all-caps token of 2+ letters, a slash, then 1-4 capitalised words up to the end.
    static func hasAgencySlashCredit(_ text: String) -> Bool {
        // Most lines have no slash near the end: look at the bytes before decoding anything
        // (80 scalars are at most 320 bytes).
        guard text.withBytes({ b in b[max(0, b.count - 320)...].contains(0x2F) }) else { return false }
        let scalars = Array(text.unicodeScalars.suffix(80))
        guard let slash = scalars.lastIndex(of: "/") else { return false }
        // Before the slash: all-caps word.
        var i = slash - 1
        var caps = 0
        while i >= 0, scalars[i].properties.isUppercase || scalars[i] == "-" {
            if scalars[i].properties.isUppercase { caps += 1 }
            i -= 1
        }
        guard caps >= 2, i < 0 || scalars[i] == " " || scalars[i] == "(" || scalars[i] == "." else { return false }
        // After the slash: capitalised words to the end.
        let after = String(String.UnicodeScalarView(scalars[(slash + 1)...]))
        let words = after.split(separator: " ")
        guard (1...5).contains(words.count) else { return false }
        for w in words {
            guard let f = w.unicodeScalars.first, f.properties.isUppercase else { return false }
        }
        return true
    }

    // MARK: Furniture

    static let furnitureExact: Set<String> = [
        "share", "shares", "share this", "share on facebook", "share on twitter", "share via email", "tweet", "email", "e-mail",
        "print", "facebook", "twitter", "linkedin", "whatsapp", "pinterest", "reddit", "instagram", "youtube", "telegram",
        "flipboard", "tumblr", "messenger", "sms", "copy link", "copy url", "link copied", "comment", "advertisement",
        "advertising", "advertisements", "ad", "ads", "sponsored", "skip to content", "skip to main content", "menu", "search",
        "home", "log in", "login", "sign in", "sign up", "sign out", "subscribe", "register", "close", "loading", "back to top",
        "top", "more", "continue reading", "click here", "ok", "accept", "next", "previous", "prev", "text size", "font size",
        "listen", "listen to this article", "save", "saved", "bookmark", "print this page", "email this", "print article",
        "report an error", "report a typo", "feedback", "contact us", "privacy policy", "terms of use", "terms of service",
        "cookie policy", "sitemap", "site map", "rss", "rss feed", "newsletter", "newsletters", "subscribe now",
        "subscribe today", "watch live", "live tv", "breaking", "breaking news", "load more", "show more", "see more",
        "view more", "view all", "see all", "a a", "aa", "a+ a-", "a- a+", "toggle navigation", "open menu", "close menu",
        "navigation", "main menu", "translate", "english", "no comments", "0 comments", "comments off", "en", "share:",
        "follow", "follow us", "like", "likes", "reply", "replies", "gallery", "photo gallery", "video", "videos", "photos",
    ]

    static let furniturePrefixes = [
        "share this", "share on ", "share via ", "share and like", "share your thoughts", "follow us", "follow @", "follow me",
        "follow the ", "follow our ", "like us on", "find us on", "join us on", "connect with us", "subscribe to", "subscribe for",
        "sign up for", "sign up to", "click to ", "click here", "tap here", "copyright", "©", "(c) ", "all rights reserved",
        "advertisement", "tags:", "tag:", "topics:", "filed under", "posted in ", "categories:", "category:", "related tags",
        "please click in the upper right corner", "this website uses cookies", "we use cookies", "this site uses cookies",
        "by using this site", "by continuing to use", "leave a comment", "leave a reply", "post comment", "view comments",
        "notify me", "your email address", "required fields", "save my name", "back to top", "skip to", "continue reading",
        "download the app", "get the app", "download our app", "print this", "email this", "report an error", "send us a tip",
        "got a news tip", "got a tip", "support independent journalism", "support our journalism", "get our ", "get the latest",
        "sign in to", "log in to", "login to", "register to", "already a subscriber", "already have an account",
        "want more", "don't miss", "never miss", "enter your email", "keep an eye on your inbox", "thank you for subscribing",
        "thanks for subscribing", "you have been subscribed", "there was an error", "please check the", "read our privacy",
        "this post may contain affiliate", "this article may contain affiliate", "this site uses akismet", "we are a participant",
        "post was not sent", "email check failed", "sorry, your blog cannot", "you are commenting using", "please log in",
        "comments are closed", "comment policy", "commenting policy", "as you comment", "blog comments powered",
        "powered by", "designed by", "developed by", "loading comments", "posted by", "trending:", "watch:", "listen:",
        "read more:", "see more:", "more:", "related:", "also read:", "read also:", "recommended:", "sponsored:",
        "(if you want to contribute", "if you want to contribute", "to contribute, contact", "contact us at",
        "have a news tip", "send your tips", "for the latest", "to read the full", "subscribe now", "subscribe today",
        "continue to article", "view gallery", "view photos", "watch video", "play video", "open in app", "scroll to",
        "opens in a new", "opens in new", "this content is", "javascript is", "please enable javascript", "you need javascript",
        "your browser", "update your browser", "upgrade your browser", "image credit", "updated:", "published:",
    ]

    static let furnitureContains = [
        "all rights reserved", "(opens in new window)", "opens in a new window", "share button", "privacy policy", "terms of use",
        "terms of service", "cookie policy", "cookies", "newsletter", "subscribe", "sign up", "javascript", "your browser",
        "ad is not available", "check your email", "log in", "login", "sign in", "no comments", "advertisement",
        "share:", "reprints", "permissions", "©",
    ]

    static func isFurniture(_ line: ScrapeLine) -> Bool {
        let lower = line.lower
        let key = normalizedShort(line)
        if line.wordCount <= 6 && furnitureExact.contains(key) { return true }
        if line.wordCount <= 40 {
            // "Updated:" / "Published:" stamps are header dates: furniture for the body, the date is read separately.
            if furniturePrefixSet.hasPrefix(key) || furniturePrefixSet.hasPrefix(lower) { return true }
        }
        if line.wordCount <= 4 && lower.fastHasSuffix("banner") { return true }
        if line.wordCount <= 12 && (lower.fastHasSuffix(" banner") || lower == "banner") { return true }
        if line.units <= 25 && !line.isProseSentence {
            if furnitureContainsSet.occurs(in: lower) { return true }
        } else if line.units <= 90 && isCookieConsent(lower) {
            return true // consent banners, in any language that borrows the word
        } else if line.units <= 40 {
            if lower.fastContains("all rights reserved") || lower.fastContains("(opens in new window)") { return true }
        }
        // Counters: "12 Comments", "3 shares", "1.2K views"
        if line.wordCount <= 3 {
            let parts = key.split(separator: " ")
            if parts.count == 2, parts[0].allSatisfy({ $0.isNumber || $0 == "." || $0 == "," || $0 == "k" }),
               ["comments", "comment", "shares", "share", "views", "view", "likes", "reads", "min read", "minutes", "photos", "responses"].contains(String(parts[1])) {
                return true
            }
            if key.fastHasSuffix("min read") || key.fastHasSuffix("minute read") || key.fastHasSuffix("mins read") { return true }
        }
        // Split-by-separator chrome: "Global Times / No Comments Share:", "Facebook | Twitter | Email"
        if line.wordCount <= 14 && (lower.fastContains(" | ") || lower.fastContains(" / ") || lower.fastContains(" · ") || lower.fastContains(" • ")) && !line.endsSentence {
            let parts = lower.split(whereSeparator: { $0 == "|" || $0 == "/" || $0 == "·" || $0 == "•" })
            var chrome = 0
            for part in parts {
                let p = ScrapeText.trim(part, [" ", ":", ".", ","])
                if furnitureExact.contains(p) || p.hasPrefix("share") || p.hasSuffix("comments") || p.hasPrefix("follow") { chrome += 1 }
            }
            if chrome >= 1 && chrome * 2 >= parts.count - 1 { return true }
        }
        return false
    }
}

extension ScrapeLine {
    /// A real sentence (not a prompt): ends like a sentence and has enough words.
    var isProseSentence: Bool { endsSentence && units >= 12 }
}
