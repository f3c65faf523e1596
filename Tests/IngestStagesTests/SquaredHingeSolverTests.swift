import XCTest
@testable import IngestStages

/// Fixtures: seeded random sparse examples whose classes follow a hidden linear rule with noise,
/// so no problem is separable and the optimum has examples on both sides of the margin.
private func problem(n: Int, features m: Int, classes k: Int, seed: UInt64) -> (x: [HashedFeatures.Vector], y: [Int]) {
    var g = seed
    func next() -> UInt64 { g = MinHashSignature.splitmix(g); return g }
    func unit() -> Float { Float(next() % 10_000) / 10_000 }
    let rule = (0..<(m * k)).map { _ in unit() * 2 - 1 }
    var x: [HashedFeatures.Vector] = [], y: [Int] = []
    for _ in 0..<n {
        let picked = Array(Set((0..<6).map { _ in Int32(next() % UInt64(m)) })).sorted()
        let values = picked.map { _ in unit() + 0.1 }
        var best = 0, bestScore = -Float.infinity
        for c in 0..<k {
            let s = zip(picked, values).reduce(Float(0)) { $0 + rule[Int($1.0) * k + c] * $1.1 } + unit() * 0.8
            if s > bestScore { best = c; bestScore = s }
        }
        x.append(HashedFeatures.Vector(indices: picked, values: values))
        y.append(best)
    }
    return (x, y)
}

/// The gradient of problem r's primal objective ½‖w‖² + C Σ max(0, 1 − yᵢ w·xᵢ)², largest entry.
private func largestPrimalGradient(_ w: [Float], problem r: Int, problems p: Int, x: [HashedFeatures.Vector], y: [Int],
                                   features m: Int, c: Float) -> Float {
    var gradient = (0...m).map { Double(w[$0 * p + r]) }
    for (v, label) in zip(x, y) {
        let sign: Double = label == r ? 1 : -1
        var score = Double(w[m * p + r])
        for (f, a) in zip(v.indices, v.values) { score += Double(w[Int(f) * p + r]) * Double(a) }
        let slack = max(0, 1 - sign * score)
        guard slack > 0 else { continue }
        for (f, a) in zip(v.indices, v.values) { gradient[Int(f)] -= 2 * Double(c) * slack * sign * Double(a) }
        gradient[m] -= 2 * Double(c) * slack * sign
    }
    return Float(gradient.map(abs).max()!)
}

final class SquaredHingeSolverTests: XCTestCase {
    func testReachesTheOptimumOfEveryOneVersusRestProblem() {
        // Five problems: two lane groups, the second partly empty.
        let m = 40, k = 5, c: Float = 0.5
        let (x, y) = problem(n: 150, features: m, classes: k, seed: 3)
        let solver = SquaredHingeSolver(x, positive: y, problems: k, features: m, c: c, seed: 1)
        let result = solver.solve(over: Array(x.indices), tolerance: 1e-4, maxPasses: 10_000)
        XCTAssertTrue(result.converged)
        let w = solver.weights
        XCTAssertEqual(w.count, (m + 1) * k)
        for r in 0..<k {
            let g = largestPrimalGradient(w, problem: r, problems: k, x: x, y: y, features: m, c: c)
            XCTAssertLessThan(g, 1e-2, "problem \(r)")
        }
        // Not a trivial optimum: some training examples are misclassified or inside the margin.
        let wrong = x.indices.filter { i in
            let s = solver.scores(of: i)
            return s.indices.max { s[$0] < s[$1] } != y[i]
        }
        XCTAssertGreaterThan(wrong.count, 0)
        XCTAssertLessThan(wrong.count, x.count / 3)
    }

    func testAWarmStartWithMoreExamplesEndsAtTheSameOptimum() {
        let m = 30, k = 3
        let (x, y) = problem(n: 120, features: m, classes: k, seed: 5)
        let cold = SquaredHingeSolver(x, positive: y, problems: k, features: m, c: 1, seed: 1)
        _ = cold.solve(over: Array(x.indices), tolerance: 1e-4, maxPasses: 10_000)
        let warm = SquaredHingeSolver(x, positive: y, problems: k, features: m, c: 1, seed: 1)
        _ = warm.solve(over: Array(0..<80), tolerance: 1e-2, maxPasses: 10_000)
        let partial = warm.weights
        _ = warm.solve(over: Array(x.indices), tolerance: 1e-4, maxPasses: 10_000)
        XCTAssertNotEqual(partial, warm.weights, "the second solve moved")
        for (a, b) in zip(cold.weights, warm.weights) { XCTAssertEqual(a, b, accuracy: 2e-3) }
    }

