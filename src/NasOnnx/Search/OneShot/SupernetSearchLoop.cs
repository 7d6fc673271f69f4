using System.Diagnostics;
using System.Text.Json;
using NasOnnx.Core;
using NasOnnx.Data;
using NasOnnx.Reporting;
using NasOnnx.Supernets;
using NasOnnx.Training;
using NasOnnx.Spaces;
using NasOnnx.Plots;
using NasOnnx.Runtime;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// What every one-shot algorithm shares: the weight/architecture split of the training images, the supernet, the
/// epoch loop (architecture step, then weight step, on a cosine weight schedule), the checkpoint after every epoch and
/// the resume from it, search_log.csv, alphas.csv and alphas.svg, the latency term and search.json's outcome with the
/// derived architecture. <see cref="OneShotAlgorithm"/> says what differs.
/// </summary>
public sealed class SupernetSearchLoop(OneShotAlgorithm algorithm, SearchContext context, OneShotSettings settings)
{
    public SearchOutcome Run()
    {
        var s = settings;
        string name = algorithm.Name;
        var log = context.Log;
        var data = context.Data.Value;
        int seed = (int)(context.Seed & 0x7fffffff);
        using var net = SupernetFactory.Build(context.Space, s.PartialK, seed);
        net.Mode = algorithm.Mode;
        using var trainer = new SupernetTrainer(net, s);
        var (expected, latencyLoss) = LatencyTerm(net);
        if (latencyLoss is not null) trainer.ArchLoss = ce => latencyLoss.Apply(ce, net.Arch);

        var (weightIdx, archIdx) = Split(data.TrainIndices, s.DataFraction, seed);
        var options = new BatchLoaderOptions { BatchSize = s.BatchSize, Shuffle = true, Seed = seed, DropLast = true, Normalization = data.Info.Normalization };
        using var weightLoader = new BatchLoader(data.TrainImages, weightIdx, options);
        using var archLoader = new BatchLoader(data.TrainImages, archIdx, options with { Seed = seed + 1 });
        int steps = Math.Min(weightLoader.BatchesPerEpoch, archLoader.BatchesPerEpoch);
        if (steps == 0)
            throw context.Params.Error($"each half of the search data ({weightIdx.Length} and {archIdx.Length} images) is smaller than one batch ({s.BatchSize})",
                "lower supernet_batch_size or raise supernet_data_fraction", context.Params.PipelineFile);
        var schedule = new CosineSchedule(s.WeightLr, s.WeightLrMin, (long)steps * s.Epochs);

        var progress = OneShotCheckpoint.Load(context.StateDir, name, context.SpaceName, net, trainer)
            ?? new OneShotProgress { Strategy = name, Space = context.SpaceName };
        if (progress.EpochsDone > 0) log.Info($"{name}: resuming after epoch {progress.EpochsDone} of {s.Epochs}");
        log.Info($"{name} over {context.SpaceName}: {net.parameters().Sum(p => p.numel()):N0} supernet weights, {net.Arch.All.Sum(p => p.numel())} architecture parameters, " +
                 $"{steps} steps per epoch ({weightIdx.Length} weight / {archIdx.Length} architecture images)");

        Tensor Images(Batch b) => BatchInput.Of(b);
        for (int epoch = progress.EpochsDone; epoch < s.Epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            net.Noise = new Generator((ulong)(seed * 7919L + epoch + 1));
            var pathRng = new Random(unchecked(seed * 31 + epoch));
            net.Tau = s.Epochs == 1 ? s.TauMax : s.TauMax - (s.TauMax - s.TauMin) * epoch / (s.Epochs - 1);
            bool archSteps = algorithm.HasArchitectureStep && epoch >= s.ArchWarmupEpochs;
            double trainLoss = 0, archLoss = 0;
            long trainCorrect = 0, archCorrect = 0, seen = 0, archSeen = 0;
            long step = (long)epoch * steps;
            using (var bar = log.Progress($"{name} epoch {epoch + 1}/{s.Epochs}", steps))
            using (var wEnum = weightLoader.Epoch(epoch).GetEnumerator())
            using (var aEnum = archLoader.Epoch(epoch).GetEnumerator())
            {
                for (int i = 0; i < steps && wEnum.MoveNext() && aEnum.MoveNext(); i++, step++)
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    using var scope = torch.NewDisposeScope();
                    net.train();
                    var xt = Images(wEnum.Current);
                    var yt = torch.tensor(wEnum.Current.Labels);
                    trainer.WeightLr = schedule.RateAt(step);
                    try
                    {
                        if (archSteps)
                        {
                            var xv = Images(aEnum.Current);
                            var yv = torch.tensor(aEnum.Current.Labels);
                            var (l, c) = algorithm.ArchitectureStep(trainer, xt, yt, xv, yv);
                            archLoss += l * aEnum.Current.Count;
                            archCorrect += c;
                            archSeen += aEnum.Current.Count;
                        }
                        algorithm.BeforeWeightStep(net, context.Space, pathRng);
                        var (loss, correct) = trainer.WeightStep(xt, yt);
                        trainLoss += loss * wEnum.Current.Count;
                        trainCorrect += correct;
                    }
                    catch (DivergedException e) { throw e.At($"epoch {epoch + 1}, step {step + 1}, lr {trainer.WeightLr:g4}"); }
                    seen += wEnum.Current.Count;
                    bar.Advance(1, $"loss {trainLoss / seen:0.000} acc {(double)trainCorrect / seen:0.000}");
                }
            }
            double seconds = watch.Elapsed.TotalSeconds;
            // the temperature means something only to a supernet that samples Gumbel-softmax (GDAS); the others log 0
            var row = new SearchEpoch(epoch + 1, trainer.WeightLr, algorithm.Mode == SupernetMode.Gumbel ? net.Tau : 0, trainLoss / Math.Max(1, seen),
                (double)trainCorrect / Math.Max(1, seen), archSeen > 0 ? archLoss / archSeen : null, archSeen > 0 ? (double)archCorrect / archSeen : null,
                Math.Round(seconds, 2), Math.Round(1000 * seconds / steps, 1))
            { ExpectedLatencyMs = expected?.Ms(net.Arch) };
            progress = progress with { EpochsDone = epoch + 1, History = [.. progress.History, row], Snapshots = [.. progress.Snapshots, net.Arch.Snapshot()] };
            WriteLogs(context.OutputDir, progress, net.Arch);
            OneShotCheckpoint.Save(context.StateDir, progress, net, trainer);
            log.Info($"{name} epoch {row.Epoch}: train loss {row.TrainLoss:0.0000} acc {row.TrainAcc:0.0000}" +
                     (archSeen > 0 ? $" | arch loss {row.ArchLoss:0.0000} acc {row.ArchAcc:0.0000}" : "") +
                     (row.ExpectedLatencyMs is double lat ? $" | expected latency {lat:0.000} ms" : "") + $" | {row.MsPerStep:0} ms/step");
        }
        WriteLogs(context.OutputDir, progress, net.Arch);

