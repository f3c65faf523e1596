/// Counting the words of a paragraph only as far as a rule needs: most paragraphs are long, and
/// several rules only ask whether there are more than a few.
enum SpaceSeparatedWords {
    /// The words of `text` (runs without a space, as `BlockFeatures.Shape` counts them), up to `limit`.
    static func count(_ text: String, upTo limit: Int = .max) -> Int {
        guard limit > 0 else { return 0 }
        var words = 0
        var inWord = false
        for byte in text.utf8 {
            if byte == 0x20 {
                inWord = false
            } else if !inWord {
                inWord = true
                words += 1
                if words >= limit { return words }
            }
        }
        return words
    }
}
