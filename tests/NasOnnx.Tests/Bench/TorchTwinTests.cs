using System.Diagnostics;
using System.Text.Json;
using NasOnnx.Architectures;
using NasOnnx.Spaces;

namespace NasOnnx.Tests.Bench;

/// <summary>
/// `nasonnx bench train --compare-torch` times our training step against a PyTorch twin of the same network
/// (tests/bench/train_step_torch.py). The ratio means something only if the twin is the same network: here it must count
/// exactly the parameters our network counts, for the best-fashion baselines and for random chain and macro architectures
/// (pooling layers, projected and identity skips, both downsamplings). Needs /usr/bin/python3 with torch (Debian's
/// python3-torch); skipped where it is missing, as on CI.
/// </summary>
public class TorchTwinTests
{
    private const string Python = "/usr/bin/python3";

    private static string Script => Path.Combine(ModelZooTests.RepoRoot, "tests", "bench", "train_step_torch.py");

    private static bool TorchAvailable()
    {
        if (!File.Exists(Python)) return false;
        var (code, _, _) = RunPython("-c", "import torch");
        return code == 0;
    }

    private static (int Code, string Out, string Err) RunPython(params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    private static long TwinParameters(string archFile)
    {
        var (code, output, err) = RunPython(Script, "--arch", archFile, "--print-params");
        Assert.True(code == 0, $"the twin failed on {archFile}: {err}");
        using var doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        return doc.RootElement.GetProperty("parameters").GetInt64();
    }

    public static IEnumerable<IArchitecture> Architectures()
    {
        foreach (var f in new[] { "fashion-resnet.json", "fashion-cnn-wide.json", "fashion-mobilenetv2.json" })
            yield return SpaceRegistry.Load(Path.Combine(ModelZooTests.RepoRoot, "pipeline", "archs", f));
        var macro = SpaceRegistry.Create("macro", new SpaceOptions(Width: 24, Depth: 12));
        var chain = SpaceRegistry.Create("chain", new SpaceOptions(Width: 16, Depth: 2));
        for (int seed = 0; seed < 8; seed++) yield return macro.Sample(new Random(seed));
        for (int seed = 0; seed < 3; seed++) yield return chain.Sample(new Random(seed));
    }

    [SkippableFact]
    public void The_pytorch_twin_counts_the_parameters_our_network_counts()
    {
        Skip.IfNot(TorchAvailable(), $"{Python} with torch is not installed (apt-get install python3-torch)");
        using var dir = new TempDir();
        int i = 0;
        foreach (var arch in Architectures())
        {
            string file = Path.Combine(dir.Path, $"arch{i++}.json");
            File.WriteAllText(file, arch.ToJson());
            using var network = NetworkFactory.Build(arch, seed: 0);
            long ours = network.ParameterCount(), twin = TwinParameters(file);
            Assert.True(ours == twin, $"{arch.Space} {arch.ArchId}: ours {ours}, twin {twin}");
        }
    }
}
