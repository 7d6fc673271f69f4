using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Latency;
using NasOnnx.Pipeline;
using NasOnnx.Runtime;
using NasOnnx.Spaces;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Core;
using NasOnnx.Data;
using NasOnnx.Architectures;
using NasOnnx.Artifacts;

namespace NasOnnx.Tests.Behaviour;

/// <summary>
/// Pins what the search and derive stages write, byte for byte, so that a restructuring of the code can show that
/// behaviour did not change: the quickstart's search -> derive -> retrain -> export in miniature (evolution over the chain
/// space, accuracy-latency objective with the hard constraint) and one-shot searches over every supernet space
/// (GDAS on darts with the FBNet loss, PC-DARTS on darts, first-order DARTS on nb201 with the ProxylessNAS loss,
/// second-order DARTS and SPOS on chain), each with its derive stage.
///
/// Latency comes from a synthetic profile stage (a made-up, deterministic latency per op key of the space's latency
/// model), so the hashes also pin every space's latency breakdown and expected-latency mapping, without measuring.
///
/// The hashes hold for one CPU kind and numerics configuration: float32 training differs in the last bits between CPUs,
/// so on another machine the test is skipped, and saying so. Record them anew (only on a commit whose behaviour is
/// known good) with NASONNX_RECORD_GOLDENS=1; the file names the machine it was recorded on.
/// </summary>
[Collection(NasOnnx.Tests.Training.TorchCollection.Name)]
public class BehaviourGoldenTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string GoldenFile => Path.Combine(RepoRoot(), "tests", "NasOnnx.Tests", "Behaviour", "behaviour-goldens.json");

    private static bool Recording => Environment.GetEnvironmentVariable("NASONNX_RECORD_GOLDENS") == "1";

    [SkippableFact]
    public void Quickstart_search_and_derive_give_the_pinned_outputs() => Check("quickstart", QuickstartYaml, "q",
        ["search/search.json", "search/search_log.csv", "derive/architecture.json", "retrain/model.arch.json", "export/model.onnx"]);

    [SkippableFact]
    public void One_shot_searches_and_derives_give_the_pinned_outputs() => Check("one-shot", OneShotYaml, "os",
        [.. new[] { "gdas", "pc", "nb201", "darts2", "spos" }.SelectMany(s => new[]
        {
            $"search-{s}/search.json", $"search-{s}/search_log.csv", $"search-{s}/alphas.csv", $"derive-{s}/architecture.json",
        })]);

    private void Check(string name, string yaml, string pipelineName, string[] files)
    {
        TorchRuntime.Initialize(1);
        NumericsSelfCheck.Apply();
        string machine = Machine();
        var goldens = File.Exists(GoldenFile) ? JsonNode.Parse(File.ReadAllText(GoldenFile))!.AsObject() : new JsonObject();
        if (!Recording)
        {
            Skip.If(goldens[name] is null, $"no goldens recorded for '{name}' (record them with NASONNX_RECORD_GOLDENS=1)");
            string recordedOn = goldens[name]!["machine"]!.GetValue<string>();
            Skip.If(recordedOn != machine, $"goldens for '{name}' were recorded on machine {recordedOn}; this is {machine} (float32 training differs between CPUs)");
        }

        LearnableData.Write(_dir["data/tiny"], train: 400, test: 100);
        string file = _dir.Write($"pipeline/{pipelineName}.yaml", yaml);
        var registry = new StageRegistry([.. StageCatalog.All(), new SyntheticProfileStage()]);
        var result = new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));

        var hashes = new JsonObject();
        foreach (var f in files) hashes[f] = HashOf(_dir[$"runs/{pipelineName}/{f}"]);

        if (Recording)
        {
            goldens[name] = new JsonObject { ["machine"] = machine, ["files"] = hashes };
            File.WriteAllText(GoldenFile, goldens.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            return;
        }
        var pinned = goldens[name]!["files"]!.AsObject();
        var differing = files.Where(f => pinned[f]?.GetValue<string>() != hashes[f]!.GetValue<string>()).ToList();
        Assert.True(differing.Count == 0, $"outputs differ from the pinned ones: {string.Join(", ", differing)}");
    }

    /// <summary>The CPU kind (model, flags), libtorch version and numerics configuration: what the bytes depend on.</summary>
    private static string Machine() => $"{NumericsSelfCheck.Fingerprint()}-{NumericsSelfCheck.Status!.Configuration.ToString().ToLowerInvariant()}";

    /// <summary>SHA-256 of the file, with what honestly varies between runs taken out: wall-clock time.</summary>
    private static string HashOf(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        byte[] bytes = File.ReadAllBytes(path);
        if (path.EndsWith(".json", StringComparison.Ordinal))
        {
            var node = JsonNode.Parse(bytes)!;
            if (node is JsonObject o) o.Remove("seconds");
            bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
        }
        else if (path.EndsWith(".csv", StringComparison.Ordinal))
        {
            var lines = File.ReadAllLines(path);
            var header = lines[0].Split(',');
            var keep = Enumerable.Range(0, header.Length).Where(i => !IsTime(header[i])).ToArray();
            bytes = Encoding.UTF8.GetBytes(string.Join("\n", lines.Select(l =>
            {
                var cells = l.Split(',');
                return cells.Length == header.Length ? string.Join(",", keep.Select(i => cells[i])) : l;
            })));
        }
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Wall-clock columns: seconds, ms per step.</summary>
    private static bool IsTime(string column)
    {
        string c = column.ToLowerInvariant().Replace("_", "", StringComparison.Ordinal);
        return c.Contains("seconds", StringComparison.Ordinal) || c.Contains("msperstep", StringComparison.Ordinal) || c == "times";
    }

    private const string QuickstartYaml = """
        name: q
        seed: 42
        defaults: { threads: 1, latency_target: 0.9 }
        stages:
          - name: data
            kind: prepare-data
            params: { path: data/tiny, validation_fraction: 0.2 }
          - name: profile
            kind: synthetic-profile
            inputs: { data: data }
            params: { space: chain, width: 4, depth: 1 }
          - name: search
            kind: search
            inputs: { data: data, latency: profile }
            params: { space: chain, width: 4, depth: 1, strategy: evolution, trials: 6, population: 3, sample: 2,
                      objective: accuracy-latency, latency_constraint: hard, latency_margin: 0.9, final_candidates: 0,
                      trial_epochs: 1, trial_data_fraction: 0.5, trial_batch_size: 32, trial_lr: 0.1 }
          - name: derive
            kind: derive
            inputs: { search: search }
          - name: retrain
            kind: retrain
            inputs: { data: data, arch: derive }
            params: { epochs: 1, batch_size: 32, lr: 0.1, weight_decay: 0.0005 }
          - name: export
            kind: export
            inputs: { model: retrain, data: data }
        """;

    private const string OneShotYaml = """
        name: os
        seed: 42
        defaults: { threads: 1 }
        stages:
          - name: data
            kind: prepare-data
            params: { path: data/tiny, validation_fraction: 0.2 }
          - name: lat-darts
            kind: synthetic-profile
            inputs: { data: data }
            params: { space: darts, width: 4, depth: 3 }
          - name: lat-nb201
            kind: synthetic-profile
            inputs: { data: data }
            params: { space: nb201, width: 4, depth: 1 }
          - name: lat-chain
            kind: synthetic-profile
            inputs: { data: data }
            params: { space: chain, width: 4, depth: 1 }
          - name: search-gdas
            kind: search
            inputs: { data: data, latency: lat-darts }
            params: { space: darts, strategy: gdas, width: 4, depth: 3, supernet_epochs: 2, supernet_batch_size: 32,
                      supernet_data_fraction: 0.5, latency_loss: fbnet }
          - name: derive-gdas
            kind: derive
            inputs: { search: search-gdas }
            params: { max_skip: 2 }
          - name: search-pc
            kind: search
            inputs: { data: data }
            params: { space: darts, strategy: pc, width: 4, depth: 3, supernet_epochs: 1, supernet_batch_size: 32,
                      supernet_data_fraction: 0.5 }
          - name: derive-pc
            kind: derive
            inputs: { search: search-pc }
          - name: search-nb201
            kind: search
            inputs: { data: data, latency: lat-nb201 }
            params: { space: nb201, strategy: darts, width: 4, depth: 1, supernet_epochs: 2, supernet_batch_size: 32,
                      supernet_data_fraction: 0.5, latency_loss: proxyless, latency_weight: 1.0 }
          - name: derive-nb201
            kind: derive
            inputs: { search: search-nb201 }
            params: { max_skip: 1 }
          - name: search-darts2
            kind: search
            inputs: { data: data, latency: lat-chain }
            params: { space: chain, strategy: darts2, width: 4, depth: 1, supernet_epochs: 1, supernet_batch_size: 32,
                      supernet_data_fraction: 0.5, latency_loss: proxyless }
          - name: derive-darts2
            kind: derive
            inputs: { search: search-darts2 }
          - name: search-spos
            kind: search
            inputs: { data: data, latency: lat-chain }
            params: { space: chain, strategy: spos, width: 4, depth: 1, supernet_epochs: 2, supernet_batch_size: 32,
                      supernet_data_fraction: 0.5, latency_target: 0.9 }
          - name: derive-spos
            kind: derive
            inputs: { search: search-spos }
        """;

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NasOnnx.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}

