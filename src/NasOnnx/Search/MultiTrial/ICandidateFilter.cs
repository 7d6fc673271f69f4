using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

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
