using System.Diagnostics;
using NasOnnx.Data;
using NasOnnx.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace NasOnnx.Training;

/// <summary>One row of epochs.csv.</summary>
public sealed record EpochMetrics(
    int Epoch, double Lr, double TrainLoss, double TrainAcc, double ValLoss, double ValAcc,
    double ImagesPerSecond, double Seconds, double DataWaitFraction);

/// <summary>The data a training run uses: which images train, which validate, and how pixels become inputs.</summary>
public sealed record TrainingData(Dataset Train, int[] TrainIndices, Dataset Validation, int[] ValidationIndices, Normalization Normalization)
{
    public IReadOnlyList<IAugmentation> Augmentations { get; init; } = [];
}

/// <summary>
/// Trains a network with SGD (momentum, optional Nesterov, weight decay), a cosine schedule with optional
/// warm-up, label smoothing and gradient-norm clipping; evaluates on the validation indices after every
/// epoch and writes epochs.csv. One dispose scope per batch keeps native memory flat.
/// </summary>
public sealed class Trainer(IRunLog log)
{
    public IReadOnlyList<EpochMetrics> Train(nn.Module<Tensor, Tensor> model, TrainingData data, TrainingRecipe recipe,
        string metricsCsv, CancellationToken cancellation = default)
    {
        int[] trainIdx = Subsample(data.TrainIndices, recipe.DataFraction, recipe.Seed);
        long stepsPerEpoch = trainIdx.Length / recipe.BatchSize;
        if (stepsPerEpoch == 0)
            throw new NasOnnxException($"the training set ({trainIdx.Length} images) is smaller than one batch ({recipe.BatchSize})",
                "lower batch_size or raise data_fraction");
        var schedule = new CosineSchedule(recipe.LearningRate, recipe.MinLearningRate, stepsPerEpoch * recipe.Epochs,
            (long)(recipe.WarmupEpochs * stepsPerEpoch));
        var optimizer = torch.optim.SGD(model.parameters(), recipe.LearningRate, momentum: recipe.Momentum,
            weight_decay: recipe.WeightDecay, nesterov: recipe.Nesterov && recipe.Momentum > 0);
        var shape = new ImageShape(data.Train.Channels, data.Train.Height, data.Train.Width);
        var history = new List<EpochMetrics>();
        long step = 0;
        using var loader = new BatchLoader(data.Train, trainIdx, new BatchLoaderOptions
        {
            BatchSize = recipe.BatchSize,
            Shuffle = true,
            Seed = recipe.Seed,
            DropLast = true, // equal batches keep batch-norm statistics honest
            Normalization = data.Normalization,
            Augmentations = data.Augmentations,
        });

        for (int epoch = 0; epoch < recipe.Epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            model.train();
            double lossSum = 0;
            long correct = 0, seen = 0;
            double lr = schedule.RateAt(step);
            var waitBefore = loader.TotalWait;
            using (var progress = log.Progress($"epoch {epoch + 1}/{recipe.Epochs}", stepsPerEpoch))
            {
                foreach (var batch in loader.Epoch(epoch))
                {
                    cancellation.ThrowIfCancellationRequested();
                    lr = schedule.RateAt(step);
                    foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                    using var scope = torch.NewDisposeScope();
                    var x = torch.tensor(batch.Images, [batch.Count, shape.Channels, shape.Height, shape.Width]);
                    var y = torch.tensor(batch.Labels);
                    var logits = model.forward(x);
                    var loss = nn.functional.cross_entropy(logits, y, label_smoothing: recipe.LabelSmoothing);
                    optimizer.zero_grad();
                    loss.backward();
                    if (recipe.GradClip > 0) nn.utils.clip_grad_norm_(model.parameters(), recipe.GradClip);
                    optimizer.step();
                    lossSum += loss.item<float>() * batch.Count;
                    correct += logits.argmax(1).eq(y).sum().item<long>();
                    seen += batch.Count;
                    step++;
                    progress.Advance(1, $"loss {lossSum / seen:0.000} acc {(double)correct / seen:0.000}");
                }
            }
            double trainSeconds = watch.Elapsed.TotalSeconds;
            var val = Evaluator.Evaluate(model, data.Validation, data.ValidationIndices, data.Normalization, Math.Max(recipe.BatchSize, 256));
            var metrics = new EpochMetrics(epoch + 1, lr, lossSum / seen, (double)correct / seen, val.Loss, val.Accuracy,
                seen / trainSeconds, watch.Elapsed.TotalSeconds, (loader.TotalWait - waitBefore).TotalSeconds / trainSeconds);
            history.Add(metrics);
            log.Info($"epoch {metrics.Epoch}: train loss {metrics.TrainLoss:0.0000} acc {metrics.TrainAcc:0.0000} | val loss {metrics.ValLoss:0.0000} acc {metrics.ValAcc:0.0000} | {metrics.ImagesPerSecond:0} img/s, data wait {metrics.DataWaitFraction:P1}");
            Csv.Write(metricsCsv, history);
        }
        return history;
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
