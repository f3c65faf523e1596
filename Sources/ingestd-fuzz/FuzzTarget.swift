import IngestBuiltins
import Foundation
import IngestCore
import IngestInputs
import IngestStages

/// One fuzz input through the normalize stage or one of its parts. Built only from public API
/// (the normalize stage comes from `BuiltinComponents.registry`, configured as a pipeline file
/// would), so this compiles in debug and release builds alike without `@testable`.
///
/// The first byte selects what is exercised; the rest is the input:
///
///     0  NormalizeStage(min_words: 0, invalid_utf8: repair).process — bytes → record fields
///     1  CharsetDecoder.decode(bytes)                              — BOM / markup label / detection
///     2  CharsetDecoder.decode(bytes, sniffHTML: false)            — plain-text path
///     3  CharsetDecoder.decode(rest, declared: LABEL)              — LABEL = text up to the first LF (≤ 40 bytes)
///     4  HTMLArticleExtractor.extract(utf8:)                       — libxml2 + metadata + content finder
///     5  PlainTextScrapeParser.parse                               — the plain-text scrape parser
///     6  ClassifyStage (topics with require/exclude, genre, language, entities).process — the first
///        line is the title, the rest the text
///
/// (first byte modulo 7). Modes 4 and 5 get the bytes as valid UTF-8 (invalid sequences are
/// replaced with U+FFFD), as they do in the stage, where they only ever see decoded text.
enum FuzzTarget {
    static let normalize: any SynchronousStage = makeNormalizeStage()

    static func makeNormalizeStage() -> any SynchronousStage {
        let stage = stage("normalize", from: """
        name: fuzz
        stages:
          - use: normalize
            min_words: 0
            invalid_utf8: repair
        """)
        // Make sure this really is NormalizeStage(minWords: 0, invalidUTF8: .repair).
        let fields = Dictionary(Mirror(reflecting: stage).children.compactMap { c in c.label.map { ($0, "\(c.value)") } },
                                uniquingKeysWith: { a, _ in a })
        guard String(describing: type(of: stage)) == "NormalizeStage",
              fields["minWords"] == "0", fields["invalidUTF8"] == "repair" else {
            fatalError("ingestd-fuzz: unexpected stage \(type(of: stage)) \(fields)")
        }
        return stage
    }

    static let classify: any SynchronousStage = stage("classify", from: """
        name: fuzz
        stages:
          - use: normalize
          - use: classify
            topics:
              summit: {terms: {summit: 2, talks: 1, kim jong un: 2}, require: [korea], exclude: [football]}
              trade: {terms: {tariff: 2, exports: 1}}
            max_entities: 50
        """)

    /// The stage `name` of a pipeline written here, built as the daemon builds it.
    static func stage(_ name: String, from yaml: String) -> any SynchronousStage {
        let base = URL(fileURLWithPath: "/nonexistent-ingestd-fuzz")
        do {
            let config = try PipelineLoader.parse(yaml: yaml, file: base.appendingPathComponent("fuzz.yaml"),
                                                  displayName: "fuzz.yaml", baseDirectory: base,
                                                  registry: BuiltinComponents.registry)
            guard let entry = config.stages.first(where: { $0.name == name }) else {
                fatalError("ingestd-fuzz: the pipeline has no \(name) stage")
            }
            return try entry.builder.build(StageContext(stateDirectory: nil, pipelineName: "fuzz", logger: .init(label: "ingestd-fuzz")))
                as! any SynchronousStage
        } catch {
            fatalError("ingestd-fuzz: cannot build the \(name) stage: \(error)")
        }
    }

    static let modes = 8

    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        guard let first = data.first else { return }
        let rest = Array(data.dropFirst())
        switch Int(first) % modes {
        case 0:
            var doc = Document(id: "fuzz", origin: Origin(kind: .file, path: "/fuzz", size: rest.count, sha256: "x"), raw: rest)
            do {
                _ = try normalize.processSynchronously(&doc)
            } catch is Rejection {
                // Refusing a document is a normal outcome.
            } catch {
                fatalError("normalize threw something other than a Rejection: \(error)")
            }
        case 1:
            _ = CharsetDecoder.decode(rest)
        case 2:
            _ = CharsetDecoder.decode(rest, sniffHTML: false)
        case 3:
            let cut = rest.prefix(41).firstIndex(of: 0x0A)
            let label = cut.map { String(decoding: rest[..<$0], as: UTF8.self) } ?? ""
            let body = cut.map { Array(rest[($0 + 1)...]) } ?? rest
            _ = CharsetDecoder.decode(body, declared: label)
        case 4:
            _ = HTMLArticleExtractor.extract(utf8: Array(String(decoding: rest, as: UTF8.self).utf8))
        case 5:
            _ = PlainTextScrapeParser.parse(String(decoding: rest, as: UTF8.self))
        case 7:
            // A feed as a server sends it: untrusted XML, links resolved against a base URL.
            if let feed = try? FeedParser.parse(rest, base: "https://feeds.example/desk/rss.xml") {
                for item in feed.items where item.link.isEmpty || item.id.isEmpty { fatalError("an item without link or id") }
            }
        default:
            let text = String(decoding: rest, as: UTF8.self)
            // The trained classifier's terms, bigrams and punctuation runs included: distinct keys,
            // counts whole; folded as a legacy model folds them, every key in its 2^18 slots.
            let (keys, counts) = HashedFeatures.counts(text, kinds: [.bigrams, .punctuation])
            for (i, (key, c)) in zip(keys, counts).enumerated() where (i > 0 && keys[i - 1] >= key) || c < 1 || c != c.rounded() {
                fatalError("key \(key) counted \(c)")
            }
            let (slots, _) = HashedFeatures.counts(text, kinds: [.bigrams, .punctuation], keyMask: HashedFeatures.legacyKeyMask)
            for slot in slots where slot > HashedFeatures.legacyKeyMask { fatalError("slot \(slot) out of range") }
            var doc = Document(id: "fuzz", origin: Origin(kind: .file, path: "/fuzz", size: rest.count, sha256: "x"), raw: [])
            let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            doc.title = firstLine.first.map(String.init)
            doc.text = firstLine.count > 1 ? String(firstLine[1]) : ""
            do {
                _ = try classify.processSynchronously(&doc)
            } catch {
                fatalError("classify threw: \(error)")
            }
        }
    }
}
