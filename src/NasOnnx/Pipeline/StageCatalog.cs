using NasOnnx.Pipeline.Stages;

namespace NasOnnx.Pipeline;

/// <summary>Every stage kind NasOnnx ships. Adding a stage kind: write the class, add it here.</summary>
public static class StageCatalog
{
    public static IReadOnlyList<IStage> All() =>
    [
        new PrepareDataStage(),
        new TrainStage(),
        new EvaluateStage(),
        new RetrainStage(),
        new ExportStage(),
        new SearchStage(),
        new DeriveStage(),
        new BenchmarkStage(),
        new ProfileLatencyStage(),
        new ValidateLatencyStage(),
        new CompareStage(),
        new ReportStage(),
    ];

    public static StageRegistry CreateRegistry() => new(All());
}
