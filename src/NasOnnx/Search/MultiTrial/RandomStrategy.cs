using NasOnnx.Core;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>Random search: uniform samples, the best evaluated wins. Any space.</summary>
public sealed class RandomStrategy : MultiTrialStrategy
{
    public override string Name => "random";
    public override string Description => "Random search: evaluate uniformly sampled architectures (stand-alone training), keep the best.";
    protected override IReadOnlyList<ParamSpec> OwnParams => [];
    protected override ITrialProposer CreateProposer(ISearchSpace space, MultiTrialSettings settings) => new RandomProposer(space);
}
