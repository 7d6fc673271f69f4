using System.Text.Json;
using NasOnnx.Pipeline;
using NasOnnx.Reporting;
using NasOnnx.Runtime;
using NasOnnx.Search;
using NasOnnx.Search.OneShot;
using NasOnnx.Supernets;
using NasOnnx.Core;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Search.OneShot;

/// <summary>The one-shot strategies end to end on tiny supernets and data: outcome, logs, derive, resume after a kill.</summary>
public class OneShotStrategyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly SpaceOptions Tiny = new(1, 8, 10, Width: 4, Depth: 1);

    private static Dictionary<string, object?> Params(int epochs) => new()
    {
        ["supernet_epochs"] = (long)epochs, ["supernet_batch_size"] = 16L, ["arch_lr"] = 3e-3, ["spos_population"] = 4L,
        ["spos_generations"] = 1L, ["spos_bn_batches"] = 2L, ["spos_eval_batches"] = 2L,
    };

    [Theory]
    [InlineData("darts", "darts")]
    [InlineData("darts2", "darts")]
    [InlineData("gdas", "darts")]
    [InlineData("pc", "darts")]
    [InlineData("spos", "darts")]
    [InlineData("darts", "nb201")]
    [InlineData("gdas", "nb201")]
    [InlineData("spos", "nb201")]
    [InlineData("darts", "chain")]
    [InlineData("spos", "chain")]
    public void Strategy_searches_writes_logs_and_derives(string strategyName, string space)
    {
        TorchRuntime.Initialize(1);
        var options = space == "darts" ? Tiny with { Depth = 2 } : Tiny;
        var ctx = OneShotKit.Context(_dir.Path, space, options, OneShotKit.Data(128, 8), Params(1));
        var strategy = StrategyCatalog.Get(strategyName);
        var outcome = strategy.Run(ctx);
        var best = ctx.Space.Parse(outcome.Best.GetRawText());
        Assert.Equal(space, best.Space);
        Assert.Equal(1, outcome.Evaluations);
        Assert.True(File.Exists(Path.Combine(ctx.OutputDir, "search_log.csv")));
        Assert.True(File.ReadAllLines(Path.Combine(ctx.OutputDir, "alphas.csv")).Length > 1);
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(ctx.OutputDir, "alphas.svg")), StringComparison.Ordinal);
        if (strategyName == "spos") Assert.True(File.Exists(Path.Combine(ctx.OutputDir, "spos_log.csv")));
        // derive again with other options, from search.json alone
        var reloaded = JsonSerializer.Deserialize<SearchOutcome>(JsonSerializer.Serialize(outcome, SnakeJson.Options), SnakeJson.Options)!;
        var again = strategy.Derive(reloaded, ctx.Space, new DeriveOptions { MaxSkip = 0 });
        Assert.Equal(space, again.Space);
        if (strategyName != "spos") Assert.Equal(best.ArchId, strategy.Derive(reloaded, ctx.Space, new DeriveOptions()).ArchId);
    }

    private sealed class CancelAfterEpoch(CancellationTokenSource cts, string marker) : IRunLog
    {
        public void Info(string message) { if (message.Contains(marker, StringComparison.Ordinal)) cts.Cancel(); }
        public void Warn(string message) { }
        public IProgressTask Progress(string label, long total) => new Nothing();
        private sealed class Nothing : IProgressTask
        {
            public void Advance(long amount, string? status = null) { }
            public void Dispose() { }
        }
    }

    [Theory]
    [InlineData("darts")]
    [InlineData("gdas")]
    public void Killed_search_resumes_from_its_checkpoint_and_matches_an_uninterrupted_run(string strategyName)
    {
        TorchRuntime.Initialize(1);
        var data = OneShotKit.Data(128, 8);
        var straight = OneShotCatalog.Find(strategyName)!
            .Run(OneShotKit.Context(Path.Combine(_dir.Path, "a"), "nb201", Tiny, data, Params(2)));

        string root = Path.Combine(_dir.Path, "b");
        using var cts = new CancellationTokenSource();
        var killed = OneShotKit.Context(root, "nb201", Tiny, data, Params(2), new CancelAfterEpoch(cts, "epoch 1:"), cts.Token);
        Assert.Throws<OperationCanceledException>(() => OneShotCatalog.Find(strategyName)!.Run(killed));
        Assert.True(Directory.Exists(Path.Combine(killed.StateDir, "ckpt")));

        var log = new Pipeline.CollectingLog();
        var resumed = OneShotCatalog.Find(strategyName)!.Run(OneShotKit.Context(root, "nb201", Tiny, data, Params(2), log));
        Assert.Contains(log.Lines, l => l.Contains("resuming after epoch 1", StringComparison.Ordinal));
        Assert.Equal(2, resumed.Evaluations);
        var a = straight.Payload!.Value.Deserialize<OneShotPayload>(SnakeJson.Options)!.Arch.Alphas["cell"];
        var b = resumed.Payload!.Value.Deserialize<OneShotPayload>(SnakeJson.Options)!.Arch.Alphas["cell"];
        double maxDiff = a.Zip(b).SelectMany(r => r.First.Zip(r.Second, (x, y) => Math.Abs(x - y))).Max();
        Assert.True(maxDiff < 1e-5, $"alphas differ by {maxDiff}");
        Assert.Equal(straight.Best.GetRawText(), resumed.Best.GetRawText());
    }
}
