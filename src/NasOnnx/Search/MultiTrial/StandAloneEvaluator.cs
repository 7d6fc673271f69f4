using NasOnnx.Data;
using NasOnnx.Networks;
using NasOnnx.Reporting;
using NasOnnx.Spaces;
using NasOnnx.Training;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Runtime;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// Stand-alone training: builds the architecture's network (<see cref="NetworkFactory"/>), trains it from scratch
/// with the recipe for the rung's budget (epochs, share of the training data), and measures it on the
/// validation split (never the test set, unless the dataset was prepared without a validation split).
/// Objectives: accuracy, val_loss, params, macs. Initial weights come from (seed, ArchId), the data order from the
/// seed, so an architecture gets the same result whenever and in whatever order it is evaluated.
/// With a <see cref="Latency"/> source the trained network's latency is added as latency_ms (a measurement exports
/// exactly the trained network); with <see cref="KeepWeights"/> the trained weights stay in the trial's folder
/// (<see cref="WeightsPath"/>) so a Pareto front can be exported with them.
/// </summary>
public sealed class StandAloneEvaluator : IEvaluator
{
    private readonly Lazy<LoadedData> _data;
    private readonly TrainingRecipe _recipe;
    private readonly IReadOnlyList<TrialBudget> _rungs;
    private readonly long _seed;
    private readonly IRunLog _log;
    private readonly string _workDir;
    private bool _warned;

    /// <param name="recipe">How trials train; its epochs and data fraction are replaced by the rung's budget.</param>
    /// <param name="rungs">Budget per rung: one entry (no halving) or growing budgets, e.g. 1, 2, 4 epochs.</param>
    /// <param name="workDir">Where per-trial epochs.csv files go.</param>
    public StandAloneEvaluator(Lazy<LoadedData> data, TrainingRecipe recipe, IReadOnlyList<TrialBudget> rungs, long seed, IRunLog log, string workDir)
    {
        if (rungs.Count == 0 || rungs.Any(r => r.Epochs < 1))
            throw new NasOnnxException($"trial epochs must be at least 1, got [{string.Join(", ", rungs.Select(r => r.Epochs))}]", "set trial_epochs: 1 or more, or halving_epochs like [1, 2, 4]");
        if (rungs.Any(r => r.DataFraction is <= 0 or > 1))
            throw new NasOnnxException($"trial data fractions must be in (0, 1], got [{string.Join(", ", rungs.Select(r => r.DataFraction))}]", "set trial_data_fraction or halving_data_percent within 1-100%");
        (_data, _recipe, _rungs, _seed, _log, _workDir) = (data, recipe, rungs, seed, log, workDir);
    }

    public int Rungs => _rungs.Count;

    public Latency.ILatencySource? Latency { get; init; }
    public bool KeepWeights { get; init; }
    /// <summary>Augmentations and label smoothing from a rung on (none by default).</summary>
    public TrialAugmentation Augmentation { get; init; } = TrialAugmentation.None;

    /// <summary>Where a trial's trained weights are kept (with <see cref="KeepWeights"/>).</summary>
    public static string WeightsPath(string workDir, string archId, int rung) => Path.Combine(workDir, "trials", $"{archId}-r{rung}", "model.pt");

    public IReadOnlyDictionary<string, double> Evaluate(IArchitecture architecture, int rung, CancellationToken cancellation)
    {
        try
        {
            return Train(architecture, rung, cancellation);
        }
        finally
        {
            NativeAllocator.Trim(); // the next trial's network has other shapes: start it from a compact heap
        }
    }

    private Dictionary<string, double> Train(IArchitecture architecture, int rung, CancellationToken cancellation)
    {
        var data = _data.Value;
        if (data.ValidationIndices.Length == 0 && !_warned)
        {
            _log.Warn("the dataset has no validation split: the search scores on the test set (prepare it with validation_fraction > 0)");
            _warned = true;
        }
        int netSeed = (int)(SplitMix64.DeriveSeed(_seed, StableHash(architecture.ArchId)) & 0x7fffffff);
        using var network = NetworkFactory.Build(architecture, netSeed);
        var (parameters, macs) = NetworkStats.Measure(network);
        torch.manual_seed(netSeed);
        var (valData, valIdx) = data.ValidationOrTest;
        string dir = Path.Combine(_workDir, "trials", $"{architecture.ArchId}-r{rung}");
        Directory.CreateDirectory(dir);
        var recipe = Augmentation.Apply(_recipe with { Epochs = _rungs[rung].Epochs, DataFraction = _rungs[rung].DataFraction, Seed = _seed }, rung);
        var history = new Trainer(_log).Train(network,
            new TrainingData(data.TrainImages, data.TrainIndices, valData, valIdx, data.Info.Normalization) { Augmentations = Augmentation.Build(data.Info, rung) },
            recipe, Path.Combine(dir, "epochs.csv"), cancellation);
        var result = new Dictionary<string, double>
        {
            ["accuracy"] = history[^1].ValAcc,
            ["val_loss"] = history[^1].ValLoss,
            ["params"] = parameters,
            ["macs"] = macs,
            ["epochs"] = recipe.Epochs,
            ["data_fraction"] = recipe.DataFraction,
        };
        if (Latency is not null) result[Objectives.LatencyMs] = Latency.Ms(architecture, network);
        if (KeepWeights) NetworkWeights.Save(network, WeightsPath(_workDir, architecture.ArchId, rung));
        return result;
    }

    /// <summary>FNV-1a of the id: stable across runs and processes (string.GetHashCode is not).</summary>
    private static long StableHash(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) h = (h ^ c) * 1099511628211UL;
        return unchecked((long)h);
    }
}
