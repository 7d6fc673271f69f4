using NasOnnx.Ops;
namespace NasOnnx.Training;

/// <summary>How to train: optimizer, schedule and regularization. Every field is a pipeline param of train/retrain stages.</summary>
public sealed record TrainingRecipe
{
    /// <summary>"sgd" (momentum, Nesterov) for images; "adamw" (decoupled weight decay; what embeddings and text models train
    /// well with). Momentum and Nesterov apply to SGD only.</summary>
    public string Optimizer { get; init; } = SgdOptimizer;
    public const string SgdOptimizer = "sgd";
    public const string AdamWOptimizer = "adamw";
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 0.05;
    public double MinLearningRate { get; init; } = 0.0;
    public double Momentum { get; init; } = 0.9;
    public bool Nesterov { get; init; } = true;
    public double WeightDecay { get; init; } = 5e-4;
    public double WarmupEpochs { get; init; } = 0;
    public double LabelSmoothing { get; init; } = 0.0;
    /// <summary>Gradient-norm clip; 0 turns clipping off.</summary>
    public double GradClip { get; init; } = 5.0;
    /// <summary>Fraction of the training set used (the search evaluators train on less).</summary>
    public double DataFraction { get; init; } = 1.0;
    /// <summary>
    /// Weight of the auxiliary head's loss (DARTS: 0.4) for models implementing <see cref="IAuxiliaryOutput"/>;
    /// 0 ignores the auxiliary head.
    /// </summary>
    public double AuxWeight { get; init; }
    /// <summary>
    /// Final drop-path probability for models implementing <see cref="IEpochAware"/> (DARTS: 0.2, raised
    /// linearly from 0 over the epochs); the model decides how to use it.
    /// </summary>
    public double DropPath { get; init; }
    public long Seed { get; init; }
}
