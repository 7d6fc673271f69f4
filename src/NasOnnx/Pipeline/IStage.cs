using NasOnnx.Core;
namespace NasOnnx.Pipeline;

/// <summary>
/// A kind of pipeline stage. Adding a stage kind is one class implementing this, registered in
/// <see cref="StageRegistry"/>. A stage reads its inputs and params from the context and writes every
/// output into <see cref="StageContext.OutputDir"/>; the runner makes the outputs appear atomically,
/// hashes them and records them in the lock.
/// </summary>
public interface IStage
{
    string Kind { get; }
    string Description { get; }

    /// <summary>Bump when the stage's behaviour changes so that locked results are recomputed.</summary>
    int Version { get; }

    IReadOnlyList<ParamSpec> Params { get; }
    IReadOnlyList<InputSpec> Inputs { get; }

    /// <summary>Files outside the run folder the stage reads (e.g. the dataset); their content hashes go into the lock.</summary>
    IEnumerable<string> ExternalDependencies(StageContext context) => [];

    /// <summary>Checks done before any stage runs (e.g. a latency target that cannot be met). Throw NasOnnxException to refuse.</summary>
    void Validate(StageContext context) { }

    void Run(StageContext context);
}
