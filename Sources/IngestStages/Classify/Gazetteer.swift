import IngestCore

/// Named things a desk cares about, each with the ways texts name it. Read from YAML files the
/// pipeline lists under `classify: gazetteer:`:
///
///     - name: North Korea
///       type: country
///       aliases: [DPRK, "Democratic People's Republic of Korea", N. Korea]
///
/// Aliases are matched as word sequences with the tokenizer's splitting, so "Kim Jong-un" and
/// "Kim Jong Un" are one alias. The text must capitalize a match's first word, and an alias
/// written in capitals ("US", "DPRK") only matches in capitals, so "us" never becomes a country.
public struct Gazetteer: Sendable {
    public static let types: [String] = ["person", "country", "organization", "place"]

    public struct Entity: Sendable, Equatable {
        public var name: String
        public var type: String
    }

    struct Alias: Sendable {
        var words: [String]
        var acronym: Bool
        var entity: Int
    }

    public private(set) var entities: [Entity] = []
    /// Aliases by their first word, longest first.
    private(set) var byFirstWord: [String: [Alias]] = [:]
    /// The tagger's hash (`TaggerFeatures.info(_:).word`) of every alias's first word: a token of
    /// letters and digits whose hash is not here starts no alias, found without making a string.
    private(set) var firstWordHashes: Set<UInt64> = []

    public init() {}

    /// Adds an entity with its aliases (the name is an alias too); returns the words of an
    /// alias already taken by another entity, if one is.
    @discardableResult
    public mutating func add(name: String, type: String, aliases: [String]) -> (alias: String, owner: String)? {
        let index = entities.count
        entities.append(Entity(name: name, type: type))
        var clash: (String, String)?
        for alias in [name] + aliases {
            let words = Tokenizer.words(alias)
            guard let first = words.first else { continue }
            let letters = alias.unicodeScalars.filter { $0.properties.isAlphabetic }
            let acronym = words.count == 1 && letters.count >= 2 && letters.allSatisfy { $0.properties.isUppercase }
            var list = byFirstWord[first] ?? []
            if let other = list.first(where: { $0.words == words }) {
                if other.entity != index { clash = clash ?? (alias, entities[other.entity].name) }
                continue
            }
            list.append(Alias(words: words, acronym: acronym, entity: index))
            firstWordHashes.insert(TaggerFeatures.info(first).word)
            list.sort { $0.words.count > $1.words.count }
            byFirstWord[first] = list
        }
        return clash
    }

    /// Reads a gazetteer file's list of entities, reporting problems at their line.
    mutating func read(_ file: ConfigValue) {
        guard let items = file.list() else { return }
        for item in items {
            guard var entry = item.map() else { continue }
            let name = entry.string("name")
            if !entry.has("name") { entry.error("an entity needs a 'name'") }
            let typeValue = entry.value("type")
            let type = typeValue?.oneOf(Self.types)
            if typeValue == nil { entry.error("an entity needs a 'type' (\(Self.types.joined(separator: ", ")))") }
            var aliases: [String] = []
            if let list = entry.value("aliases") {
                if let strings = list.stringList() { aliases = strings }
            }
            entry.reportUnknownKeys()
            guard let name, let type else { continue }
            if Tokenizer.words(name).isEmpty { entry.error("'\(name)' has no words to match"); continue }
            if let clash = add(name: name, type: type, aliases: aliases) {
                entry.error("the alias '\(clash.alias)' already names '\(clash.owner)'")
            }
        }
    }
}
