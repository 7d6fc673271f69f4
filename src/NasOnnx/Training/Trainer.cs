using System.Diagnostics;
using NasOnnx.Data;
using NasOnnx.Reporting;
using NasOnnx.Core;
using NasOnnx.Plots;
using NasOnnx.Runtime;
using NasOnnx.Networks;
using NasOnnx.Artifacts;

namespace NasOnnx.Training;

/// <summary>
/// Trains a network with SGD (momentum, optional Nesterov, weight decay), a cosine schedule with optional
/// warm-up, label smoothing and gradient-norm clipping; evaluates on the validation indices after every
/// epoch and writes epochs.csv and curves.png. One dispose scope per batch keeps native memory flat.
/// Exactly repeatable: the data order and augmentation are functions of (seed, epoch, sample), torch's
/// default generator (dropout, drop-path) is reseeded from (seed, epoch) at every epoch start, and a
/// checkpoint carries weights, optimizer state, generator state and the position in the epoch, so a run
/// resumed from any checkpoint ends with the same weights as one never interrupted (same threads).
/// </summary>
public sealed class Trainer(IRunLog log)
{
    public IReadOnlyList<EpochMetrics> Train(nn.Module<Tensor, Tensor> model, TrainingData data, TrainingRecipe recipe,
        string metricsCsv, CancellationToken cancellation = default) =>
        Train(model, data, recipe, new TrainerOptions { MetricsCsv = metricsCsv }, cancellation).History;

