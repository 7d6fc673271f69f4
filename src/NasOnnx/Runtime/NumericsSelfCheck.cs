using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NasOnnx.Core;

namespace NasOnnx.Runtime;

/// <summary>
/// Before anything trains, checks that libtorch's float32 CPU kernels compute what a float64 reference computes
/// on this machine, for the ops the search spaces use (convolutions: plain, depthwise, dilated, strided, 1x1 and
/// 5x5, with channel counts that are and are not multiples of the SIMD block; pooling; batch norm; linear;
/// forward and backward, batch of 4, each repeated). If the default configuration (ATen routes convolutions to
/// oneDNN) fails, the process switches to the safe one (oneDNN off) and checks that too.
///
/// Why not keep oneDNN for the shapes it gets right? Tried: zero-padding the output channels of the convolutions
/// whose backward was seen wrong fixed those, and then forward passes with 24 input channels turned out wrong too.
/// A rule fitted to the shapes probed so far would trust oneDNN on shapes nobody probed; oneDNN off is exact for all.
///
/// Why: on AMD EPYC family 26 (Zen 5) with libtorch 2.10 / oneDNN 3.7.1 oneDNN's convolution kernels give wrong
/// input gradients and some wrong forward outputs (errors the size of the values themselves, and NaN when the
/// memory they wrongly read holds NaN), so training diverged at random without a word. The float64 path never uses
/// oneDNN, which makes it the reference. The result is cached per CPU (model and flags), libtorch version and
/// check version, so only the first process on a machine pays for it.
/// </summary>
public static class NumericsSelfCheck
{
    /// <summary>Bump when the probes change, so cached verdicts of the old probes are not trusted.</summary>
    private const int CheckVersion = 4;
    private const int Repeats = 3;

    private static readonly object Gate = new();
    private static NumericsStatus? _status;

    /// <summary>What is in force in this process (null until <see cref="Apply"/> ran).</summary>
    public static NumericsStatus? Status => _status;

    /// <summary>The configuration in force in one line, for the lock, the model card and `doctor`.</summary>
    public static string Describe() => _status?.ToString() ?? "not checked";

    /// <summary>Reads NASONNX_NUMERICS (auto | default | safe) and puts the chosen configuration in force, once per process.</summary>
    public static NumericsStatus Apply()
    {
        lock (Gate)
        {
            if (_status is not null) return _status;
            var mode = ParseMode(Environment.GetEnvironmentVariable("NASONNX_NUMERICS"));
            _status = mode switch
            {
                NumericsMode.Default => Force(NumericsConfiguration.Default, "forced by NASONNX_NUMERICS=default; self-check not run"),
                NumericsMode.Safe => Force(NumericsConfiguration.Safe, "forced by NASONNX_NUMERICS=safe; self-check not run"),
                _ => Auto(),
            };
            return _status;
        }
    }

    public static NumericsMode ParseMode(string? value) => (value ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "auto" => NumericsMode.Auto,
        "default" => NumericsMode.Default,
        "safe" => NumericsMode.Safe,
        _ => throw new NasOnnxException($"NASONNX_NUMERICS is '{value}', which is not a numerics mode",
            "Set NASONNX_NUMERICS to auto (check this machine once, switch to the safe configuration if needed), default (oneDNN on) or safe (oneDNN off), or unset it."),
    };

    /// <summary>Puts <paramref name="configuration"/> in force (the oneDNN switch).</summary>
    public static void Use(NumericsConfiguration configuration) => LibTorchSwitches.OneDnnEnabled = configuration != NumericsConfiguration.Safe;