    /// A solver that reads the first part of each row, scaled, solves exactly the problem of
    /// those parts scaled: the entries after them (features it does not have) are never read.
    func testAPrefixOfEachRowIsAProblemOfItsOwn() {
        let m = 25, k = 3
        let (x, y) = problem(n: 90, features: m, classes: k, seed: 11)
        let rows = SparseRows()
        var end: [Int] = [], scale: [Float] = []
        for (i, v) in x.enumerated() {
            let s = Float(1 + i % 3)
            for (f, value) in zip(v.indices, v.values) { rows.append(f, value / s) }
            end.append(rows.entryCount)
            scale.append(s)
            rows.append(Int32(m + i % 5), 0.5)
            rows.endRow()
        }
        let whole = SquaredHingeSolver(x, positive: y, problems: k, features: m, c: 1, seed: 1)
        _ = whole.solve(over: Array(x.indices), tolerance: 1e-3, maxPasses: 10_000)
        let part = SquaredHingeSolver(rows, prefix: (end, scale), positive: y, problems: k, features: m, c: 1, seed: 1)
        _ = part.solve(over: Array(x.indices), tolerance: 1e-3, maxPasses: 10_000)
        XCTAssertEqual(part.weights.count, whole.weights.count)
        for (a, b) in zip(whole.weights, part.weights) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        for i in [0, 7, 50] { for (a, b) in zip(whole.scores(of: i), part.scores(of: i)) { XCTAssertEqual(a, b, accuracy: 1e-4) } }
    }

    func testOneProblemForTwoClassesAndTheMaximumPasses() {
        let m = 20
        let (x, y) = problem(n: 80, features: m, classes: 2, seed: 9)
        let solver = SquaredHingeSolver(x, positive: y.map { $0 == 1 ? 0 : -1 }, problems: 1, features: m, c: 1, seed: 1)
        let one = solver.solve(over: Array(x.indices), tolerance: 1e-6, maxPasses: 1)
        XCTAssertEqual(one.passes, 1)
        XCTAssertFalse(one.converged)
        _ = solver.solve(over: Array(x.indices), tolerance: 1e-4, maxPasses: 10_000)
        XCTAssertLessThan(largestPrimalGradient(solver.weights, problem: 0, problems: 1, x: x, y: y.map { $0 == 1 ? 0 : 1 },
                                                features: m, c: 1), 1e-2)
    }
}

final class TemperatureScalingTests: XCTestCase {
    /// Classes drawn from softmax(3 · scores): the fitted factor comes back close to 3.
    func testRecoversTheFactorThatGeneratedTheLabels() {
        var g: UInt64 = 11
        func unit() -> Double { g = MinHashSignature.splitmix(g); return Double(g % 1_000_000) / 1_000_000 }
        let n = 6_000, k = 4
        var scores: [Float] = [], truth: [Int] = []
        for _ in 0..<n {
            let s = (0..<k).map { _ in unit() * 2 - 1 }
            let e = s.map { exp(3 * $0) }
            var u = unit() * e.reduce(0, +), c = 0
            while c < k - 1 && u >= e[c] { u -= e[c]; c += 1 }
            scores += s.map { Float($0) }
            truth.append(c)
        }
        XCTAssertEqual(TemperatureScaling.fit(scores: scores, classes: k, truth: truth), 3, accuracy: 0.3)
    }

    func testBounds() {
        // Every example right by a wide margin: as sharp as allowed.
        XCTAssertEqual(TemperatureScaling.fit(scores: [2, -2, -2, 2], classes: 2, truth: [0, 1]), 64)
        // Every example wrong: as flat as allowed.
        XCTAssertEqual(TemperatureScaling.fit(scores: [2, -2, -2, 2], classes: 2, truth: [1, 0]), 0.01, accuracy: 1e-6)
        XCTAssertEqual(TemperatureScaling.fit(scores: [1, 1], classes: 1, truth: [0, 0]), 1)
    }
}
