import Foundation
import IngestCore

/// One case of a pipeline test file: documents run in order through the pipeline's stages, with
/// fresh state, and what is expected of them.
public struct TestCase {
    public var name: String
    /// Where the case starts in its file, for the report.
    public var line: Int
    public var inputs: [TestInput]
}

public struct TestInput {
    public enum Content {
        case inline(String)
        case file(URL)
    }

    /// The name the document arrives under (its `origin.path` for an inline text).
    public var name: String
    public var content: Content
    /// Checked on this document's outcome; empty for an input there only to be seen first.
    public var expectations: [Expectation]
}