    /// <summary>Benchmarks and tests: <paramref name="configuration"/> until the returned scope is disposed, then what was in force before.</summary>
    public static IDisposable With(NumericsConfiguration configuration)
    {
        bool onednn = LibTorchSwitches.OneDnnEnabled;
        Use(configuration);
        return new Restore(() => LibTorchSwitches.OneDnnEnabled = onednn);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    private static NumericsStatus Force(NumericsConfiguration configuration, string why)
    {
        Use(configuration);
        var mode = configuration == NumericsConfiguration.Default ? NumericsMode.Default : NumericsMode.Safe;
        return new NumericsStatus(mode, configuration, why, FromCache: false, Seconds: 0);
    }

    private static NumericsStatus Auto()
    {
        string key = Fingerprint();
        string? cacheFile = CacheFile(key);
        if (cacheFile is not null && TryReadCache(cacheFile, out var cached))
        {
            Use(cached.Configuration);
            return cached with { FromCache = true };
        }
        var clock = Stopwatch.StartNew();
        Use(NumericsConfiguration.Default);
        string? failure = Run();
        NumericsStatus status;
        if (failure is null)
            status = new NumericsStatus(NumericsMode.Auto, NumericsConfiguration.Default, "self-check passed with oneDNN", false, clock.Elapsed.TotalSeconds);
        else
        {
            Use(NumericsConfiguration.Safe);
            string? safeFailure = Run();
            string detail = safeFailure is null
                ? $"self-check failed with oneDNN ({failure}); the safe configuration passed"
                : $"self-check failed with oneDNN ({failure}) AND without it ({safeFailure}): results of this machine are not trustworthy";
            status = new NumericsStatus(NumericsMode.Auto, NumericsConfiguration.Safe, detail, false, clock.Elapsed.TotalSeconds);
            // Said once per machine: later processes read the verdict from the cache, and doctor, the lock and the
            // model card show it.
            Console.Error.WriteLine($"nasonnx: numerics: {detail}. Using the safe configuration (oneDNN off) from now on; " +
                "NASONNX_NUMERICS=default|safe forces a configuration, `nasonnx doctor` shows it.");
        }
        if (cacheFile is not null) TryWriteCache(cacheFile, status);
        return status;
    }

    /// <summary>Runs every probe <see cref="Repeats"/> times; returns null when all match the float64 reference, else what differed.</summary>
    public static string? Run()
    {
        foreach (var probe in Probes())
            for (int r = 0; r < Repeats; r++)
            {
                string? failure = probe.Check(r);
                if (failure is not null) return failure;
            }
        return null;
    }

    /// <summary>
    /// `nasonnx bench numerics`: every probe under the configuration in force, its worst error over <paramref name="repeats"/>
    /// runs relative to the tolerance (1 = at the limit; above 1 fails the self-check; NaN or infinity when the result was not finite).
    /// </summary>
    public static IReadOnlyList<ProbeError> Measure(int repeats = Repeats) =>
        Probes().Select(p =>
        {
            var worst = Enumerable.Range(0, repeats).Select(p.Errors).Aggregate((a, b) => (Worse(a.Output, b.Output), Worse(a.Input, b.Input), Worse(a.Weight, b.Weight)));
            return new ProbeError(p.Name, p.Input, worst.Output, worst.Input, worst.Weight);
        }).ToList();

    private static double Worse(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    /// <param name="ChannelsLast">The float32 input is channels-last, as training batches are (<see cref="ImageLayout"/>),
    /// so the probe reaches the NHWC kernels training uses.</param>
    private sealed record Probe(string Name, long[] Input, long[] Weight, Func<Tensor, Tensor, Tensor> Op, bool ChannelsLast = false)
    {
        /// <summary>Output, input-gradient and weight-gradient error, each relative to its tolerance.</summary>
        public (double Output, double Input, double Weight) Errors(int repeat)
        {
            using var scope = torch.NewDisposeScope();
            var (y, y64, x, x64, w, w64) = Compute(repeat);
            return (Relative(y, y64), Relative(x.grad!, x64.grad!), Relative(w.grad!, w64.grad!));
        }

        private static double Relative(Tensor actual, Tensor reference)
        {
            var (error, scale) = Difference(actual, reference);
            return error / Tolerance(scale);
        }

        /// <summary>Largest absolute error against the float64 reference, and the reference's largest magnitude.</summary>
        private static (double Error, double Scale) Difference(Tensor actual, Tensor reference) =>
            ((actual.to_type(ScalarType.Float64) - reference).abs().max().item<double>(), reference.abs().max().item<double>());

        // float32 sums of a few hundred O(1) terms stay within ~1e-5 relative; the faults seen are O(1) or NaN.
        private static double Tolerance(double scale) => 1e-3 * (1 + scale);

        /// <summary>Forward and backward in float32 against the same in float64; data from a seeded System.Random so libtorch's generator is untouched.</summary>
        private (Tensor Y, Tensor Y64, Tensor X, Tensor X64, Tensor W, Tensor W64) Compute(int repeat)
        {
            var rng = new Random(1000 * Name.Length + repeat);
            var x64 = Random(rng, Input).requires_grad_();
            var w64 = Random(rng, Weight).requires_grad_();
            var y64 = Op(x64, w64);
            var g64 = Random(rng, y64.shape);
            (y64 * g64).sum().backward();

            var x = x64.detach().to_type(ScalarType.Float32);
            if (ChannelsLast) x = ImageLayout.ToChannelsLast(x);
            x.requires_grad_();
            var w = w64.detach().to_type(ScalarType.Float32).requires_grad_();
            var y = Op(x, w);
            (y * g64.to_type(ScalarType.Float32)).sum().backward();
            return (y, y64, x, x64, w, w64);
        }

        public string? Check(int repeat)
        {
            using var scope = torch.NewDisposeScope();
            var (y, y64, x, x64, w, w64) = Compute(repeat);
            return Compare("output", y, y64) ?? Compare("input gradient", x.grad!, x64.grad!) ?? Compare("weight gradient", w.grad!, w64.grad!);
        }

        private string? Compare(string what, Tensor actual, Tensor reference)
        {
            var (error, scale) = Difference(actual, reference);
            if (double.IsFinite(error) && error <= Tolerance(scale)) return null;
            return $"{Name}: {what} off by {error.ToString("g3", CultureInfo.InvariantCulture)} (values up to {scale.ToString("g3", CultureInfo.InvariantCulture)})";
        }

        private static Tensor Random(Random rng, long[] shape)
        {
            long n = shape.Aggregate(1L, (a, b) => a * b);
            var data = new double[n];
            for (long i = 0; i < n; i++) data[i] = rng.NextDouble() * 2 - 1;
            return torch.tensor(data, shape, ScalarType.Float64);
        }
    }

    private static IEnumerable<Probe> Probes()
    {
        static Probe Conv(long cin, long cout, long k, long stride = 1, long dilation = 1, long groups = 1, long size = 10) =>
            new($"conv{k}x{k} {cin}->{cout}{(stride > 1 ? $" stride {stride}" : "")}{(dilation > 1 ? $" dilation {dilation}" : "")}{(groups > 1 ? $" groups {groups}" : "")}",
                [4, cin, size, size], [cout, cin / groups, k, k],
                (x, w) => nn.functional.conv2d(x, w, strides: [stride, stride], padding: [dilation * (k - 1) / 2, dilation * (k - 1) / 2],
                    dilation: [dilation, dilation], groups: groups));
        Probe[] convs =
        [
            Conv(4, 12, 3),   // first: the probe that fails fastest on Zen 5 (a wrong input gradient)
            Conv(8, 24, 3),
            Conv(16, 16, 3),
            Conv(12, 32, 3),
            Conv(24, 32, 3),   // more input channels than one block, not a whole number of blocks: wrong forward
            Conv(24, 48, 3, stride: 2),
            Conv(6, 10, 5),
            Conv(12, 20, 1),
            Conv(1, 8, 3, stride: 2),
            Conv(8, 16, 3, stride: 2),
            Conv(1, 16, 3, stride: 2),   // a stem on one-channel images, channels a whole block
            Conv(1, 48, 3),
            Conv(8, 12, 3, dilation: 2),
            Conv(12, 12, 3, groups: 12),
            Conv(24, 24, 5, groups: 24),
        ];
        foreach (var probe in convs) yield return probe;
        // The same convolutions on channels-last inputs: oneDNN's NHWC kernels are other code than its NCHW ones.
        foreach (var probe in convs) yield return probe with { Name = probe.Name + " channels-last", ChannelsLast = true };
        yield return new Probe("max pool 3x3", [4, 8, 10, 10], [1],
            (x, w) => nn.functional.max_pool2d(x, [3, 3], [1, 1], [1, 1]) * w.sum());
        yield return new Probe("avg pool 3x3 stride 2", [4, 8, 10, 10], [1],
            (x, w) => nn.functional.avg_pool2d(x, [3, 3], [2, 2], [1, 1], count_include_pad: false) * w.sum());
        yield return new Probe("batch norm", [4, 12, 6, 6], [12],
            (x, w) => nn.functional.batch_norm(x, torch.zeros(12, dtype: x.dtype), torch.ones(12, dtype: x.dtype), w, null, training: true));
        yield return new Probe("linear 40->10", [8, 40], [10, 40], (x, w) => nn.functional.linear(x, w));
    }

    /// <summary>The CPU (model, family, flags), libtorch version and check version: what decides whether a verdict still holds.</summary>
    public static string Fingerprint()
    {
        var sb = new StringBuilder();
        sb.Append("check ").Append(CheckVersion).Append('\n');
        sb.Append("libtorch ").Append(torch.__version__).Append('\n');
        sb.Append(RuntimeInformationText()).Append('\n');
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.Length == 0) break; // the first processor is enough
                if (line.StartsWith("vendor_id", StringComparison.Ordinal) || line.StartsWith("cpu family", StringComparison.Ordinal)
                    || line.StartsWith("model", StringComparison.Ordinal) || line.StartsWith("flags", StringComparison.Ordinal)
                    || line.StartsWith("stepping", StringComparison.Ordinal))
                    sb.Append(line).Append('\n');
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    private static string RuntimeInformationText() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.OSArchitecture} {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}";

    /// <summary>NASONNX_CACHE_DIR, else $XDG_CACHE_HOME/nasonnx, else ~/.cache/nasonnx; null when none can be had.</summary>
    public static string? CacheDirectory()
    {
        string? dir = Environment.GetEnvironmentVariable("NASONNX_CACHE_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            dir = !string.IsNullOrEmpty(xdg) ? Path.Combine(xdg, "nasonnx")
                : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache", "nasonnx") : null;
        }
        return dir;
    }

    private static string? CacheFile(string key)
    {
        string? dir = CacheDirectory();
        return dir is null ? null : Path.Combine(dir, "numerics", key + ".json");
    }

    private static bool TryReadCache(string file, out NumericsStatus status)
    {
        status = null!;
        try
        {
            if (!File.Exists(file)) return false;
            var s = JsonSerializer.Deserialize<NumericsStatus>(File.ReadAllText(file), PlainJson.Options);
            if (s is null) return false;
            status = s;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return false; }
    }

    private static void TryWriteCache(string file, NumericsStatus status)
    {
        // A cache that cannot be written only costs the check again next time.
        string temp = $"{file}.{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(temp, JsonSerializer.Serialize(status, PlainJson.Options));
            File.Move(temp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
        }
    }
}
