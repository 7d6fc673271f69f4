using NasOnnx.Core;

namespace NasOnnx.Search.MultiTrial;

/// <summary>REINFORCE settings.</summary>
public sealed record ReinforceOptions
{
    public static IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Float("policy_lr", 0.1, "reinforce: learning rate on the policy logits"),
        ParamSpec.Choice("policy_optimizer", "adam", "reinforce: optimizer of the policy logits", "adam", "sgd"),
        ParamSpec.Float("baseline_momentum", 0.99, "reinforce: moving-average baseline b <- m b + (1 - m) R"),
        ParamSpec.Float("entropy", 1e-4, "reinforce: weight of the entropy bonus"),
    ];

    /// <summary>The policy params as given; <see cref="ReinforceProposer"/> checks them.</summary>
    public static ReinforceOptions FromParams(IParamReader stage) => new()
    {
        LearningRate = stage.Float("policy_lr"),
        Optimizer = stage.RequiredString("policy_optimizer"),
        BaselineMomentum = stage.Float("baseline_momentum"),
        Entropy = stage.Float("entropy"),
    };

    /// <summary>Step size on the logits.</summary>
    public double LearningRate { get; init; } = 0.1;
    /// <summary>"adam" or "sgd".</summary>
    public string Optimizer { get; init; } = "adam";
    /// <summary>Moving-average baseline b &lt;- m b + (1 - m) R.</summary>
    public double BaselineMomentum { get; init; } = 0.99;
    /// <summary>Weight of the entropy bonus (keeps the policy exploring).</summary>
    public double Entropy { get; init; } = 1e-4;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
}
