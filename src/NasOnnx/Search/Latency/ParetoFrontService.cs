using System.Globalization;
using NasOnnx.Core;
using NasOnnx.Onnx;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Spaces;
using NasOnnx.Architectures;
using NasOnnx.Plots;
using NasOnnx.Artifacts;

namespace NasOnnx.Search.Latency;

/// <summary>
/// objective: pareto, after the search loop. The front over the rung-0 trials (every architecture evaluated with the same
/// budget), pareto.csv, pareto.png, optionally front/&lt;arch_id&gt;.onnx, and the derived point: the most accurate
/// point under the target, or the most accurate without one, or the fastest when no front point meets the target.
/// </summary>
public sealed class ParetoFrontService(string outputDir, string stateDir, long seed, IRunLog log)
{
    public const string CsvFileName = "pareto.csv";
    public const string FrontFolder = "front";

    /// <summary>
    /// Writes the front's files and returns it in order of preference: the derived point first, then the rest under the
    /// target by accuracy, then the points over the target by latency.
    /// </summary>
    /// <param name="searchTitle">"&lt;strategy&gt; over &lt;space&gt;", the start of the plot's title.</param>
    public ParetoSelection Publish(IReadOnlyList<Trial> allTrials, LatencySettings latency, string searchTitle, Func<Trial, IArchitecture> architecture)
    {
        var trials = allTrials.Where(t => t.Rung == 0 && !t.Failed).ToList();
        var points = trials.Select(t => new ParetoPoint(Objectives.Get(t.Objectives, "accuracy"), Objectives.Get(t.Objectives, Objectives.LatencyMs))).ToList();
        var front = ParetoFront.Indices(points);
        double? limit = latency.HasTarget ? latency.TargetMs : null;
        int? pick = ParetoFront.MostAccurateUnder(points, front, limit);
        if (pick is null)
            log.Warn($"no architecture on the Pareto front meets latency_target {latency.TargetMs:0.###} ms: the fastest front point is derived");
        int chosen = pick ?? front[0];
        ParetoPlot.Write(Path.Combine(outputDir, ParetoPlot.FileName), points, front, chosen, limit,
            $"{searchTitle}: {front.Count} of {points.Count} architectures on the front");
        Csv.WriteTable(Path.Combine(outputDir, CsvFileName), ["trial", "arch_id", "accuracy", "latency_ms", "derived", "architecture"],
            front.Select(i => (IReadOnlyList<string>)
            [
                trials[i].Number.ToString(CultureInfo.InvariantCulture), trials[i].ArchId, Csv.Format(points[i].Accuracy), Csv.Format(points[i].LatencyMs),
                i == chosen ? "true" : "false", trials[i].Architecture,
            ]));
        string rule = limit is null ? "most accurate on the front" : $"most accurate on the front with latency_ms <= {limit:0.###}";
        if (latency.ExportFront) ExportFront(front.Select(i => trials[i]).ToList(), architecture);
        log.Info($"Pareto front: {front.Count} of {points.Count} architectures; derived {trials[chosen].ArchId} " +
                 $"(accuracy {points[chosen].Accuracy:0.0000}, {points[chosen].LatencyMs:0.000} ms)");
        List<Trial> preferred = [trials[chosen],
            .. front.Where(i => i != chosen && (limit is null || points[i].LatencyMs <= limit)).OrderByDescending(i => points[i].Accuracy).ThenBy(i => points[i].LatencyMs).Select(i => trials[i]),
            .. front.Where(i => i != chosen && limit is not null && points[i].LatencyMs > limit).OrderBy(i => points[i].LatencyMs).Select(i => trials[i])];
        return new ParetoSelection(preferred, front.Select(i => (trials[i], points[i])).ToList(), rule);
    }

    /// <summary>front/&lt;arch_id&gt;.onnx with the weights of the trial's own (short) training, or seeded random weights when none were kept.</summary>
    private void ExportFront(IReadOnlyList<Trial> front, Func<Trial, IArchitecture> architecture)
    {
        string dir = Path.Combine(outputDir, FrontFolder);
        Directory.CreateDirectory(dir);
        int trained = 0;
        foreach (var t in front)
        {
            var options = new ExportOptions
            {
                LatencyMs = t.Objectives.TryGetValue(Objectives.LatencyMs, out double ms) ? ms : null,
                Metadata = new Dictionary<string, string> { ["nasonnx.search_val_accuracy"] = Objectives.Get(t.Objectives, "accuracy").ToString("R", CultureInfo.InvariantCulture) },
            };
            string weights = StandAloneEvaluator.WeightsPath(stateDir, t.ArchId, t.Rung);
            string outPath = Path.Combine(dir, $"{t.ArchId}.onnx");
            if (File.Exists(weights)) { ArchitectureExporter.Export(architecture(t), weights, outPath, options); trained++; }
            else ArchitectureExporter.ExportRandom(architecture(t), (int)(seed & 0x7fffffff), outPath, options);
        }
        log.Info($"exported {front.Count} front architecture(s) to {dir} ({trained} with their trial weights, {front.Count - trained} with random weights)");
    }
}
