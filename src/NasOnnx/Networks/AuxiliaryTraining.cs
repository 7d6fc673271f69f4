namespace NasOnnx.Networks;

/// <summary>
/// The DARTS retraining recipe's auxiliary classifier, attached for training only: it wraps a network with an
/// auxiliary feature (<see cref="IAuxiliaryFeature"/>; DARTS: the output of its second reduction cell) and a head on it. The trainer sees one module
/// (both sets of parameters are optimized and checkpointed); afterwards only <see cref="Network"/> is saved and
/// exported, so the head never reaches the weights file or the ONNX model.
/// </summary>
public sealed class AuxiliaryTraining : nn.Module<Tensor, Tensor>, IAuxiliaryOutput, IEpochAware
{
    private readonly NasNetwork net;
    private readonly Sequential aux;
    private readonly IAuxiliaryFeature _feature;

    public NasNetwork Network => net;

    /// <summary>Wraps <paramref name="network"/>, which must implement <see cref="IAuxiliaryFeature"/>.</summary>
    public AuxiliaryTraining(NasNetwork network, int classes) : base(nameof(AuxiliaryTraining))
    {
        net = network;
        _feature = network as IAuxiliaryFeature ?? throw new ArgumentException($"{network.GetType().Name} has no auxiliary feature", nameof(network));
        // DARTS' CIFAR head pools 8x8 to 2x2 with a 5x5/3 window; an adaptive pool gives 2x2 at any resolution.
        aux = nn.Sequential(
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(2),
            nn.Conv2d(_feature.AuxiliaryChannels, 128, 1, bias: false),
            nn.BatchNorm2d(128),
            nn.ReLU(),
            nn.Conv2d(128, 768, 2, bias: false),
            nn.BatchNorm2d(768),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(768, classes));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => net.call(input);

    public (Tensor Logits, Tensor? AuxLogits) ForwardWithAuxiliary(Tensor input)
    {
        var (logits, feature) = _feature.ForwardWithFeature(input, _feature.AuxiliaryCell);
        return (logits, feature is null ? null : Ops.HeldScalarBatchNorm.RunSequential(aux, feature));
    }

    public void OnEpochStart(int epoch, int epochs, double dropPath) => (net as IEpochAware)?.OnEpochStart(epoch, epochs, dropPath);
}
