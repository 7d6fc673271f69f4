using NasOnnx.Latency;
using NasOnnx.Spaces;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>Why a proposal was refused before training: its predicted latency and the limit it broke (ms).</summary>
public sealed record Rejection(double PredictedMs, double LimitMs);

/// <summary>
/// A cheap check <see cref="MultiTrialRunner"/> applies to every new proposal before it is evaluated. A rejected
/// proposal is not trained and does not count against the trial budget; the proposer is told
/// (<see cref="ITrialProposer.ObserveRejected"/>).
/// </summary>
public interface ICandidateFilter
{
    /// <summary>Null to accept; a <see cref="Rejection"/> to refuse.</summary>
    Rejection? Check(IArchitecture architecture);
}

/// <summary>
/// Pre-rejection by predicted latency: a candidate whose predicted latency exceeds <paramref name="limitMs"/>
/// (latency_target x latency_margin) would break the budget, so training it would only spend time. A prediction
/// costs microseconds (a table sum), a trial seconds to minutes.
/// </summary>
public sealed class LatencyFilter(ILatencyPredictor predictor, double limitMs) : ICandidateFilter
{
    public double LimitMs => limitMs;

    public Rejection? Check(IArchitecture architecture)
    {
        double ms = predictor.PredictMs(architecture);
        return ms > limitMs ? new Rejection(ms, limitMs) : null;
    }
}