/// <summary>
/// A profile-latency stage without measuring: every op the space's latency model lists gets a made-up latency that
/// depends only on its key, and a fixed calibration (<see cref="NasOnnx.Tests.Search.OneShot.LatencyLossTests.SyntheticPredictor"/>). Deterministic, so search outputs that depend on latency can be pinned.
/// </summary>
public sealed class SyntheticProfileStage : IStage
{
    private static readonly DeviceFingerprint Fp = new("synthetic cpu", 2, 1, "1.31.0", "cpu", 1, 17, "ORT_ENABLE_ALL");

    public string Kind => "synthetic-profile";
    public string Description => "made-up latency table for a space (tests)";
    public int Version => 1;
    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Str("space", "chain", "the space"),
        ParamSpec.Int("width", 0, "width"),
        ParamSpec.Int("depth", 0, "depth"),
    ];
    public IReadOnlyList<InputSpec> Inputs { get; } = [new("data", "a prepare-data stage")];

    public void Run(StageContext context)
    {
        var data = PreparedDataset.Load(context.Input("data"));
        int? Opt(string name) => context.Int(name) > 0 ? (int)context.Int(name) : null;
        var options = new SpaceOptions(data.Channels, data.Height, data.ClassNames.Count, Opt("width"), Opt("depth"));
        var space = SpaceRegistry.Create(context.RequiredString("space"), options);
        NasOnnx.Tests.Search.OneShot.LatencyLossTests.SyntheticPredictor(space, fingerprint: Fp).Save(context.OutputDir, options);
    }
}
