using System.Globalization;
using System.Text.Json;
using NasOnnx.Pipeline;
using NasOnnx.Runtime;
using NasOnnx.Search.OneShot;
using NasOnnx.Spaces;

namespace NasOnnx.Tests.Search.OneShot;

/// <summary>SPOS' rank check: supernet vs stand-alone accuracy over sampled architectures, Kendall tau, files, determinism.</summary>
public class SposRankCheckTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, object?> Params(long archs) => new()
    {
        ["supernet_epochs"] = 1L, ["supernet_batch_size"] = 16L, ["spos_population"] = 4L, ["spos_generations"] = 1L,
        ["spos_bn_batches"] = 2L, ["spos_eval_batches"] = 2L,
        ["spos_rank_archs"] = archs, ["spos_rank_epochs"] = 1L, ["spos_rank_data_fraction"] = 1.0,
    };

    private static List<string[]> Rows(string csv) =>
        File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')).ToList();

    [Fact]
    public void Rank_check_scores_each_architecture_both_ways_and_reports_kendall_tau()
    {
        TorchRuntime.Initialize(1);
        var options = new SpaceOptions(1, 8, 10, Width: 4, Depth: 1);
        var data = OneShotKit.Data(128, 8);
        var ctx = OneShotKit.Context(Path.Combine(_dir.Path, "a"), "nb201", options, data, Params(5));
        var outcome = new OneShotStrategy(OneShotKind.Spos).Run(ctx);

        var payload = outcome.Payload!.Value.Deserialize<OneShotPayload>(LockFile.Json)!;
        var check = Assert.IsType<RankCheckResult>(payload.RankCheck);
        Assert.Equal(5, check.Architectures);
        Assert.InRange(check.KendallTau, -1, 1);
        var rows = Rows(Path.Combine(ctx.OutputDir, SposRankCheck.FileName));
        Assert.Equal(5, rows.Count);
        Assert.Equal(5, rows.Select(r => r[1]).Distinct().Count()); // distinct architectures
        var supernet = rows.Select(r => double.Parse(r[2], CultureInfo.InvariantCulture)).ToList();
        var alone = rows.Select(r => double.Parse(r[3], CultureInfo.InvariantCulture)).ToList();
        Assert.All(supernet.Concat(alone), a => Assert.InRange(a, 0, 1));
        Assert.Equal(check.KendallTau, NasOnnx.Latency.LatencyValidation.KendallTau(supernet, alone), 12);
        Assert.True(new FileInfo(Path.Combine(ctx.OutputDir, SposRankCheck.PlotName)).Length > 1000);

        // Same seed, fresh folders: the same architectures, accuracies and tau.
        var again = OneShotKit.Context(Path.Combine(_dir.Path, "b"), "nb201", options, data, Params(5));
        new OneShotStrategy(OneShotKind.Spos).Run(again);
        Assert.Equal(File.ReadAllText(Path.Combine(ctx.OutputDir, SposRankCheck.FileName)), File.ReadAllText(Path.Combine(again.OutputDir, SposRankCheck.FileName)));
    }

    [Fact]
    public void Rank_check_with_too_few_architectures_is_refused()
    {
        TorchRuntime.Initialize(1);
        var ctx = OneShotKit.Context(_dir.Path, "nb201", new SpaceOptions(1, 8, 10, Width: 4, Depth: 1), OneShotKit.Data(64, 8), Params(2));
        var e = Assert.Throws<NasOnnxException>(() => new OneShotStrategy(OneShotKind.Spos).Run(ctx));
        Assert.Contains("spos_rank_archs", e.Message, StringComparison.Ordinal);
    }
}