    public TrainingResult Train(nn.Module<Tensor, Tensor> model, TrainingData data, TrainingRecipe recipe,
        TrainerOptions options, CancellationToken cancellation = default)
    {
        int[] trainIdx = Subsample(data.TrainIndices, recipe.DataFraction, recipe.Seed);
        int stepsPerEpoch = trainIdx.Length / recipe.BatchSize;
        if (stepsPerEpoch == 0)
            throw new NasOnnxException($"the training set ({trainIdx.Length} images) is smaller than one batch ({recipe.BatchSize})",
                "lower batch_size or raise data_fraction");
        var schedule = new CosineSchedule(recipe.LearningRate, recipe.MinLearningRate, (long)stepsPerEpoch * recipe.Epochs,
            (long)(recipe.WarmupEpochs * stepsPerEpoch));
        using var trainStep = new TrainStep(model, recipe);
        TorchSharp.Modules.OptimizerHelper[] optimizers = [trainStep.Optimizer];

        var store = options.Checkpoints is { } ck ? new CheckpointStore(ck, log) : null;
        var resumed = store?.LoadLatest(model, optimizers);
        var start = resumed?.Header;
        var history = new List<EpochMetrics>(start?.History ?? []);
        long step = start?.Step ?? 0;
        if (start is not null && options.MetricsCsv is not null) Csv.Write(options.MetricsCsv, history);

        using var loader = new BatchLoader(data.Train, trainIdx, new BatchLoaderOptions
        {
            BatchSize = recipe.BatchSize,
            Shuffle = true,
            Seed = recipe.Seed,
            DropLast = true, // equal batches keep batch-norm statistics honest
            Normalization = data.Normalization,
            Augmentations = data.Augmentations,
        });

        for (int epoch = start?.Epoch ?? 0; epoch < recipe.Epochs; epoch++)
        {
            bool midEpoch = start is not null && epoch == start.Epoch && start.Batch > 0;
            // A resumed epoch continues with the generator state its checkpoint restored.
            if (!midEpoch) torch.manual_seed((long)(SplitMix64.DeriveSeed(recipe.Seed, 0x70C4, epoch) >> 1));
            (model as IEpochAware)?.OnEpochStart(epoch, recipe.Epochs, recipe.DropPath);
            model.train();
            int batchIndex = midEpoch ? start!.Batch : 0;
            double lossSum = midEpoch ? start!.LossSum : 0;
            long correct = midEpoch ? start!.Correct : 0, seen = midEpoch ? start!.Seen : 0;
            double priorSeconds = midEpoch ? start!.Seconds : 0, priorWait = midEpoch ? start!.WaitSeconds : 0;
            var watch = Stopwatch.StartNew();
            var waitBefore = loader.TotalWait;
            double lr = schedule.RateAt(step);
            using (var progress = log.Progress($"epoch {epoch + 1}/{recipe.Epochs}", stepsPerEpoch))
            {
                if (batchIndex > 0) progress.Advance(batchIndex);
                foreach (var batch in loader.Epoch(epoch, batchIndex))
                {
                    cancellation.ThrowIfCancellationRequested();
                    lr = schedule.RateAt(step);
                    double l;
                    long c;
                    try { (l, c) = trainStep.Run(batch, lr); }
                    catch (DivergedException e) { throw e.At($"epoch {epoch + 1}, step {step + 1}, lr {lr:g4}"); }
                    lossSum += l;
                    correct += c;
                    seen += batch.Count;
                    step++;
                    batchIndex++;
                    progress.Advance(1, $"loss {lossSum / seen:0.000} acc {(double)correct / seen:0.000}");
                    if (store is not null && store.Options.EveryNSteps > 0 && step % store.Options.EveryNSteps == 0 && batchIndex < stepsPerEpoch)
                    {
                        store.Save(new CheckpointHeader
                        {
                            Key = store.Options.Key, Network = NetworkFingerprint.Of(model), NetworkDescription = NetworkFingerprint.Describe(model),
                            Epoch = epoch, Batch = batchIndex, Step = step, LossSum = lossSum, Correct = correct, Seen = seen,
                            Seconds = priorSeconds + watch.Elapsed.TotalSeconds,
                            WaitSeconds = priorWait + (loader.TotalWait - waitBefore).TotalSeconds,
                            History = history.ToList(),
                        }, model, optimizers);
                    }
                }
            }
            double trainSeconds = priorSeconds + watch.Elapsed.TotalSeconds;
            double waitSeconds = priorWait + (loader.TotalWait - waitBefore).TotalSeconds;
            var val = Evaluator.Evaluate(model, data.Validation, data.ValidationIndices, data.Normalization, Math.Max(recipe.BatchSize, 256));
            NativeAllocator.Trim();
            var metrics = new EpochMetrics(epoch + 1, lr, lossSum / seen, (double)correct / seen, val.Loss, val.Accuracy,
                seen / trainSeconds, priorSeconds + watch.Elapsed.TotalSeconds, waitSeconds / trainSeconds,
                Math.Round(ProcessMemory.RssMb(), 1), Math.Round(ProcessMemory.ManagedHeapMb(), 1));
            history.Add(metrics);
            log.Info($"epoch {metrics.Epoch}: train loss {metrics.TrainLoss:0.0000} acc {metrics.TrainAcc:0.0000} | val loss {metrics.ValLoss:0.0000} acc {metrics.ValAcc:0.0000} | {metrics.ImagesPerSecond:0} img/s, data wait {metrics.DataWaitFraction:P1}, rss {metrics.RssMb:0} MB");
            if (options.MetricsCsv is not null) Csv.Write(options.MetricsCsv, history);
            store?.Save(new CheckpointHeader
            {
                Key = store.Options.Key, Network = NetworkFingerprint.Of(model), NetworkDescription = NetworkFingerprint.Describe(model),
                Epoch = epoch + 1, Batch = 0, Step = step, History = history.ToList(),
            }, model, optimizers);
        }
        if (options.CurvesPng is not null && history.Count > 0)
        {
            try
            {
                CurvesPlot.Write(options.CurvesPng, history);
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or IOException)
            {
                log.Warn($"curves.png was not drawn ({e.Message}); epochs.csv has the same numbers");
            }
        }
        return new TrainingResult(history, resumed?.Path, start?.Step ?? 0, step);
    }

    private static int[] Subsample(int[] indices, double fraction, long seed)
    {
        if (fraction >= 1) return indices;
        int keep = Math.Max(1, (int)Math.Round(indices.Length * fraction));
        var order = DatasetSplit.EpochOrder(indices, seed, -1);
        var kept = order.AsSpan(0, keep).ToArray();
        Array.Sort(kept);
        return kept;
    }
}
