/// Labelled text in the CoNLL-2003 layout: one token a line, its tag in the last column
/// (`TOKEN POS CHUNK TAG` or just `TOKEN TAG`), a blank line between sentences and
/// `-DOCSTART-` between documents. IOB1 files (a bare `I-X` opening a name) are read as IOB2.
public enum CoNLLCorpus {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var line: Int
        public var reason: String
        public var description: String { "\(file):\(line): \(reason)" }
        public init(file: String, line: Int, reason: String) { self.file = file; self.line = line; self.reason = reason }
    }

    public static func parse(_ text: String, file: String) throws -> [EntityTaggerTraining.Document] {
        var documents: [EntityTaggerTraining.Document] = []
        var sentences: [[(word: String, tag: EntityTag)]] = []
        var sentence: [(word: String, tag: EntityTag)] = []
        func endSentence() {
            if !sentence.isEmpty { sentences.append(sentence); sentence = [] }
        }
        func endDocument() {
            endSentence()
            if !sentences.isEmpty { documents.append(EntityTaggerTraining.Document(sentences: sentences)); sentences = [] }
        }
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { endSentence(); continue }
            if line.hasPrefix("-DOCSTART-") { endDocument(); continue }
            let columns = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard columns.count >= 2 else {
                throw Failure(file: file, line: number, reason: "expected a token and its tag, found '\(line.prefix(80))'")
            }
            guard var tag = EntityTag(conll: String(columns.last!)) else {
                throw Failure(file: file, line: number, reason: "unknown tag '\(columns.last!.prefix(40))' (expected O or B-/I- with PER, ORG, LOC, MISC)")
            }
            if !tag.mayFollow(sentence.last?.tag ?? .outside) { tag = EntityTag(rawValue: tag.rawValue - 1)! }
            sentence.append((String(columns[0]), tag))
        }
        endDocument()
        return documents
    }
}
