using System.Globalization;
using System.Text.Json;
using NasOnnx.Runtime;
using NasOnnx.Search.OneShot;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Plots;
using NasOnnx.Artifacts;

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
        var outcome = new Spos().Run(ctx);

        var payload = outcome.Payload!.Value.Deserialize<OneShotPayload>(SnakeJson.Options)!;
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
        new Spos().Run(again);
        Assert.Equal(File.ReadAllText(Path.Combine(ctx.OutputDir, SposRankCheck.FileName)), File.ReadAllText(Path.Combine(again.OutputDir, SposRankCheck.FileName)));
    }

    [Fact]
    public void Rank_check_with_too_few_architectures_is_refused()
    {
        TorchRuntime.Initialize(1);
        var ctx = OneShotKit.Context(_dir.Path, "nb201", new SpaceOptions(1, 8, 10, Width: 4, Depth: 1), OneShotKit.Data(64, 8), Params(2));
        var e = Assert.Throws<NasOnnxException>(() => new Spos().Run(ctx));
        Assert.Contains("spos_rank_archs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cells_at_chance_level_get_their_own_tau_and_are_named_instead_of_drawn()
    {
        // 4 cells that learned, ranked the same way by both scores except one swapped pair, and a constant-output cell
        // at chance level that both put last: it adds 4 agreeing pairs that say nothing about the cells that learned.
        RankCheckRow Row(int i, double supernet, double alone) => new(i, $"a{i}", supernet, alone, "{}");
        var rows = new List<RankCheckRow> { Row(1, 0.90, 0.89), Row(2, 0.88, 0.87), Row(3, 0.87, 0.88), Row(4, 0.85, 0.84), Row(5, 0.10, 0.096) };
        var result = SposRankCheck.Summarize(rows, classes: 10);
        Assert.Equal(5, result.Architectures);
        Assert.Equal(1, result.AtChanceLevel);
        Assert.Equal((9 - 1) / 10.0, result.KendallTau, 12);                 // 10 pairs, 1 discordant
        Assert.Equal((5 - 1) / 6.0, result.KendallTauAboveChance!.Value, 12); // 6 pairs among the 4 that learned, 1 discordant
        Assert.Equal(0.15, SposRankCheck.ChanceThreshold(10), 12);

        // all learned: both taus are the same; too few learned for a tau of their own: none
        var all = SposRankCheck.Summarize(rows.Take(4).ToList(), 10);
        Assert.Equal(0, all.AtChanceLevel);
        Assert.Equal(all.KendallTau, all.KendallTauAboveChance!.Value, 12);
        Assert.Null(SposRankCheck.Summarize([rows[0], rows[1], rows[4]], 10).KendallTauAboveChance);

        // the plot is written in both cases (axes fitted to the cells that learned when 3 or more did)
        string png = Path.Combine(_dir.Path, "rank.png");
        RankCheckPlot.Write(png, rows, result, SposRankCheck.ChanceThreshold(10));
        Assert.True(new FileInfo(png).Length > 1000);
        string few = Path.Combine(_dir.Path, "few.png");
        RankCheckPlot.Write(few, [rows[0], rows[4], rows[1]], SposRankCheck.Summarize([rows[0], rows[4], rows[1]], 10), SposRankCheck.ChanceThreshold(10));
        Assert.True(new FileInfo(few).Length > 1000);
    }
}
