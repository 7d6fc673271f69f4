using static TorchSharp.torch.nn;

namespace NasOnnx.Networks;

/// <summary>
/// A small fixed CNN (five conv-BN-ReLU blocks, two stride-2 downsamplings, global average pooling, linear
/// classifier): the network the first pipeline trains before any search exists, and a reference for benchmarks.
/// </summary>
public sealed class FixedCnn : Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Linear classifier;

    public int Width { get; }

    public FixedCnn(int channels, int classes, int width = 32) : base(nameof(FixedCnn))
    {
        Width = width;
        features = nn.Sequential(
            Block(channels, width, stride: 1),
            Block(width, 2 * width, stride: 2),
            Block(2 * width, 2 * width, stride: 1),
            Block(2 * width, 4 * width, stride: 2),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten());
        classifier = nn.Linear(4 * width, classes);
        RegisterComponents();
    }

    private static Sequential Block(int cin, int cout, int stride) => nn.Sequential(
        nn.Conv2d(cin, cout, kernel_size: 3, stride: stride, padding: 1, bias: false),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace: true));

    public override Tensor forward(Tensor input) => classifier.forward(Ops.HeldScalarBatchNorm.RunSequential(features, input));
}
