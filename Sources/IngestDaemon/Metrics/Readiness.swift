import Foundation
import IngestCore

/// What `/ready` answers: ready when the sources have started, the sink can write and every
/// stage says `ready`; otherwise each thing that is not, by name and why.
struct Readiness: Equatable {
    struct Problem: Equatable {
        /// `sources`, `sink` or `stage:NAME`.
        var component: String
        var reason: String
    }

    var problems: [Problem]
    var isReady: Bool { problems.isEmpty }

    static func check(sourcesStarted: Bool, sink: any RecordSink, stages: [any Stage]) -> Readiness {
        var problems: [Problem] = []
        if !sourcesStarted { problems.append(.init(component: "sources", reason: "not started")) }
        if let why = sink.writeProblem { problems.append(.init(component: "sink", reason: why)) }
        for stage in stages {
            switch stage.health {
            case .ready: continue
            case .degraded(let why), .down(let why): problems.append(.init(component: "stage:\(stage.name)", reason: "\(stage.health.label): \(why)"))
            }
        }
        return Readiness(problems: problems)
    }

    /// `{"ready":true}` or `{"not_ready":{"stage:alerts":"down: …"},"ready":false}`.
    var json: [UInt8] {
        var fields: [(String, JSONValue)] = [("ready", .bool(isReady))]
        if !isReady { fields.insert(("not_ready", .object(problems.map { ($0.component, .string($0.reason)) })), at: 0) }
        return Array(JSONValue.object(fields).serialized().utf8) + [10]
    }
}
