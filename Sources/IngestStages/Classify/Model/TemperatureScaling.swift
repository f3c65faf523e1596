import Foundation

/// Probabilities for margin scores: one factor A such that softmax(A · scores) has the least
/// log-loss on scores of examples the model did not fit ("temperature scaling", Guo, Pleiss, Sun
/// and Weinberger, ICML 2017; Platt scaling with one shared slope and no offsets). An SVM's scores
/// are not probabilities, and its scores on its own training examples are too good to calibrate
/// on; `SquaredHingeSolver` supplies held-out estimates instead.
enum TemperatureScaling {
    /// The bounds of A: below, every class is equally likely; above, the largest score takes
    /// practically all the probability.
    static let range: ClosedRange<Double> = 0.01...64

    /// - Parameters:
    ///   - scores: k per example, example-major.
    ///   - truth: each example's class.
    static func fit(scores: [Float], classes k: Int, truth: [Int]) -> Float {
        guard k > 1, !truth.isEmpty else { return 1 }
        // The mean log-loss is convex in A; its derivative, mean(E_p[s] − s_truth), rises with A.
        // Bisect on log A for the derivative's zero.
        func slope(_ a: Double) -> Double {
            var total = 0.0
            for (i, y) in truth.enumerated() {
                let s = scores[(i * k)..<(i * k + k)]
                let top = Double(s.max()!)
                var sum = 0.0, weighted = 0.0
                for v in s {
                    let e = exp(a * (Double(v) - top))
                    sum += e
                    weighted += e * Double(v)
                }
                total += weighted / sum - Double(scores[i * k + y])
            }
            return total / Double(truth.count)
        }
        var low = log(range.lowerBound), high = log(range.upperBound)
        if slope(exp(high)) <= 0 { return Float(range.upperBound) } // every held-out example right with room to spare
        if slope(exp(low)) >= 0 { return Float(range.lowerBound) }
        for _ in 0..<40 {
            let mid = (low + high) / 2
            if slope(exp(mid)) < 0 { low = mid } else { high = mid }
        }
        return Float(exp((low + high) / 2))
    }
}
