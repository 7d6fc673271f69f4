using NasOnnx.Onnx;
using NasOnnx.Ops;
using NasOnnx.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NasOnnx.Tests.Runtime;

/// <summary>
/// The guard's channel padding changes nothing but which kernels run: checked in float64, which never reaches
/// oneDNN, so the comparison holds on every CPU.
/// </summary>
[Collection(NumericsSwitchesCollection.Name)]
public sealed class ConvolutionGuardTests
{
    [Theory]
    [InlineData(4, 12, 3, 1, 1)]
    [InlineData(8, 10, 5, 1, 1)]
    [InlineData(1, 8, 3, 2, 1)]
    [InlineData(8, 12, 3, 1, 2)]
    public void A_padded_convolution_has_the_plain_one_s_output_and_gradients(int cin, int cout, int k, int stride, int dilation)
    {
        TorchRuntime.Initialize(1);
        Assert.True(ConvolutionGuard.Suspect(cout, 1, k, k));
        using var scope = torch.NewDisposeScope();
        var gen = new Generator(7);
        var x = torch.randn([3, cin, 9, 9], ScalarType.Float64, generator: gen);
        var w = torch.randn([cout, cin, k, k], ScalarType.Float64, generator: gen);
        var g = torch.randn([3, cout, (9 + 2 * (dilation * (k - 1) / 2) - dilation * (k - 1) - 1) / stride + 1, (9 + 2 * (dilation * (k - 1) / 2) - dilation * (k - 1) - 1) / stride + 1],
            ScalarType.Float64, generator: gen);
        long[] s = [stride, stride], p = [dilation * (k - 1) / 2, dilation * (k - 1) / 2], d = [dilation, dilation];

        (Tensor Y, Tensor Gx, Tensor Gw) Run(bool guarded)
        {
            using var _ = NumericsSelfCheck.With(guarded ? NumericsConfiguration.Guarded : NumericsConfiguration.Safe);
            var xi = x.clone().requires_grad_();
            var wi = w.clone().requires_grad_();
            var y = ConvolutionGuard.Conv2d(xi, wi, s, p, d, 1);
            (y * g).sum().backward();
            return (y.detach(), xi.grad!, wi.grad!);
        }
        var plain = Run(guarded: false);
        var padded = Run(guarded: true);
        Assert.Equal(plain.Y.shape, padded.Y.shape);
        Assert.True(padded.Y.allclose(plain.Y, 1e-12, 1e-12));
        Assert.True(padded.Gx.allclose(plain.Gx, 1e-12, 1e-12));
        Assert.True(padded.Gw.allclose(plain.Gw, 1e-12, 1e-12));
    }

    [Theory]
    [InlineData(16, 1, 3, false)]   // a whole block
    [InlineData(12, 12, 3, false)]  // depthwise
    [InlineData(12, 1, 1, false)]   // 1x1
    [InlineData(12, 1, 3, true)]
    [InlineData(40, 1, 5, true)]
    public void Only_dense_convolutions_wider_than_1x1_with_a_partial_block_are_suspect(long cout, long groups, long k, bool suspect) =>
        Assert.Equal(suspect, ConvolutionGuard.Suspect(cout, groups, k, k));

    [Fact]
    public void A_guarded_ConvBn_keeps_its_parameters_and_state_dict_and_trains_like_the_plain_one()
    {
        TorchRuntime.Initialize(1);
        using var scope = torch.NewDisposeScope();
        (Tensor Y, Tensor[] Grads, string[] Names) Run(bool guarded)
        {
            torch.manual_seed(3);
            var op = new ConvBn(new ConvSpec(3, 12, 3, 1, 1), act: Activation.Relu6);
            op.to(ScalarType.Float64);
            op.train();
            var x = torch.randn([4, 3, 8, 8], ScalarType.Float64, generator: new Generator(5));
            using var _ = NumericsSelfCheck.With(guarded ? NumericsConfiguration.Guarded : NumericsConfiguration.Safe);
            var y = op.call(x);
            y.square().sum().backward();
            return (y.detach(), op.parameters().Select(p => p.grad!).ToArray(), op.state_dict().Keys.ToArray());
        }
        var plain = Run(false);
        var guarded = Run(true);
        Assert.Equal(plain.Names, guarded.Names);
        Assert.True(guarded.Y.allclose(plain.Y, 1e-12, 1e-12));
        Assert.All(plain.Grads.Zip(guarded.Grads), p => Assert.True(p.Second.allclose(p.First, 1e-10, 1e-10)));
    }

    [Fact]
    public void Without_gradients_the_plain_convolution_runs()
    {
        TorchRuntime.Initialize(1);
        using var scope = torch.NewDisposeScope();
        using var _ = NumericsSelfCheck.With(NumericsConfiguration.Guarded);
        var conv = new ConvSpec(3, 12, 3, 1, 1).Create();
        var x = torch.randn([2, 3, 8, 8]);
        int calls = 0;
        var hook = conv.register_forward_hook((m, i, o) => { calls++; return o; });
        using (torch.no_grad()) ConvolutionGuard.Forward(conv, x);
        Assert.Equal(1, calls); // through the module (hooks such as MAC counting see it)
        ConvolutionGuard.Forward(conv, x);
        Assert.Equal(1, calls); // with gradients: the padded functional path
        hook.remove();
    }
}
