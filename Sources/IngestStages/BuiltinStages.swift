import IngestCore

/// The stages that ship with ingestd. A new stage is one file and one line here.
public enum BuiltinStages {
    public static let registry = StageRegistry([
        NormalizeStage.factory,
        DedupeStage.factory,
        TopicsStage.factory,
        LanguageStage.factory,
        EntitiesStage.factory,
        CategoryStage.factory,
        GenreStage.factory,
        ClassifyStage.factory,
    ])
}
