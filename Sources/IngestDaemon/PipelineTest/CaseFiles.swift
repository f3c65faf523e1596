import Foundation

/// Where `ingestd test PIPELINE` finds its cases when none are named: `NAME.test.yaml` beside
/// `NAME.yaml`, and every `*.yaml` in `tests/NAME/` beside it. Pipelines stay as they are.
enum CaseFiles {
    struct NotFound: Error, CustomStringConvertible {
        let sibling: String
        let folder: String
        var description: String { "no case file for this pipeline: looked for \(sibling) and \(folder)*.yaml; name one after the pipeline" }
    }

    static func find(for pipeline: URL) -> Result<[URL], NotFound> {
        let folder = pipeline.deletingLastPathComponent()
        let name = pipeline.deletingPathExtension().lastPathComponent
        var found: [URL] = []
        let sibling = folder.appendingPathComponent("\(name).test.yaml")
        if FileManager.default.fileExists(atPath: sibling.path) { found.append(sibling) }
        let tests = folder.appendingPathComponent("tests/\(name)", isDirectory: true)
        let listed = (try? FileManager.default.contentsOfDirectory(atPath: tests.path)) ?? []
        found += listed.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { tests.appendingPathComponent($0) }
        return found.isEmpty ? .failure(NotFound(sibling: sibling.path, folder: tests.path + "/")) : .success(found)
    }
}
