import IngestCore

/// Turns what the tagger and the gazetteer found in a document into `labels.entities`: one entry
/// per entity, however often and however it is named. Gazetteer matches go under their
/// canonical name and type; the tagger's names that no alias covers go under the fullest way
/// the document writes them, typed by majority. A one-word name joins the one longer name it
/// shortens, when just one fits: a person by first or last word ("Simmons" → "Phil Simmons",
/// "Kim" → "Kim Jong-un"), a gazetteer's place or organization by its last ("Peninsula" →
/// "Korean Peninsula"). MISC names (nationalities, events) are not reported.
struct EntityMentions {
    static let recordTypes = ["person", "organization", "place"]

    private struct Group {
        var names: [String: Int] = [:]
        var types = [Int](repeating: 0, count: 3)
        var count = 0
        var canonical: (name: String, type: String)?
        var words: [String]

        var type: String {
            if let canonical { return canonical.type }
            var best = 0
            for t in 1..<3 where types[t] > types[best] { best = t }
            // No person's name ends in "Industries", "Corp" or "Ministry": the tagger, unsure of
            // an unknown first word ("carmaker Meltek Industries"), sometimes says so anyway.
            if best == 0, words.count > 1, let last = words.last, EntityMentions.organizationEndings.contains(last) { best = 1 }
            return EntityMentions.recordTypes[best]
        }

        /// The canonical name, or the most frequent spelling, preferring one not in ALL CAPS.
        var name: String {
            if let canonical { return canonical.name }
            func caps(_ s: String) -> Bool { s.unicodeScalars.contains { $0.properties.isLowercase } == false }
            return names.max { a, b in
                (caps(a.key) ? 0 : 1, a.value, b.key) < (caps(b.key) ? 0 : 1, b.value, a.key)
            }!.key
        }
    }

    /// Last words of organizations' names, never of a person's.
    static let organizationEndings: Set<String> = EntityRecognizer.institutionHeads.union([
        "industries", "inc", "corp", "corporation", "co", "ltd", "plc", "llc", "ag", "sa", "gmbh", "group", "holdings",
        "airlines", "airways", "motors", "bank", "systems", "technologies", "communications", "electronics", "energy",
        "partners", "capital", "securities", "insurance", "pharmaceuticals", "club", "fc", "ministry", "army", "police",
    ])

    private var groups: [Group] = []
    private var byKey: [String: Int] = [:]

    /// Words a name is grouped by: lower-case letter and digit runs ("Kim Jong-un" = "kim jong un").
    static func key(_ name: String) -> [String] { Tokenizer.words(name) }

    mutating func addGazetteer(_ entity: Gazetteer.Entity) {
        let k = entity.name.lowercased()
        let index = group(for: "gazetteer:" + k, words: Self.key(entity.name))
        groups[index].canonical = (entity.name, entity.type)
        groups[index].count += 1
    }

    /// A name the tagger found; `type` 0 PER, 1 ORG, 2 LOC.
    mutating func addTagged(_ surface: String, type: Int) {
        let words = Self.key(surface)
        guard !words.isEmpty else { return }
        let index = group(for: words.joined(separator: " "), words: words)
        groups[index].names[surface, default: 0] += 1
        groups[index].types[type] += 1
        groups[index].count += 1
    }

    private mutating func group(for key: String, words: [String]) -> Int {
        if let i = byKey[key] { return i }
        groups.append(Group(words: words))
        byKey[key] = groups.count - 1
        return groups.count - 1
    }

    /// The entities, most mentioned first, at most `limit`.
    func labels(limit: Int) -> [EntityLabel] {
        var groups = self.groups
        // A one-word name into the one longer name it shortens: a person by first or last word
        // ("Simmons", "Kim"); a place or organization by its last, into a gazetteer entity only
        // ("Peninsula" → Korean Peninsula), as "Lanka" beside "Sri Lanka" is as often its own
        // mention in newswire.
        for i in groups.indices where groups[i].words.count == 1 && groups[i].count > 0 {
            let w = groups[i].words[0]
            let person = groups[i].type == "person"
            let fits = groups.indices.filter { j in
                j != i && groups[j].words.count > 1 && groups[j].count > 0 && (groups[j].type == "person") == person
                    && (person || groups[j].canonical != nil)
                    && (groups[j].words.last == w || (person && groups[j].words.first == w))
            }
            guard fits.count == 1 else {
                // "Meltek" beside "Meltek Industries": a company's first word alone is the company.
                let firms = groups.indices.filter { j in
                    j != i && groups[j].words.count > 1 && groups[j].count > 0 && groups[j].type == "organization"
                        && groups[j].words.first == w
                }
                // A place stays apart: "Manchester" is not always "Manchester United".
                if fits.isEmpty, firms.count == 1, groups[i].type != "place" {
                    groups[firms[0]].count += groups[i].count
                    groups[i].count = 0
                }
                continue
            }
            groups[fits[0]].count += groups[i].count
            groups[i].count = 0
        }
        var merged: [String: EntityLabel] = [:]
        for g in groups where g.count > 0 {
            let label = EntityLabel(name: g.name, type: g.type, count: g.count)
            if merged[label.name] != nil {
                // A tagged spelling equal to a canonical name: one entry, the gazetteer's type.
                merged[label.name]!.count += label.count
                if g.canonical != nil { merged[label.name]!.type = label.type }
            } else {
                merged[label.name] = label
            }
        }
        var labels = Array(merged.values)
        labels.sort { ($0.count, $1.name) > ($1.count, $0.name) }
        return Array(labels.prefix(limit))
    }
}
