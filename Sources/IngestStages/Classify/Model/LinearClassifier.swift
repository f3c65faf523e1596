import Foundation

/// Multinomial logistic regression over `HashedFeatures` vectors: one weight row per class,
/// softmax probabilities, trained by stochastic gradient descent with AdaGrad step sizes and
/// L2 regularization, in a seeded order so the same data gives the same model.
public struct LinearClassifier: Sendable {
    public static let formatVersion: UInt32 = 1

    public var labels: [String]
    /// Per slot.
    public var idf: [Float]
    /// labels.count rows of `HashedFeatures.dimensions` weights, then one bias per class.
    public var weights: [Float]

    public struct Prediction: Sendable, Equatable {
        public var label: String
        public var probability: Double
    }

    public struct Options: Sendable {
        public var epochs = 8
        public var learningRate: Float = 0.5
        public var l2: Float = 1e-6
        public var seed: UInt64 = 1
        public init() {}
    }

    public static func train(texts: [String], labels: [String], options: Options = Options()) -> LinearClassifier {
        let names = Array(Set(labels)).sorted()
        let classOf = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let counted = HashedFeatures.counts(texts)
        let idf = HashedFeatures.idf(documents: counted.map(\.indices))
        let vectors = counted.map { HashedFeatures.vector(indices: $0.indices, counts: $0.counts, idf: idf) }
        let d = HashedFeatures.dimensions, k = names.count
        var w = [Float](repeating: 0, count: k * d + k)
        var g2 = [Float](repeating: 1e-8, count: k * d + k)
        var order = Array(vectors.indices)
        var rng = options.seed
        func next() -> UInt64 { rng = MinHashSignature.splitmix(rng); return rng }
        var scores = [Float](repeating: 0, count: k)
        let rate = options.learningRate, l2 = options.l2
        w.withUnsafeMutableBufferPointer { w in
            g2.withUnsafeMutableBufferPointer { g2 in
                for _ in 0..<options.epochs {
                    for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(next() % UInt64(i + 1))) }
                    for n in order {
                        let x = vectors[n], y = classOf[labels[n]]!
                        Self.probabilities(x, UnsafeBufferPointer(w), k: k, d: d, into: &scores)
                        for c in 0..<k {
                            let gradient = scores[c] - (c == y ? 1 : 0)
                            let row = c * d
                            for (j, v) in zip(x.indices, x.values) {
                                let slot = row + Int(j)
                                let g = gradient * v + l2 * w[slot]
                                g2[slot] += g * g
                                w[slot] -= rate * g / g2[slot].squareRoot()
                            }
                            let b = k * d + c
                            g2[b] += gradient * gradient
                            w[b] -= rate * gradient / g2[b].squareRoot()
                        }
                    }
                }
            }
        }
        return LinearClassifier(labels: names, idf: idf, weights: w)
    }

    static func probabilities(_ x: HashedFeatures.Vector, _ w: UnsafeBufferPointer<Float>, k: Int, d: Int, into p: inout [Float]) {
        var top = -Float.infinity
        for c in 0..<k {
            var s = w[k * d + c]
            for (j, v) in zip(x.indices, x.values) { s += w[c * d + Int(j)] * v }
            p[c] = s
            top = max(top, s)
        }
        var sum: Float = 0
        for c in 0..<k { p[c] = expf(p[c] - top); sum += p[c] }
        for c in 0..<k { p[c] /= sum }
    }

    public func predict(_ text: String) -> Prediction {
        let x = HashedFeatures.vector(text, idf: idf)
        var p = [Float](repeating: 0, count: labels.count)
        weights.withUnsafeBufferPointer { Self.probabilities(x, $0, k: labels.count, d: HashedFeatures.dimensions, into: &p) }
        let best = p.indices.max { p[$0] < p[$1] } ?? 0
        return Prediction(label: labels[best], probability: (Double(p[best]) * 1000).rounded() / 1000)
    }
}