        var payload = algorithm.AfterTraining(context, s, net, weightLoader, archLoader, seed, new OneShotPayload
        {
            Arch = net.Arch.Snapshot(), PartialK = s.PartialK, ExpectedLatencyMs = expected?.Ms(net.Arch),
            LatencyLoss = latencyLoss?.Describe(), LatencyTargetMs = latencyLoss?.TargetMs,
        });
        var outcome = new SearchOutcome
        {
            Strategy = name,
            Space = context.SpaceName,
            Best = JsonDocument.Parse("{}").RootElement.Clone(),
            Evaluations = progress.EpochsDone,
            Payload = JsonSerializer.SerializeToElement(payload, SnakeJson.Options),
            BestObjectives = payload.SposAccuracy is double a ? new Dictionary<string, double> { ["accuracy"] = a } : new Dictionary<string, double>(),
        };
        var derived = algorithm.Derive(outcome, context.Space, new DeriveOptions());
        if (context.Latency is { } predictor)
        {
            double ms = predictor.PredictMs(derived);
            outcome = outcome with { BestObjectives = new Dictionary<string, double>(outcome.BestObjectives) { [OneShotAlgorithm.LatencyObjective] = ms } };
            log.Info($"{name}: derived {derived.ArchId}, predicted latency {ms:0.000} ms" +
                     (payload.ExpectedLatencyMs is double e ? $" (supernet's expected latency {e:0.000} ms)" : ""));
        }
        return outcome with { Best = JsonDocument.Parse(derived.ToJson(indented: false)).RootElement.Clone() };
    }

    /// <summary>
    /// The expected-latency model (whenever the search has a latency input, for the logs) and the architecture step's
    /// latency term (latency_loss). A latency loss or an SPOS budget without the latency input is refused.
    /// </summary>
    private (ExpectedLatency?, LatencyLoss?) LatencyTerm(Supernet net)
    {
        algorithm.CheckLatencyInput(context.Params, settings, context.Latency is not null);
        return context.Latency is { } predictor ? algorithm.LatencyTerm(context, net, settings, predictor) : (null, null);
    }

    /// <summary>Subsamples the training indices, shuffles them with the seed and halves them: weights, architecture.</summary>
    public static (int[] Weights, int[] Arch) Split(int[] indices, double fraction, int seed)
    {
        var order = DatasetSplit.EpochOrder(indices, seed, -1);
        int keep = fraction >= 1 ? order.Length : Math.Max(2, (int)Math.Round(order.Length * fraction));
        int half = keep / 2;
        var w = order.AsSpan(0, half).ToArray();
        var a = order.AsSpan(half, keep - half).ToArray();
        Array.Sort(w);
        Array.Sort(a);
        return (w, a);
    }

    /// <summary>search_log.csv (a row per epoch) and alphas.csv (softmax weight per epoch, group, edge and op).</summary>
    private static void WriteLogs(string dir, OneShotProgress progress, ArchParameters arch)
    {
        Csv.Write(Path.Combine(dir, "search_log.csv"), progress.History);
        var rows = new List<IReadOnlyList<string>>();
        for (int e = 0; e < progress.Snapshots.Count; e++)
        {
            var snap = progress.Snapshots[e];
            foreach (var g in arch.Alphas)
            {
                var probs = AlphaDerivation.Probabilities(snap, g.Name);
                for (int r = 0; r < g.Rows.Count; r++)
                    for (int o = 0; o < g.Choices.Count; o++)
                        rows.Add([(e + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), g.Name, g.Rows[r], g.Choices[o], Csv.Format(probs[r][o])]);
            }
            foreach (var b in arch.Betas)
                if (snap.Betas.TryGetValue(b.Name, out var betas))
                    for (int r = 0; r < b.Rows.Count; r++)
                        rows.Add([(e + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), b.Name, b.Rows[r], "beta_logit", Csv.Format(betas[r])]);
        }
        Csv.WriteTable(Path.Combine(dir, "alphas.csv"), ["epoch", "group", "edge", "op", "weight"], rows);
        // the first 4 groups: more panels would not fit a page
        var series = arch.Alphas.Take(4).Select(g => new AlphaPlot.Series(g.Name, g.Choices, progress.Snapshots.Select(s =>
        {
            var probs = AlphaDerivation.Probabilities(s, g.Name); // once per snapshot, not once per op
            return Enumerable.Range(0, g.Choices.Count).Select(o => probs.Average(row => row[o])).ToArray();
        }).ToList())).ToList();
        AtomicWrite.Text(Path.Combine(dir, "alphas.svg"), AlphaPlot.Svg(series));
    }
}
