import Foundation

/// Decides which of a page's blocks are article text: logistic regression over
/// `BlockFeatures` with the weights `scripts/train-block-model` generated
/// (`BlockModelWeights`), a threshold chosen on the training pages, then smoothing so that a
/// block follows its neighbours when the model is unsure of it.
enum BlockModel {
    static func probabilities(_ rows: [[Double]]) -> [Double] {
        rows.map { row in
            var z = BlockModelWeights.bias
            for (x, w) in zip(row, BlockModelWeights.weights) { z += x * w }
            return 1 / (1 + exp(-z))
        }
    }

    /// Which blocks to keep. The finder's blocks are the seed, less those the model is sure are
    /// not article (p ≤ `seed`); then the selection grows into neighbouring blocks the model
    /// takes for article (p > `grow`), block by block, so text outside the chosen element joins
    /// only where it continues the article, never as a far-off island. Without a seed (the
    /// finder chose nothing usable), the blocks above `grow` are kept.
    static func decode(_ p: [Double], writerKeeps: [Bool], seed: Double = BlockModelWeights.seedThreshold,
                       grow: Double = BlockModelWeights.growThreshold) -> [Bool] {
        let n = p.count
        var keep = (0..<n).map { writerKeeps[$0] && p[$0] > seed }
        if !keep.contains(true) { return p.map { $0 > grow } }
        // Forward then backward passes reach every run that touches a kept block.
        var k = 1
        while k < n {
            if !keep[k], keep[k - 1], p[k] > grow { keep[k] = true }
            k += 1
        }
        k = n - 2
        while k >= 0 {
            if !keep[k], keep[k + 1], p[k] > grow { keep[k] = true }
            k -= 1
        }
        return keep
    }
}

/// The rows `ingestd-bench --dump-blocks` writes for training: what inference computes, per block.
public enum BlockDump {
    public struct Row: Sendable {
        public let text: String
        public let features: [Double]
        /// The shipped model's probability, for comparing a retrained model with it.
        public let probability: Double
    }

    public static var featureNames: [String] { BlockFeatures.names }

    public static func rows(utf8 html: [UInt8]) -> [Row] {
        let parts = HTMLArticleExtractor.parse(utf8: html)
        let blocks = PageBlocks.cut(parts.finder, roots: parts.roots)
        let rows = BlockFeatures.rows(blocks, title: parts.meta.title)
        let p = BlockModel.probabilities(rows)
        return blocks.indices.map { Row(text: blocks[$0].text, features: rows[$0], probability: p[$0]) }
    }
}
