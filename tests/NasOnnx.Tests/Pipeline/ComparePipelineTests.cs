using System.Globalization;
using NasOnnx.Architectures;
using NasOnnx.Core;
using NasOnnx.Spaces;
using NasOnnx.Artifacts;
using NasOnnx.Pipeline;
using NasOnnx.Reporting;

namespace NasOnnx.Tests.Pipeline;

/// <summary>The compare stage on real trained, exported and ONNX-evaluated networks (tiny data), and its statistics.</summary>
[Collection(NasOnnx.Tests.Training.TorchCollection.Name)]
public class ComparePipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static RunResult Run(string file)
    {
        var registry = StageCatalog.CreateRegistry();
        return new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
    }

    /// <summary>Seed k of candidate C: retrain of pipeline/archs/C.json, its export, and the export's evaluation.</summary>
    private static string Candidate(string name, int seed, string extra = "") => $"""
          - name: {name}-{seed}
            kind: retrain
            inputs: {"{"} data: data {"}"}
            params: {"{"} arch: pipeline/archs/{name}.json, epochs: 2, batch_size: 32, lr: 0.05{extra} {"}"}
          - name: {name}-{seed}-export
            kind: export
            inputs: {"{"} model: {name}-{seed}, data: data {"}"}
          - name: {name}-{seed}-onnx
            kind: evaluate
            inputs: {"{"} data: data, model: {name}-{seed}-export {"}"}

        """;

    private string Project(string candidates, string compareParams)
    {
        LearnableData.Write(_dir["data/tiny"], 600, 200);
        foreach (var (name, width) in new[] { ("wide", 6), ("narrow", 2) })
        {
            var arch = (Architecture)SpaceRegistry.Create("chain", new SpaceOptions { Width = width, Depth = 1 }).Sample(new Random(1));
            _dir.Write($"pipeline/archs/{name}.json", arch.ToJson());
        }
        return _dir.Write("pipeline/cmp.yaml", $"""
            name: cmp
            seed: 3
            defaults:
              threads: 1
            stages:
              - name: data
                kind: prepare-data
                params: {"{"} path: data/tiny, validation_fraction: 0.2 {"}"}
            {candidates}  - name: compare
                kind: compare
                params: {"{"} {compareParams} {"}"}
            """);
    }

    [Fact]
    public void Compares_candidates_over_seeds_with_onnx_accuracy_size_latency_and_the_margin()
    {
        string file = Project(Candidate("wide", 1, ", random_erasing: 0.5") + Candidate("wide", 2, ", random_erasing: 0.5") +
                              Candidate("narrow", 1) + Candidate("narrow", 2),
            "candidates: [wide, narrow], latency_target: 1000, runs: 20, warmup: 2, rounds: 2");
        var result = Run(file);
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));

        var (header, rows) = Csv.ReadTable(_dir["runs/cmp/compare/comparison.csv"]);
        string Cell(int row, string column) => rows[row][header.ToList().IndexOf(column)];
        double D(int row, string column) => double.Parse(Cell(row, column), CultureInfo.InvariantCulture);
        Assert.Equal(["wide", "narrow"], rows.Select(r => r[0]));
        foreach (var (row, name) in new[] { (0, "wide"), (1, "narrow") })
        {
            var accuracies = new[] { 1, 2 }.Select(seed => double.Parse(File.ReadAllLines(_dir[$"runs/cmp/{name}-{seed}-onnx/metrics.csv"])[1].Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal("2", Cell(row, "seeds"));
            Assert.Equal(accuracies.Average(), D(row, "accuracy_mean"), 6);
            Assert.Equal(accuracies.Min(), D(row, "accuracy_min"), 6);
            Assert.True(D(row, "p50_ms") > 0 && D(row, "p90_ms") >= D(row, "p50_ms"));
            Assert.Equal("true", Cell(row, "meets_target"));
        }
        Assert.True(D(0, "parameters") > D(1, "parameters"));
        Assert.True(D(0, "macs") > D(1, "macs"));
        Assert.Equal("", Cell(0, "margin_sd"));
        var wide = new CandidateResult("wide", 0, 0, 0, 0, [D(0, "accuracy_min"), D(0, "accuracy_max")]);
        var narrow = new CandidateResult("narrow", 0, 0, 0, 0, [D(1, "accuracy_min"), D(1, "accuracy_max")]);
        double margin = CandidateComparison.MarginInSds(wide, narrow);
        if (double.IsNaN(margin)) Assert.Equal("", Cell(1, "margin_sd"));
        else Assert.Equal(margin, D(1, "margin_sd"), 4);
        Assert.Equal(5, File.ReadAllLines(_dir["runs/cmp/compare/runs.csv"]).Length);
        string md = File.ReadAllText(_dir["runs/cmp/compare/comparison.md"]);
        Assert.Contains("| wide |", md);
        Assert.Contains("| narrow |", md);
    }

    [Fact]
    public void A_candidate_without_evaluations_is_refused_naming_the_stages_it_needs()
    {
        string file = Project(Candidate("wide", 1), "candidates: [wide, missing], runs: 5, warmup: 1, rounds: 1");
        var e = Assert.Throws<NasOnnxException>(() => Run(file));
        Assert.Contains("candidate 'missing' has no evaluation", e.Message);
        Assert.Contains("missing-1-export", e.Fix);
        Assert.Equal("compare", e.Stage);
        Assert.False(Directory.Exists(_dir["runs/cmp/compare"]));
    }

    [Fact]
    public void Margin_is_the_lead_in_pooled_standard_deviations()
    {
        var searched = new CandidateResult("searched", 1, 1, 0.9, 1.0, [0.93, 0.94, 0.95]);
        var baseline = new CandidateResult("baseline", 1, 1, 0.9, 1.0, [0.91, 0.92, 0.93]);
        Assert.Equal(0.01, searched.StandardDeviation, 9);
        Assert.Equal(2.0, CandidateComparison.MarginInSds(searched, baseline), 9);
        Assert.Equal(-2.0, CandidateComparison.MarginInSds(baseline, searched), 9);
        var single = new CandidateResult("one", 1, 1, 0.9, 1.0, [0.9]);
        Assert.True(double.IsNaN(CandidateComparison.MarginInSds(single, single)));
        var md = CandidateComparison.Markdown([searched, baseline], searched, latencyTarget: 0.95);
        Assert.Contains("| baseline | 1 | 0.0M | 0.900 | 1.000 | 92.00% ± 1.00 (3) | 91.00 - 93.00 | +2.0 SD |", md);
    }
}
