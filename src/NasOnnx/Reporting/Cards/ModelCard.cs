using NasOnnx.Artifacts;
using System.Text.Json;
using System.Text.Json.Serialization;
using NasOnnx.Core;

namespace NasOnnx.Reporting.Cards;

/// <summary>
/// model_card.json: the machine-checkable facts of a published model (models/&lt;name&gt;/). It is the one source of
/// truth: model_card.md is generated from it (<see cref="ModelCardMarkdown"/>) and the model-zoo tests check every
/// field against the ONNX file, its metadata and the dataset. Nullable fields are unknown for a run that lacked the
/// stage that measures them (the report shows what is there; `nasonnx publish` refuses to publish without them).
/// </summary>
public sealed record ModelCard
{
    public const string JsonFile = "model_card.json";
    public const string MarkdownFile = "model_card.md";
    public const string ArchitectureFile = "architecture.json";
    public const string LockCopyFile = "pipeline.lock";
    public const string ReportFile = "report.html";

    public int Format { get; init; } = 1;
    public required string Name { get; init; }
    /// <summary>A paragraph for humans: what the model is and how it was made.</summary>
    public string? Description { get; init; }

    // ---- data ----
    /// <summary>Dataset name as `prepare-data` knows it (e.g. fashion-mnist).</summary>
    public required string Dataset { get; init; }
    public IReadOnlyList<float>? NormalizationMean { get; init; }
    public IReadOnlyList<float>? NormalizationStd { get; init; }
    /// <summary>Text models: the vocabulary file published beside the model (vocab.json), its SHA-256 (also in the model's
    /// metadata), its size and the sequence length the model was trained and its latency measured at.</summary>
    public string? VocabularyFile { get; init; }
    public string? VocabularySha256 { get; init; }
    public int? VocabularySize { get; init; }
    public int? SequenceLength { get; init; }

    // ---- accuracy, measured with ONNX Runtime on model.onnx ----
    public double? TestAccuracyOnnx { get; init; }
    public long? TestImages { get; init; }
    /// <summary>The evaluate stage (model: the export stage, split: test) the accuracy comes from.</summary>
    public string? EvaluationStage { get; init; }
    public IReadOnlyList<ClassAccuracy>? PerClassAccuracy { get; init; }
    /// <summary>The class names in label order (the model's output order): from the ONNX metadata, else the evaluation.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    // ---- latency, measured with ONNX Runtime ----
    public double? LatencyP50Ms { get; init; }
    public double? LatencyP90Ms { get; init; }
    /// <summary>The device fingerprint in words (CPU, cores, threads, ORT version and EP, batch, opset, optimization, clock).</summary>
    public string? Device { get; init; }
    /// <summary>DeviceFingerprint.Id: equal ids mean comparable latencies.</summary>
    public string? DeviceId { get; init; }
    public int? Threads { get; init; }
    /// <summary>The libtorch numerics configuration (Runtime/NumericsSelfCheck) the run's training stages ran under.</summary>
    public string? Numerics { get; init; }
    public int? Batch { get; init; }
    /// <summary>Where the latency numbers come from (a benchmark stage, or a command run by hand).</summary>
    public string? LatencySource { get; init; }
    /// <summary>What the run's profile-latency predictor predicted for this architecture, when the run had one.</summary>
    public double? PredictedLatencyMs { get; init; }

    // ---- reproduction ----
    /// <summary>The pipeline file, relative to the project root.</summary>
    public required string Pipeline { get; init; }
    /// <summary>The `--set` overrides the run used (empty: the pipeline file as it is).</summary>
    public IReadOnlyList<string> Sets { get; init; } = [];
    /// <summary>SHA-256 of the bytes of runs/&lt;pipeline&gt;/pipeline.lock when the model was published (a copy is published beside the card).</summary>
    public string? LockSha256 { get; init; }
    public string? ExportStage { get; init; }
    /// <summary>The export stage's key in that lock: hash of its kind, code version, seed, params and inputs.</summary>
    public string? ExportStageKey { get; init; }
    /// <summary>NasOnnx library build that produced the export (the third part of the lock's `code`).</summary>
    public string? CodeVersion { get; init; }

    // ---- the model ----
    public required string ArchId { get; init; }
    public required string Space { get; init; }
    /// <summary>Parameters as trained (what `nasonnx inspect` reports; BatchNorm folding does not change it).</summary>
    public required long Params { get; init; }
    /// <summary>Multiply-accumulates of Conv and Gemm at batch 1 (what `nasonnx inspect` reports).</summary>
    public required long Macs { get; init; }
    public required string OnnxSha256 { get; init; }
    public long OnnxBytes { get; init; }
    public long Opset { get; init; }
    /// <summary>Largest |logit difference| between ONNX Runtime and TorchSharp that the export stage measured.</summary>
    public double? OnnxVsTorchMaxAbsDiff { get; init; }

    /// <summary>Anything a reader should know that the fields do not say (how a number was obtained, what is missing).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // NaN/Infinity (a diverged trial's loss, say) are written as named literals instead of throwing.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // The card is read by people too: keep ` < > & ' as they are (no HTML embedding happens).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>0.8864 -> "88.64%" (no culture-dependent space before the sign).</summary>
    public static string Percent(double fraction, int decimals = 2) =>
        (fraction * 100).ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture) + "%";

    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    public void Save(string dir)
    {
        AtomicWrite.Text(Path.Combine(dir, JsonFile), ToJson());
        AtomicWrite.Text(Path.Combine(dir, MarkdownFile), ModelCardMarkdown.Render(this));
    }

    public static ModelCard Load(string path)
    {
        if (!File.Exists(path))
            throw new NasOnnxException($"{JsonFile} is missing", "publish the model with `nasonnx publish`") { FilePath = path };
        try
        {
            return JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(path), Json) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw new NasOnnxException($"{JsonFile} is not a valid model card ({e.Message})", "fix the JSON, or publish the model again with `nasonnx publish`") { FilePath = path };
        }
    }

    /// <summary>The command that reproduces the run (from the project root).</summary>
    [JsonIgnore]
    public string ReproduceCommand => ReproduceCommandFor(Pipeline, Sets);

    public static string ReproduceCommandFor(string pipeline, IEnumerable<string> sets) =>
        "nasonnx run " + pipeline + string.Concat(sets.Select(s => " --set " + (s.Any(char.IsWhiteSpace) || s.Contains('"') ? "\"" + s.Replace("\"", "\\\"") + "\"" : s)));
}
