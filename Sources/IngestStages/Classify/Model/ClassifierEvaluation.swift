/// How a classifier's predictions compare with the true labels: accuracy, macro-averaged F1,
/// per-class precision and recall, the confusion matrix.
public struct ClassifierEvaluation {
    public let labels: [String]
    /// confusion[true][predicted]
    public let confusion: [[Int]]

    public init(truth: [String], predicted: [String]) {
        let labels = Array(Set(truth + predicted)).sorted()
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var m = [[Int]](repeating: [Int](repeating: 0, count: labels.count), count: labels.count)
        for (t, p) in zip(truth, predicted) { m[index[t]!][index[p]!] += 1 }
        self.labels = labels
        confusion = m
    }

    public var total: Int { confusion.joined().reduce(0, +) }
    public var accuracy: Double {
        total == 0 ? 0 : Double(labels.indices.map { confusion[$0][$0] }.reduce(0, +)) / Double(total)
    }
    public func precision(_ c: Int) -> Double {
        let predicted = labels.indices.map { confusion[$0][c] }.reduce(0, +)
        return predicted == 0 ? 0 : Double(confusion[c][c]) / Double(predicted)
    }
    public func recall(_ c: Int) -> Double {
        let actual = confusion[c].reduce(0, +)
        return actual == 0 ? 0 : Double(confusion[c][c]) / Double(actual)
    }
    public func f1(_ c: Int) -> Double {
        let p = precision(c), r = recall(c)
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
    public var macroF1: Double { labels.isEmpty ? 0 : labels.indices.map(f1).reduce(0, +) / Double(labels.count) }

    /// The report `ingestd evaluate` prints.
    public var report: String {
        var lines = [String(format: "accuracy %.4f  macro-F1 %.4f  (%ld examples)", accuracy, macroF1, total), ""]
        let width = max(10, labels.map(\.count).max() ?? 0)
        func pad(_ s: String) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
        lines.append(pad("class") + "  precision  recall     F1  support")
        for c in labels.indices {
            lines.append(pad(labels[c]) + String(format: "  %9.4f  %6.4f %6.4f  %7ld", precision(c), recall(c), f1(c), confusion[c].reduce(0, +)))
        }
        lines.append("")
        lines.append("confusion (rows: true, columns: predicted)")
        lines.append(pad("") + "  " + labels.map { pad($0) }.joined(separator: " "))
        for c in labels.indices {
            lines.append(pad(labels[c]) + "  " + confusion[c].map { pad(String($0)) }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
