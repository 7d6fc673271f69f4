using NasOnnx.Cli.Commands;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Spaces;
using Spectre.Console.Cli;
using Spectre.Console.Testing;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Onnx;

public sealed class CliCommandTests(Xunit.Abstractions.ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nasonnx-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class NoRemaining : IRemainingArguments
    {
        public ILookup<string, string?> Parsed { get; } = Array.Empty<string>().ToLookup(s => s, s => (string?)s);
        public IReadOnlyList<string> Raw { get; } = [];
    }

    private static CommandContext Context(string name) => new([], new NoRemaining(), name, null);

    [Theory]
    [InlineData("darts")]
    [InlineData("nb201")]
    [InlineData("chain")]
    [InlineData("macro")]
    public void Sample_export_random_weights_and_inspect(string space)
    {
        OnnxTestKit.Init();
        var console = new TestConsole().Width(200);
        string arch = Path.Combine(_dir, $"{space}.json");
        var sample = new SampleCommand.Settings { Space = space, Seed = 3, Out = arch, Width = 4, Depth = 2, Resolution = 16, Channels = 3 };
        Assert.True(sample.Validate().Successful);
        Assert.Equal(0, new SampleCommand(console).Execute(Context("sample"), sample, CancellationToken.None));
        var parsed = SpaceRegistry.Load(arch);
        Assert.Equal(space, parsed.Space);
        Assert.Contains(parsed.ArchId, console.Output);

        string onnx = Path.Combine(_dir, $"{space}.onnx");
        var export = new ExportCommand.Settings { Arch = arch, RandomWeights = true, Seed = 1, Out = onnx, Dataset = "cifar10", Mean = "0.49,0.48,0.45", Std = "0.25,0.24,0.26", Threads = 1 };
        Assert.True(export.Validate().Successful);
        Assert.Equal(0, new ExportCommand(console).Execute(Context("export"), export, CancellationToken.None));
        Assert.True(File.Exists(onnx));
        Assert.Contains("ONNX Runtime check", console.Output);
        OnnxTestKit.Keep($"cli_{space}", File.ReadAllBytes(onnx));

        var inspectConsole = new TestConsole().Width(250);
        Assert.Equal(0, new InspectCommand(inspectConsole).Execute(Context("inspect"), new InspectCommand.Settings { Model = onnx }, CancellationToken.None));
        string text = inspectConsole.Output;
        log.WriteLine(console.Output);
        log.WriteLine(text);
        using var net = NetworkFactory.BuildRandom(parsed, 1);
        var (p, m) = NetworkStats.Measure(net);
        Assert.Contains("input: float[batch, 3, 16, 16]", text);
        Assert.Contains("logits: float[batch, 10]", text);
        Assert.Contains(p.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), text);
        Assert.Contains(m.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), text);
        Assert.Contains("Conv", text);
        Assert.Contains(OnnxExporter.Keys.Architecture, text);
        Assert.Contains("cifar10", text);

        var jsonConsole = new TestConsole();
        new InspectCommand(jsonConsole).Execute(Context("inspect"), new InspectCommand.Settings { Model = onnx, Json = true }, CancellationToken.None);
        Assert.Contains("\"macs\": " + m, jsonConsole.Output);
    }

    [Fact]
    public void Sample_text_takes_ops_and_poolings()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var console = new TestConsole().Width(200);
            var sample = new SampleCommand.Settings { Space = "text", Seed = seed, Vocabulary = 50, Length = 8, Width = 8, Ops = "conv_k3, attention", Poolings = "max" };
            Assert.True(sample.Validate().Successful);
            Assert.Equal(0, new SampleCommand(console).Execute(Context("sample"), sample, CancellationToken.None));
            var arch = Assert.IsType<NasOnnx.Spaces.Text.TextArchitecture>(SpaceRegistry.Parse(console.Output));
            Assert.All(arch.Layers, l => Assert.Contains(l.Op, new[] { "conv_k3", "attention" }));
            Assert.Equal(NasOnnx.Spaces.Text.TextPooling.Max, arch.Pooling);
        }
        var bad = new SampleCommand.Settings { Space = "text", Ops = "conv_k3,lstm" };
        Assert.Contains("Unknown op 'lstm'", Assert.Throws<NasOnnxException>(() => new SampleCommand(new TestConsole()).Execute(Context("sample"), bad, CancellationToken.None)).Message);
        var image = new SampleCommand.Settings { Space = "darts", Ops = "conv_k3" };
        Assert.Contains("given for images", Assert.Throws<NasOnnxException>(() => new SampleCommand(new TestConsole()).Execute(Context("sample"), image, CancellationToken.None)).Message);
    }

    [Fact]
    public void Export_with_trained_weights_and_a_mismatch()
    {
        OnnxTestKit.Init();
        var console = new TestConsole().Width(200);
        var options = new SpaceOptions(1, 8, 10, 4, 2);
        var arch = SpaceRegistry.Create("macro", options).Sample(new Random(1));
        using var net = NetworkFactory.BuildRandom(arch, 2);
        string weights = Path.Combine(_dir, "m.pt");
        NetworkWeights.Save(net, weights);
        string onnx = Path.Combine(_dir, "m.onnx");
        var ok = new ExportCommand.Settings { Arch = NetworkWeights.ArchitecturePathFor(weights), Weights = weights, Out = onnx, NoFold = true, Threads = 1 };
        Assert.Equal(0, new ExportCommand(console).Execute(Context("export"), ok, CancellationToken.None));
        Assert.Contains("kept", console.Output);

        var otherArch = SpaceRegistry.Create("macro", options).Sample(new Random(2));
        string otherPath = Path.Combine(_dir, "other.json");
        ((Architecture)otherArch).Save(otherPath);
        string bad = Path.Combine(_dir, "bad.onnx");
        var mismatch = new ExportCommand.Settings { Arch = otherPath, Weights = weights, Out = bad, Threads = 1 };
        var e = Assert.Throws<NasOnnxException>(() => new ExportCommand(console).Execute(Context("export"), mismatch, CancellationToken.None));
        Assert.Contains("do not match", e.Message);
        Assert.False(File.Exists(bad));
    }

    [Fact]
    public void Settings_validation_explains_what_is_missing()
    {
        Assert.False(new ExportCommand.Settings { Arch = "a.json", Out = "m.onnx" }.Validate().Successful);
        Assert.False(new ExportCommand.Settings { Arch = "a.json", Out = "m.onnx", Weights = "w.pt", RandomWeights = true }.Validate().Successful);
        Assert.False(new ExportCommand.Settings { Arch = "a.json", Out = "m.onnx", RandomWeights = true, Mean = "x" }.Validate().Successful);
        Assert.True(new ExportCommand.Settings { Arch = "a.json", Out = "m.onnx", RandomWeights = true }.Validate().Successful);
        Assert.False(new SampleCommand.Settings().Validate().Successful);
        Assert.Throws<NasOnnxException>(() => new SampleCommand(new TestConsole()).Execute(Context("sample"), new SampleCommand.Settings { Space = "nope" }, CancellationToken.None));
    }
}
