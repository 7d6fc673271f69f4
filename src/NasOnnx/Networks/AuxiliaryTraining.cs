using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasOnnx.Networks;

/// <summary>
/// The DARTS retraining recipe's auxiliary classifier, attached for training only: it wraps a
/// <see cref="DartsNetwork"/> and a head on the output of its second reduction cell. The trainer sees one module
/// (both sets of parameters are optimized and checkpointed); afterwards only <see cref="Network"/> is saved and
/// exported, so the head never reaches the weights file or the ONNX model.
/// </summary>
public sealed class AuxiliaryTraining : nn.Module<Tensor, Tensor>, Training.IAuxiliaryOutput, Training.IEpochAware
{
    private readonly DartsNetwork net;
    private readonly Sequential aux;

    public DartsNetwork Network => net;

    public AuxiliaryTraining(DartsNetwork network, int classes) : base(nameof(AuxiliaryTraining))
    {
        net = network;
        // DARTS' CIFAR head pools 8x8 to 2x2 with a 5x5/3 window; an adaptive pool gives 2x2 at any resolution.
        aux = nn.Sequential(
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(2),
            nn.Conv2d(network.AuxiliaryChannels, 128, 1, bias: false),
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
        var (logits, feature) = net.ForwardWithFeature(input, net.AuxiliaryCell);
        return (logits, feature is null ? null : aux.call(feature));
    }

    public void OnEpochStart(int epoch, int epochs, Training.TrainingRecipe recipe) => net.OnEpochStart(epoch, epochs, recipe);
}
