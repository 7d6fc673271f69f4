namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// What one evaluation of a rung may spend: epochs of training on a share of the training data. Successive halving
/// grows either or both from rung to rung: a rung-0 screen can be one epoch on a tenth of the data, the last rung close
/// to the full recipe, so the finalists are ranked by something that resembles the retrain (the cheap screen cannot tell
/// a network that learns fast on little data from one that generalizes).
/// </summary>
public sealed record TrialBudget(int Epochs, double DataFraction);
