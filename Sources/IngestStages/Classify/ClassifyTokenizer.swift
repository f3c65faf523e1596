import Foundation

/// Word tokenizer shared by topic matching, language detection and genre detection.
public enum Tokenizer {
    /// Lower-cased (case-folded, diacritics kept) word tokens.
    ///
    /// - A token is a maximal run of letters and digits (Unicode `Alphabetic` or numeric);
    ///   combining marks that follow a letter stay in the token, so decomposed diacritics survive.
    /// - Everything else splits: whitespace, punctuation, straight and curly apostrophes, hyphens
    ///   ("Kim-Trump" → "kim", "trump"; "Korea’s" → "korea", "s").
    /// - A soft hyphen (U+00AD) inside a word is dropped without splitting.
    /// - Han ideographs and kana are emitted one character per token (those scripts do not mark
    ///   word boundaries), so a Chinese or Japanese phrase term tokenized the same way still matches
    ///   as a token sequence. Hangul, Thai and others keep whole runs.
    public static func words(_ text: String) -> [String] {
        var sink = WordList()
        sink.words.reserveCapacity(text.utf8.count / 6 + 1)
        scan(text, into: &sink)
        return sink.words
    }

    /// What receives the tokens of `scan`: each as lower-cased UTF-8 bytes, valid only during
    /// the call. A generic sink rather than a closure, so the scan is specialized for its
    /// caller and nothing is captured, boxed or checked for exclusive access per token.
    public protocol Sink {
        mutating func token(_ bytes: UnsafeBufferPointer<UInt8>)
        /// Whether `scan` reports punctuation runs too. A static property, so a sink that does not
        /// want them (the default) costs nothing: the checks fold away when `scan` is specialized.
        static var wantsPunctuation: Bool { get }
        /// A maximal run of characters that are neither word characters nor white space (",", "...",
        /// "\u{201C}", "/."), as the text's own UTF-8 bytes, not case-folded.
        mutating func punctuation(_ bytes: UnsafeBufferPointer<UInt8>)
    }

    struct WordList: Sink {
        var words: [String] = []
        mutating func token(_ bytes: UnsafeBufferPointer<UInt8>) { words.append(String(decoding: bytes, as: UTF8.self)) }
    }

    /// The tokens of `words`, in order, without making a String per token (except to
    /// lower-case a non-ASCII one): MinHash only hashes them.
    public static func scan<S: Sink>(_ text: String, into sink: inout S) {
        var text = text
        text.withUTF8 { b in
            // The current token, in a buffer of our own: appending to an Array costs a uniqueness
            // check per byte, and this loop sees every byte of every document.
            var token = TokenBuffer()
            defer { token.free() }
            let n = b.count
            var i = 0
            // Where the open punctuation run began, or -1.
            var run = -1
            @inline(__always) func endRun(at end: Int) {
                if S.wantsPunctuation && run >= 0 {
                    sink.punctuation(UnsafeBufferPointer(rebasing: b[run..<end]))
                    run = -1
                }
            }
            while i < n {
                var c = b[i]
                if c < 0x80 {
                    if isASCIIWord(c) {
                        endRun(at: i)
                        // A run of ASCII letters and digits, most of the bytes of English text,
                        // in a loop of its own: scanning 27 MB took 0.13 s with every byte going
                        // through all the checks, 0.10 s this way. (Handing lower-case words to
                        // the sink straight from the text, uncopied, saved nothing more.)
                        repeat {
                            token.append(c | ((c &- 0x41) < 26 ? 0x20 : 0))
                            i += 1
                            if i == n { break }
                            c = b[i]
                        } while isASCIIWord(c)
                        continue
                    } else {
                        if token.count > 0 { token.flush(into: &sink) }
                        if S.wantsPunctuation {
                            if c > 0x20 && c != 0x7F { if run < 0 { run = i } } else { endRun(at: i) }
                        }
                    }
                    i += 1
                    continue
                }
                // A multi-byte scalar (the text is valid UTF-8: it is a String).
                let width = c >= 0xF0 ? 4 : (c >= 0xE0 ? 3 : 2)
                var v = UInt32(c) & (width == 2 ? 0x1F : (width == 3 ? 0x0F : 0x07))
                for k in 1..<width { v = v << 6 | UInt32(b[i + k] & 0x3F) }
                let start = i
                let bytes = UnsafeBufferPointer(rebasing: b[i..<(i + width)])
                i += width
                if v == 0xAD { continue } // soft hyphen
                if isSingleCharScript(v) {
                    endRun(at: start)
                    token.flush(into: &sink)
                    sink.token(bytes)
                    continue
                }
                switch ScalarClasses.tokenClass(v) {
                case .word:
                    endRun(at: start)
                    token.append(bytes)
                case .upperWord:
                    endRun(at: start)
                    token.append(bytes)
                    token.needsLower = true
                case .mark:
                    if token.count > 0 { token.append(bytes) }
                case .separator:
                    token.flush(into: &sink)
                    if S.wantsPunctuation {
                        if isSpace(v) { endRun(at: start) } else if run < 0 { run = start }
                    }
                }
            }
            endRun(at: n)
            token.flush(into: &sink)
        }
    }

    /// A growable byte buffer for the token being read.
    private struct TokenBuffer {
        var base = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        var capacity = 64
        var count = 0
        var needsLower = false

        @inline(__always) mutating func append(_ c: UInt8) {
            if count == capacity { grow() }
            base[count] = c
            count += 1
        }

        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            for c in bytes { append(c) }
        }

        mutating func grow() {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity *= 2
        }

        mutating func flush<S: Sink>(into sink: inout S) {
            guard count > 0 else { return }
            let bytes = UnsafeBufferPointer(start: base, count: count)
            if needsLower {
                var lowered = String(decoding: bytes, as: UTF8.self).lowercased()
                lowered.withUTF8 { sink.token($0) }
            } else {
                sink.token(bytes)
            }
            count = 0
            needsLower = false
        }

        func free() { base.deallocate() }
    }

    /// An ASCII letter or digit (the high bit clear, so no multi-byte scalar starts here).
    @inline(__always)
    static func isASCIIWord(_ c: UInt8) -> Bool { ((c | 0x20) &- 0x61) < 26 || (c &- 0x30) < 10 }

    /// White space and invisible format characters outside ASCII: they end a punctuation run.
    @inline(__always)
    static func isSpace(_ v: UInt32) -> Bool {
        v == 0x85 || v == 0xA0 || v == 0x1680 || (v >= 0x2000 && v <= 0x200F) || v == 0x2028 || v == 0x2029
            || v == 0x202F || v == 0x205F || v == 0x2060 || v == 0x3000 || v == 0xFEFF
    }

    /// Han ideographs, hiragana and katakana (including half-width katakana).
    @inline(__always)
    static func isSingleCharScript(_ v: UInt32) -> Bool {
        return (v >= 0x3040 && v <= 0x30FF && v != 0x30FB) // hiragana, katakana (not the middle dot)
            || (v >= 0x31F0 && v <= 0x31FF)
            || (v >= 0x3400 && v <= 0x4DBF)
            || (v >= 0x4E00 && v <= 0x9FFF)
            || (v >= 0xF900 && v <= 0xFAFF)
            || (v >= 0xFF66 && v <= 0xFF9F)
            || (v >= 0x20000 && v <= 0x2FFFF)
    }
}

extension Tokenizer.Sink {
    public static var wantsPunctuation: Bool { false }
    public mutating func punctuation(_ bytes: UnsafeBufferPointer<UInt8>) {}
}
