import Foundation
import IngestCore
import IngestInputs

/// Where `ingestd status` and `top` read a running daemon's status: its status file in the
/// state folder, or its `/status` over HTTP (`metrics:` serves it beside `/metrics`).
public enum StatusOrigin: Sendable, CustomStringConvertible {
    case file(URL)
    case http(String)

    /// `--url http://127.0.0.1:9464` (with or without `/status`).
    public static func url(_ base: String) -> StatusOrigin {
        var u = base
        while u.hasSuffix("/") { u.removeLast() }
        if u.hasSuffix("/metrics") { u.removeLast("/metrics".count) }
        return .http(u.hasSuffix("/status") ? u : u + "/status")
    }

    public static func stateDirectory(_ dir: URL) -> StatusOrigin { .file(dir.appendingPathComponent(StatusReporter.fileName)) }

    /// The status file of the state folder a pipeline names (relative to `dataDir` as `run` resolves it).
    public static func pipeline(_ file: URL, dataDir: URL?, registry: ComponentRegistry) throws -> StatusOrigin {
        switch Daemon.load(file, dataDir: dataDir, registry: registry) {
        case .success(let config): return stateDirectory(config.stateDirectory)
        case .failure(let error):
            throw StatusError(message: "the pipeline file has problems:\n" + error.issues.map(\.description).joined(separator: "\n"))
        }
    }

    public var description: String {
        switch self {
        case .file(let url): return url.path
        case .http(let url): return url
        }
    }

    public func read() throws -> StatusSnapshot {
        switch self {
        case .file(let url):
            let bytes: [UInt8]
            do { bytes = try FileIO.read(url) } catch {
                throw StatusError(message: "cannot read \(url.path) (\(error)); is the daemon running with this state folder?")
            }
            return try StatusSnapshot.parse(bytes, from: url.path)
        case .http(let url):
            return try StatusSnapshot.parse(try Self.get(url), from: url)
        }
    }

    /// Whether the process that wrote a file snapshot still runs; nil over HTTP (it answered).
    public func processAlive(_ snapshot: StatusSnapshot) -> Bool? {
        guard case .file = self, snapshot.running else { return nil }
        return kill(snapshot.pid, 0) == 0 || errno == EPERM
    }

    private static func get(_ url: String) throws -> [UInt8] {
        var settings = FetchSettings()
        settings.connectTimeout = 3
        settings.totalTimeout = 10
        let fetcher = HTTPFetcher(settings: settings)
        defer { fetcher.stop() }
        let done = DispatchSemaphore(value: 0)
        let result = Locked<Result<FetchResponse, FetchFailure>?>(nil)
        fetcher.fetch(FetchRequest(url: url, configured: true)) { r in
            result.withLock { $0 = r }
            done.signal()
        }
        done.wait()
        switch result.withLock({ $0 })! {
        case .failure(let failure): throw StatusError(message: "cannot reach \(url): \(failure)")
        case .success(let response) where response.status != 200:
            throw StatusError(message: "\(url) answered HTTP \(response.status)")
        case .success(let response): return Array(response.body)
        }
    }
}
