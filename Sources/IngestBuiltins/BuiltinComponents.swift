import IngestCore
import IngestExec
import IngestWasm
import IngestInputs
import IngestSinks
import IngestStages

/// Every source, stage and sink that ships with ingestd, as one registry the `ingestd` program
/// hands to the daemon. A build of ingestd with more components registers them here (or
/// assembles its own registry) without touching the daemon.
public enum BuiltinComponents {
    public static let registry = ComponentRegistry(
        stages: {
            var stages = BuiltinStages.registry
            stages.register(ExecStage.factory)
            stages.register(WasmStage.factory)
            return stages
        }(),
        sources: [DropFolderComponent.factory, URLSourceComponent.factory],
        sinks: [JSONLinesSinkComponent.factory, PostgresSinkComponent.factory])
}
