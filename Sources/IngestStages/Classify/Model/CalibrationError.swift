import Foundation

/// How far a classifier's probabilities are from its hit rate: predictions binned by the
/// probability of the label predicted (ten bins of 0.1), and the gap between mean probability and
/// accuracy in each bin, weighted by the bin's share ("expected calibration error", Naeini et al.
/// 2015). 0 is perfectly calibrated; an SVM's raw scores pushed through a softmax are typically
/// several tenths off.
public struct CalibrationError: Sendable {
    public let meanProbability: Double
    public let accuracy: Double
    public let expected: Double

    public init(probabilities: [Double], correct: [Bool], bins: Int = 10) {
        let n = max(probabilities.count, 1)
        var count = [Int](repeating: 0, count: bins), sum = [Double](repeating: 0, count: bins), hits = [Int](repeating: 0, count: bins)
        for (p, right) in zip(probabilities, correct) {
            let b = min(bins - 1, max(0, Int(p * Double(bins))))
            count[b] += 1
            sum[b] += p
            if right { hits[b] += 1 }
        }
        meanProbability = probabilities.reduce(0, +) / Double(n)
        accuracy = Double(correct.filter { $0 }.count) / Double(n)
        var gap = 0.0
        for b in 0..<bins where count[b] > 0 {
            let size = Double(count[b])
            gap += size / Double(n) * abs(sum[b] / size - Double(hits[b]) / size)
        }
        expected = gap
    }

    public var report: String {
        String(format: "calibration: mean probability %.4f against accuracy %.4f; expected calibration error %.4f (10 bins)",
               meanProbability, accuracy, expected)
    }
}
