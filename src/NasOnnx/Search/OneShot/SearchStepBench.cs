using System.Diagnostics;
using NasOnnx.Spaces;
using NasOnnx.Architectures;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// Times search steps (architecture step + weight step; SPOS: a sampled path's weight step) of a space's supernet
/// (the DARTS search network by default) on random data, and reads the process' peak resident memory (VmHWM).
/// </summary>
public static class SearchStepBench
{
    /// <summary>One mode per one-shot algorithm, by its strategy name.</summary>
    public static IReadOnlyList<string> Modes => OneShotCatalog.Names;

    public static SearchBenchResult Run(string mode, int c, int layers, int batch, int resolution, int channels = 1, int partialK = 4,
        int warmup = 2, int steps = 3, int threads = 2, Action<string>? progress = null, string space = SpaceRegistry.DefaultSearchSpace)
    {
        var algorithm = OneShotCatalog.Find(mode)
            ?? throw new NasOnnxException($"unknown bench mode '{mode}'", $"use one of: {string.Join(", ", Modes)}");
        Runtime.TorchRuntime.Initialize(threads);
        double before = Rss("VmRSS");
        var searchSpace = SpaceRegistry.Create(space, new SpaceOptions(channels, resolution, 10, c, layers));
        using var net = SupernetFactory.Build(searchSpace, algorithm.PartialChannels ? partialK : 1, seed: 0);
        net.Mode = algorithm.Mode;
        net.Noise = new Generator(1);
        net.train();
        using var trainer = new SupernetTrainer(net, new OneShotSettings());
        var gen = new Generator(2);
        using var xt = torch.randn([batch, channels, resolution, resolution], generator: gen);
        using var yt = torch.randint(0, 10, [batch], generator: gen);
        using var xv = torch.randn([batch, channels, resolution, resolution], generator: gen);
        using var yv = torch.randint(0, 10, [batch], generator: gen);
        var rng = new Random(0);
        var times = new List<double>();
        var cpu = new List<double>();
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < warmup + steps; i++)
        {
            var watch = Stopwatch.StartNew();
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            using (torch.NewDisposeScope())
            {
                if (algorithm.HasArchitectureStep) algorithm.ArchitectureStep(trainer, xt, yt, xv, yv);
                algorithm.BeforeWeightStep(net, searchSpace, rng);
                trainer.WeightStep(xt, yt);
            }
            double ms = watch.Elapsed.TotalMilliseconds;
            process.Refresh();
            if (i >= warmup)
            {
                times.Add(ms);
                cpu.Add((process.TotalProcessorTime - cpu0).TotalMilliseconds);
            }
            progress?.Invoke($"step {i + 1}/{warmup + steps}{(i < warmup ? " (warm-up)" : "")}: {ms:0} ms");
        }
        return new SearchBenchResult(mode, c, layers, batch, resolution, threads, net.parameters().Sum(p => p.numel()),
            Math.Round(times.Average(), 1), Math.Round(times.Min(), 1), Math.Round(Rss("VmHWM"), 1), Math.Round(before, 1))
        { CpuMsPerStep = Math.Round(cpu.Average(), 1) };
    }

    /// <summary>A memory line of /proc/self/status in MB (0 where there is none).</summary>
    public static double Rss(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return 0;
        foreach (var line in File.ReadLines(status))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return double.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        return 0;
    }
}
