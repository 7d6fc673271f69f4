namespace NasOnnx.Reporting.Cards;

/// <summary>Which stages of a run a model card is made from.</summary>
public sealed record CardSources(string Export, string? Evaluation, string? Benchmark)
{
    /// <summary>
    /// The named stages, or found through the lock: the last stage that wrote model.onnx, the evaluate stage that
    /// ran that file with ONNX Runtime on the test split, the benchmark stage that measured it.
    /// </summary>
    public static CardSources? Find(RunFolder run, string? export = null, string? evaluation = null, string? benchmark = null)
    {
        string? e = run.ExportStage(export);
        if (e is null) return null;
        if (evaluation is not null && !run.Consumers(e, "model", "evaluate").Contains(evaluation))
            throw new NasOnnxException($"stage '{evaluation}' did not evaluate the ONNX file of stage '{e}' (its `model` input is another stage, or it is no evaluate stage)",
                $"name an evaluate stage with `inputs: {{ model: {e} }}`; found: {string.Join(", ", run.Consumers(e, "model", "evaluate").DefaultIfEmpty("none"))}") { FilePath = run.LockPath };
        if (evaluation is not null && run.Param(evaluation, "split") is "validation")
            throw new NasOnnxException($"stage '{evaluation}' measured the validation split; a card states test accuracy", "name an evaluate stage with `split: test`") { FilePath = run.LockPath };
        if (benchmark is not null && !run.Consumers(e, "model", "benchmark").Contains(benchmark))
            throw new NasOnnxException($"stage '{benchmark}' did not measure the ONNX file of stage '{e}'",
                $"name a benchmark stage with `inputs: {{ model: {e} }}`; found: {string.Join(", ", run.Consumers(e, "model", "benchmark").DefaultIfEmpty("none"))}") { FilePath = run.LockPath };
        return new CardSources(e, evaluation ?? run.OnnxTestEvaluationOf(e), benchmark ?? run.BenchmarkOf(e));
    }
}
