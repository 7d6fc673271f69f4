using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Architectures;
using NasOnnx.Spaces;
using NasOnnx.Data;
using NasOnnx.Networks;
using NasOnnx.Runtime;
using NasOnnx.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace NasOnnx.Cli.Commands;

/// <summary>
/// `nasonnx bench train`: times the project's training step (<see cref="TrainStep"/>: forward, cross-entropy,
/// backward, clipping, SGD) on the reference FixedCnn or an architecture file (--arch), in the batch layout training
/// uses or both layouts side by side (--layout), and with --compare-torch the identical network and step in
/// PyTorch (tests/bench/train_step_torch.py run by /usr/bin/python3; FixedCnn, chain and macro architectures), alternating
/// rounds so both see the same machine load, and prints the ratios. With --compare-numerics it times the step under the default (oneDNN on) and
/// safe (oneDNN off) numerics configurations (see NumericsSelfCheck), alternating in one process, and prints safe/default.
/// </summary>
public sealed class BenchTrainCommand(IAnsiConsole console) : Command<BenchTrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--width <N>")]
        [Description("FixedCnn width (channels of the first block). Default 16")]
        public int Width { get; init; } = 16;

        [CommandOption("--batch <N>")]
        [Description("Images per step. Default 128")]
        public int Batch { get; init; } = 128;

        [CommandOption("--threads <N>")]
        [Description("libtorch threads (both sides). Default: NASONNX_THREADS or all cores")]
        public int Threads { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Timed steps per round. Default 30")]
        public int Steps { get; init; } = 30;

        [CommandOption("--warmup <N>")]
        [Description("Untimed steps before each round. Default 5")]
        public int Warmup { get; init; } = 5;

        [CommandOption("--rounds <N>")]
        [Description("Rounds (alternating with PyTorch when comparing); the best round counts. Default 2")]
        public int Rounds { get; init; } = 2;

        [CommandOption("--channels <N>")]
        public int Channels { get; init; } = 1;

        [CommandOption("--size <N>")]
        [Description("Image height and width. Default 28")]
        public int Size { get; init; } = 28;

        [CommandOption("--classes <N>")]
        public int Classes { get; init; } = 10;

        [CommandOption("--arch <FILE>")]
        [Description("Time this architecture JSON (any space: a derive stage's architecture.json, a model's model.arch.json) instead of the FixedCnn; --compare-torch supports chain and macro architectures")]
        public string? Arch { get; init; }

        [CommandOption("--layout <LAYOUT>")]
        [Description("Image batch layout: auto (what training uses: channels-last while oneDNN is on), nchw, nhwc, or both side by side. Default auto")]
        public string Layout { get; init; } = "auto";

        [CommandOption("--compare-torch")]
        [Description("Also time the same network in PyTorch (/usr/bin/python3 with torch, e.g. Debian's python3-torch)")]
        public bool CompareTorch { get; init; }

        [CommandOption("--compare-numerics")]
        [Description("Time the step under the default (oneDNN on) and safe (oneDNN off) numerics configurations, alternating rounds, and print the ratio")]
        public bool CompareNumerics { get; init; }

        [CommandOption("--python <PATH>")]
        [Description("Python with torch for --compare-torch. Default /usr/bin/python3")]
        public string Python { get; init; } = "/usr/bin/python3";

        [CommandOption("--script <PATH>")]
        [Description("The PyTorch twin script. Default: tests/bench/train_step_torch.py found from the current folder up")]
        public string? Script { get; init; }

        public override ValidationResult Validate() =>
            Layout is not ("auto" or "nchw" or "nhwc" or "both") ? ValidationResult.Error("--layout is auto, nchw, nhwc or both")
            : Width < 1 || Batch < 1 || Steps < 1 || Warmup < 0 || Rounds < 1 || Threads < 0 || Channels < 1 || Size < 4 || Classes < 2
                ? ValidationResult.Error("width, batch, steps, rounds, channels and classes must be positive, size at least 4, warmup and threads 0 or more")
                : ValidationResult.Success();
    }

    public sealed record Measurement(double MeanMs, double MedianMs, double ImagesPerSecond)
    {
        /// <summary>Timed steps whose loss or gradients were not finite (refused by the step, still timed).</summary>
        public int Diverged { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        int threads = s.Threads > 0 ? s.Threads : TorchRuntime.DefaultThreads();
        TorchRuntime.Initialize(threads);
        string? script = null;
        if (s.CompareTorch)
        {
            script = s.Script ?? FindScript();
            if (script is null || !File.Exists(script))
                throw new NasOnnxException("tests/bench/train_step_torch.py was not found", "run from the repository root or pass --script <path>");
            if (!File.Exists(s.Python))
                throw new NasOnnxException($"{s.Python} does not exist", "install Debian's PyTorch (apt-get install python3-torch) or pass --python <path>");
        }
        var arch = s.Arch is null ? null : LoadArchitecture(s);
        string network = arch is null ? $"FixedCnn width {s.Width}" : $"{arch.Space} architecture {Path.GetFileName(s.Arch)}";
        console.MarkupLine(Markup.Escape($"{network} on {s.Channels}x{s.Size}x{s.Size}, batch {s.Batch}, {threads} thread(s), {s.Steps} steps x {s.Rounds} round(s)"));

        torch.nn.Module<torch.Tensor, torch.Tensor> NewModel()
        {
            torch.manual_seed(0);
            torch.nn.Module<torch.Tensor, torch.Tensor> m = arch is null ? new FixedCnn(s.Channels, s.Classes, s.Width) : NetworkFactory.Build(arch, seed: 0);
            m.train();
            return m;
        }
        var model = NewModel();
        var step = new TrainStep(model, new TrainingRecipe());
        var rng = new SplitMix64(1);
        var images = new float[s.Batch * s.Channels * s.Size * s.Size];
        for (int i = 0; i < images.Length; i++) images[i] = (float)rng.NextDouble();
        var labels = Enumerable.Range(0, s.Batch).Select(_ => (long)rng.Next(s.Classes)).ToArray();
        var shape = new ImageShape(s.Channels, s.Size, s.Size);

        Measurement TimeSteps()
        {
            if (s.CompareNumerics)
            {
                // Each configuration trains the same fresh network: wrong gradients of a faulty one must not carry
                // over into the weights the next one starts from.
                step.Dispose();
                model.Dispose();
                model = NewModel();
                step = new TrainStep(model, new TrainingRecipe());
            }
            var times = new List<double>();
            int diverged = 0;
            for (int i = 0; i < s.Warmup + s.Steps; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                // Only when comparing numerics: the default configuration may be the faulty one, and how often it
                // diverges is part of the answer; otherwise a divergence is an error like anywhere else.
                try { step.Run(images, labels, shape, 0.05); }
                catch (DivergedException) when (s.CompareNumerics) { if (i >= s.Warmup) diverged++; }
                if (i >= s.Warmup) times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            return Summarize(times, s.Batch) with { Diverged = diverged };
        }

        try
        {
            if (s.CompareNumerics) return CompareNumerics(s, threads, TimeSteps, cancellationToken);
            return CompareTorch(s, threads, script, TimeSteps, cancellationToken);
        }
        finally
        {
            step.Dispose();
            model.Dispose();
        }
    }

    /// <summary>
    /// Each round times every layout asked for, ours then PyTorch's at the same layout, so all see the same machine
    /// load; the best round of each counts.
    /// </summary>
    private int CompareTorch(Settings s, int threads, string? script, Func<Measurement> timeSteps, CancellationToken cancellationToken)
    {
        bool[] layouts = s.Layout switch
        {
            "both" => [false, true],
            "nhwc" => [true],
            "nchw" => [false],
            _ => [ImageLayout.ChannelsLast],
        };
        static string Name(bool channelsLast) => channelsLast ? "channels-last" : "NCHW";
        var ours = new Dictionary<bool, Measurement>();
        var theirs = new Dictionary<bool, Measurement>();
        string torchVersion = "";
        try
        {
            for (int round = 0; round < s.Rounds; round++)
                foreach (bool channelsLast in layouts)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    ImageLayout.Override = channelsLast;
                    var m = timeSteps();
                    console.MarkupLine(Markup.Escape($"round {round + 1} TorchSharp {Name(channelsLast)}: {m.MeanMs:0.0} ms/step (median {m.MedianMs:0.0}), {m.ImagesPerSecond:0} images/s"));
                    if (!ours.TryGetValue(channelsLast, out var o) || m.MeanMs < o.MeanMs) ours[channelsLast] = m;
                    if (script is null) continue;
                    var (t, version) = RunTorch(s, script, threads, channelsLast);
                    torchVersion = version;
                    console.MarkupLine(Markup.Escape($"round {round + 1} PyTorch {version} {Name(channelsLast)}: {t.MeanMs:0.0} ms/step (median {t.MedianMs:0.0}), {t.ImagesPerSecond:0} images/s"));
                    if (!theirs.TryGetValue(channelsLast, out var b) || t.MeanMs < b.MeanMs) theirs[channelsLast] = t;
                }
        }
        finally
        {
            ImageLayout.Override = null;
        }
        var table = new Table().AddColumns("", "layout", "ms/step", "images/s");
        foreach (bool channelsLast in layouts)
        {
            table.AddRow("TorchSharp (nasonnx)", Name(channelsLast), F(ours[channelsLast].MeanMs), F(ours[channelsLast].ImagesPerSecond, "0"));
            if (theirs.TryGetValue(channelsLast, out var t)) table.AddRow(Markup.Escape($"PyTorch {torchVersion}"), Name(channelsLast), F(t.MeanMs), F(t.ImagesPerSecond, "0"));
        }
        console.Write(table);
        bool used = ImageLayout.ChannelsLast;
        var best = ours.TryGetValue(used, out var inForce) ? inForce : ours.Values.First();
        console.MarkupLine($"nasonnx train step ({Name(used)}, the layout training uses here): {F(best.MeanMs)} ms/step, {F(best.ImagesPerSecond, "0")} images/s, peak RSS {F(ProcessMemory.PeakRssMb(), "0")} MB");
        if (layouts.Length == 2)
            console.MarkupLine($"TorchSharp time per step channels-last/NCHW: {F(ours[true].MeanMs / ours[false].MeanMs, "0.00")}");
        foreach (bool channelsLast in layouts)
            if (theirs.TryGetValue(channelsLast, out var t))
                console.MarkupLine($"ratio TorchSharp/PyTorch time per step, {Name(channelsLast)}: {F(ours[channelsLast].MeanMs / t.MeanMs, "0.00")} ({(ours[channelsLast].MeanMs <= t.MeanMs ? "not slower" : "slower")} than PyTorch at {threads} thread(s))");
        return 0;
    }

    /// <summary>
    /// Default and safe rounds alternate (default first) so both see the same machine load; the best round of
    /// each counts. The configuration in force before (the self-check's choice) is restored afterwards.
    /// </summary>
    private int CompareNumerics(Settings s, int threads, Func<Measurement> timeSteps, CancellationToken cancellation)
    {
        NumericsComparison.RequireSwitch();
        var best = new Dictionary<NumericsConfiguration, Measurement>();
        var diverged = new Dictionary<NumericsConfiguration, int>();
        for (int round = 0; round < s.Rounds; round++)
            foreach (var c in NumericsComparison.Configurations)
            {
                cancellation.ThrowIfCancellationRequested();
                Measurement m;
                using (NumericsSelfCheck.With(c)) m = timeSteps();
                console.MarkupLine(Markup.Escape($"round {round + 1} {c.Name()}: {m.MeanMs:0.0} ms/step (median {m.MedianMs:0.0}), {m.ImagesPerSecond:0} images/s" +
                                                 (m.Diverged > 0 ? $"; {m.Diverged} of {s.Steps} steps had a non-finite loss or gradient" : "")));
                diverged[c] = diverged.GetValueOrDefault(c) + m.Diverged;
                if (!best.TryGetValue(c, out var b) || m.MeanMs < b.MeanMs) best[c] = m;
            }
        var table = new Table().AddColumns("numerics configuration", "ms/step", "images/s", "time vs default", "non-finite steps");
        var reference = best[NumericsConfiguration.Default];
        foreach (var c in NumericsComparison.Configurations)
            table.AddRow(c.Name(), F(best[c].MeanMs), F(best[c].ImagesPerSecond, "0"), F(best[c].MeanMs / reference.MeanMs, "0.00"),
                $"{diverged.GetValueOrDefault(c)} of {s.Rounds * s.Steps}");
        console.Write(table);
        console.MarkupLine(Markup.Escape($"train step time safe/default: {F(best[NumericsConfiguration.Safe].MeanMs / reference.MeanMs, "0.00")} (FixedCnn width {s.Width}, batch {s.Batch}, {threads} thread(s))"));
        console.MarkupLine(Markup.Escape($"in force in this process: {NumericsSelfCheck.Describe()}"));
        return 0;
    }

    /// <summary>The architecture file, re-targeted to the benchmark's input shape and classes.</summary>
    private static IArchitecture LoadArchitecture(Settings s)
    {
        if (!File.Exists(s.Arch)) throw new NasOnnxException($"architecture file not found: {s.Arch}", "pass a derive stage's architecture.json or a model's model.arch.json");
        if (JsonNode.Parse(File.ReadAllText(s.Arch!)) is not JsonObject obj)
            throw new NasOnnxException($"{s.Arch} is not a JSON object", "pass a derive stage's architecture.json or a model's model.arch.json");
        obj["input"] = new JsonObject { ["channels"] = s.Channels, ["height"] = s.Size, ["width"] = s.Size };
        obj["classes"] = s.Classes;
        return SpaceRegistry.Parse(obj.ToJsonString());
    }

    private static string F(double v, string format = "0.0") => v.ToString(format, CultureInfo.InvariantCulture);

    private static Measurement Summarize(List<double> ms, int batch)
    {
        double mean = ms.Average();
        var sorted = ms.Order().ToList();
        double median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        return new Measurement(mean, median, batch * 1000 / mean);
    }

    private static (Measurement, string Version) RunTorch(Settings s, string script, int threads, bool channelsLast)
    {
        var psi = new ProcessStartInfo(s.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, "--width", $"{s.Width}", "--batch", $"{s.Batch}", "--threads", $"{threads}", "--steps", $"{s.Steps}",
                     "--warmup", $"{s.Warmup}", "--channels", $"{s.Channels}", "--size", $"{s.Size}", "--classes", $"{s.Classes}" })
            psi.ArgumentList.Add(a);
        if (s.Arch is not null)
        {
            psi.ArgumentList.Add("--arch");
            psi.ArgumentList.Add(Path.GetFullPath(s.Arch));
        }
        if (channelsLast) psi.ArgumentList.Add("--channels-last");
        using var p = Process.Start(psi) ?? throw new NasOnnxException($"could not start {s.Python}");
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new NasOnnxException($"the PyTorch benchmark failed: {err.Result.Trim()}", $"check that {s.Python} -c 'import torch' works (apt-get install python3-torch)");
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        using var doc = JsonDocument.Parse(last);
        var r = doc.RootElement;
        return (new Measurement(r.GetProperty("ms_per_step").GetDouble(), r.GetProperty("median_ms").GetDouble(), r.GetProperty("images_per_s").GetDouble()),
            r.GetProperty("torch").GetString() ?? "");
    }

    private static string? FindScript()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "bench", "train_step_torch.py");
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}
