using System.Globalization;
using System.Text;
using NasOnnx.Data;

namespace NasOnnx.Reporting.Cards;

/// <summary>
/// model_card.md, generated from model_card.json and nothing else (the zoo tests regenerate it and compare), so the
/// human-readable card can never disagree with the machine-checkable one.
/// </summary>
public static class ModelCardMarkdown
{
    public const string GeneratedNote = "<!-- Generated from model_card.json by `nasonnx publish` / `nasonnx card`; edit the JSON, not this file. -->";

    public static string Render(ModelCard c)
    {
        var inv = CultureInfo.InvariantCulture;
        string N(long v) => v.ToString("N0", inv);
        string Ms(double? v) => v is double d ? d.ToString("0.00##", inv) + " ms" : "not measured";
        var md = new StringBuilder();
        md.Append(GeneratedNote).Append("\n\n# ").Append(c.Name).Append("\n\n");
        if (!string.IsNullOrWhiteSpace(c.Description)) md.Append(c.Description.Trim()).Append("\n\n");

        var rows = new List<(string, string)>();
        string dataset = DatasetCatalog.Names.Contains(c.Dataset) ? DatasetCatalog.Get(c.Dataset).DisplayName : c.Dataset;
        string norm = c.NormalizationMean is { } m && c.NormalizationStd is { } s
            ? $", normalization mean {string.Join(" ", m.Select(v => v.ToString("R", inv)))}, std {string.Join(" ", s.Select(v => v.ToString("R", inv)))}"
            : "";
        rows.Add(("dataset", $"{dataset} (`{c.Dataset}`){norm}"));
        if (c.VocabularySha256 is { } vocabHash)
            rows.Add(("input", $"token ids (int64 [batch, seq]); vocabulary `{c.VocabularyFile}` ({N(c.VocabularySize ?? 0)} ids, SHA-256 `{vocabHash}`, also in the ONNX metadata); " +
                $"trained at {c.SequenceLength?.ToString(inv) ?? "?"} tokens per text, latency per text at that length; `nasonnx predict model.onnx --text \"...\"` tokenizes with it"));
        if (c.ClassNames is { Count: > 0 } names)
            rows.Add(("classes", $"{names.Count}, in output order: {string.Join(", ", names)}"));
        rows.Add(("architecture", $"space `{c.Space}`, ArchId `{c.ArchId}` (`architecture.json`, also in the ONNX metadata)"));
        rows.Add(("parameters / MACs", $"{N(c.Params)} / {N(c.Macs)} (batch 1, as `nasonnx inspect model.onnx` counts them)"));
        rows.Add(("test accuracy", c.TestAccuracyOnnx is double acc
            ? $"**{ModelCard.Percent(acc)}** ({acc.ToString("0.0000", inv)}) on {N(c.TestImages ?? 0)} test {(c.VocabularySha256 is null ? "images" : "texts")}, measured with ONNX Runtime on `model.onnx`" +
              (c.EvaluationStage is null ? "" : $" (stage `{c.EvaluationStage}`)")
            : "not measured"));
        if (c.OnnxVsTorchMaxAbsDiff is double diff)
            rows.Add(("ONNX vs TorchSharp", $"max abs logit difference {diff.ToString("0.0e+0", inv)}"));
        rows.Add(("latency", c.LatencyP50Ms is null ? "not measured"
            : $"p50 **{Ms(c.LatencyP50Ms)}**, p90 {Ms(c.LatencyP90Ms)}; {c.Threads?.ToString(inv) ?? "?"} thread(s), batch {c.Batch?.ToString(inv) ?? "?"}"));
        if (c.Device is not null) rows.Add(("device", c.Device + (c.DeviceId is null ? "" : $" (fingerprint `{c.DeviceId}`)")));
        if (c.LatencySource is not null) rows.Add(("latency measured by", c.LatencySource));
        if (c.Numerics is not null) rows.Add(("trained under", $"libtorch numerics {c.Numerics}"));
        if (c.PredictedLatencyMs is double pred) rows.Add(("predicted latency", $"{Ms(pred)} (the run's profile-latency predictor)"));
        rows.Add(("file", $"`model.onnx`, {N(c.OnnxBytes)} bytes, opset {c.Opset.ToString(inv)}, SHA-256 `{c.OnnxSha256}`"));
        rows.Add(("reproduce", $"`{c.ReproduceCommand}`"));
        rows.Add(("lock", c.LockSha256 is null ? "unknown"
            : $"`pipeline.lock` SHA-256 `{c.LockSha256}`" +
              (c.ExportStage is null ? "" : $"; export stage `{c.ExportStage}` key `{c.ExportStageKey}`") +
              (c.CodeVersion is null ? "" : $"; code version `{c.CodeVersion}`")));

        md.Append("| | |\n|---|---|\n");
        foreach (var (k, v) in rows) md.Append("| ").Append(k).Append(" | ").Append(v.Replace("|", "\\|").Replace("\n", " ")).Append(" |\n");
        md.Append('\n');

        if (c.PerClassAccuracy is { Count: > 0 } perClass)
        {
            md.Append($"Per-class test accuracy (ONNX Runtime):\n\n| class | name | {(c.VocabularySha256 is null ? "images" : "texts")} | accuracy |\n|---|---|---|---|\n");
            foreach (var p in perClass)
                md.Append(CultureInfo.InvariantCulture, $"| {p.Class} | {p.Name.Replace("|", "\\|")} | {p.Images} | {ModelCard.Percent(p.Accuracy, 1)} |\n");
            md.Append('\n');
        }
        if (c.Notes.Count > 0)
        {
            md.Append("Notes:\n\n");
            foreach (var n in c.Notes) md.Append("* ").Append(n.Trim()).Append('\n');
            md.Append('\n');
        }
        md.Append("Input `input` [batch, C, H, W] normalized as above, output `logits` [batch, classes]; plain ONNX, any ONNX runtime runs it. ")
          .Append("`model_card.json` holds these facts for machines, `pipeline.lock` is the run's lock and `report.html` (when present) the run report.\n");
        return md.ToString();
    }
}
