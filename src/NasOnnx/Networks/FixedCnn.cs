using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
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

    /// <summary>The blocks' layers one by one (not Sequential.forward) so their convolutions go through <see cref="Runtime.ConvolutionGuard"/>.</summary>
    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var layer in features.children())
        {
            if (layer is Sequential block)
                foreach (var inner in block.children())
                    x = inner is Conv2d conv ? Runtime.ConvolutionGuard.Forward(conv, x) : ((Module<Tensor, Tensor>)inner).call(x);
            else x = ((Module<Tensor, Tensor>)layer).call(x);
        }
        return classifier.call(x);
    }
}
