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
        // The mean log-loss is convex in A: its derivative, mean(E_p[s] − s_truth), rises with A,
        // and its second derivative is the mean variance of s under p. Newton's method on the
        // derivative's zero, kept inside a bracket that bisects whenever a step would leave it
        // (forty bisections alone cost a tenth of training on 96,000 texts; this takes a handful
        // of steps).
        func slope(_ a: Double) -> (value: Double, rise: Double) {
            var total = 0.0, rise = 0.0
            for (i, y) in truth.enumerated() {
                let s = scores[(i * k)..<(i * k + k)]
                let top = Double(s.max()!)
                var sum = 0.0, first = 0.0, second = 0.0
                for v in s {
                    let d = Double(v) - top
                    let e = exp(a * d)
                    sum += e
                    first += e * d
                    second += e * d * d
                }
                let mean = first / sum
                // E_p[s] − s_truth, with the scores shifted by the top one (which cancels).
                total += mean - (Double(scores[i * k + y]) - top)
                rise += second / sum - mean * mean
            }
            return (total / Double(truth.count), rise / Double(truth.count))
        }
        var low = range.lowerBound, high = range.upperBound
        if slope(high).value <= 0 { return Float(high) } // every held-out example right with room to spare
        if slope(low).value >= 0 { return Float(low) }
        var a = 1.0
        for _ in 0..<100 {
            let (value, rise) = slope(a)
            if value < 0 { low = a } else { high = a }
            var next = rise > 0 ? a - value / rise : .nan
            if !(next > low && next < high) { next = (low + high) / 2 }
            if abs(next - a) <= 1e-7 * a || high - low <= 1e-9 * high { return Float(next) }
            a = next
        }
        return Float(a)
    }
}
