using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Supernets;

namespace NasOnnx.Search;

/// <summary>
/// A way to explore a search space. A strategy never trains by itself: multi-trial strategies ask an
/// evaluator, one-shot strategies drive a supernet trainer. It saves its state into
/// <see cref="SearchContext.StateDir"/> after every trial or epoch and resumes from it after a kill.
/// Registered in <see cref="StrategyCatalog"/>; the `search` stage runs it and the `derive` stage asks it
/// to turn its outcome into one architecture.
/// </summary>
public interface ISearchStrategy
{
    /// <summary>The name pipeline files use: random, evolution, reinforce, darts, darts2, gdas, pc, spos ...</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>Params this strategy reads from the search stage (the stage accepts the union over all strategies).</summary>
    IReadOnlyList<ParamSpec> Params { get; }

    /// <summary>Spaces it can search (null: any space with the capability it needs).</summary>
    IReadOnlyList<string>? Spaces => null;

    /// <summary>Checks done before any stage runs (e.g. a latency loss without a `latency` input); throws to refuse.</summary>
    void Validate(IParamReader settings, bool hasLatencyInput) { }

    /// <summary>Runs (or resumes) the search; writes its logs into the output folder and returns the outcome (saved as search.json).</summary>
    SearchOutcome Run(SearchContext context);

    /// <summary>Turns a finished search into one architecture (the derive stage).</summary>
    IArchitecture Derive(SearchOutcome outcome, ISearchSpace space, DeriveOptions options);
}
