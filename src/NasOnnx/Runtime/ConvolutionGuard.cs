using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasOnnx.Runtime;

/// <summary>
/// The "guarded" numerics configuration: oneDNN stays on, and a dense convolution of the shape class whose backward-data
/// kernel is wrong on some CPUs (see <see cref="LibTorchSwitches"/>: stride any, kernel above 1x1, output channels not a
/// multiple of the SIMD block) is computed with its output channels zero-padded to the next multiple of 16 and the extra
/// channels sliced off. Same values (the padded filters are zero and never trained: their gradient is dropped by the
/// slice), same parameters and state-dict names, exact gradients; it costs the padded channels' arithmetic on those
/// convolutions only, instead of losing oneDNN everywhere (about 3x on a training step, see `nasonnx bench train
/// --compare-numerics`). Depthwise and 1x1 convolutions, and everything without gradients, run as they are.
/// <see cref="NumericsSelfCheck"/> turns it on only after its probes passed through it on this machine.
/// </summary>
public static class ConvolutionGuard
{
    /// <summary>AVX-512 holds 16 floats; a multiple of 16 is also one of AVX2's 8.</summary>
    public const long Block = 16;

    /// <summary>Set by <see cref="NumericsSelfCheck"/> (and benchmarks); off in the default and safe configurations.</summary>
    public static bool Active { get; internal set; }

    /// <summary>The shape class that is padded when <see cref="Active"/>.</summary>
    public static bool Suspect(long outChannels, long groups, long kernelHeight, long kernelWidth) =>
        groups == 1 && kernelHeight * kernelWidth > 1 && outChannels % Block != 0;

    /// <summary><paramref name="conv"/>(<paramref name="x"/>), padded when the guard is on, gradients are wanted and the shape is suspect.</summary>
    public static Tensor Forward(Conv2d conv, Tensor x)
    {
        var w = conv.weight!;
        if (!Applies(x, w, conv.groups) || conv.padding is null || conv.padding_mode != PaddingModes.Zeros) return conv.call(x);
        return Padded(x, w, conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups);
    }

    /// <summary>The functional form, for the self-check's probes: the same rule as <see cref="Forward"/>.</summary>
    public static Tensor Conv2d(Tensor x, Tensor w, long[] stride, long[] padding, long[] dilation, long groups) =>
        Applies(x, w, groups) ? Padded(x, w, null, stride, padding, dilation, groups)
            : nn.functional.conv2d(x, w, null, stride, padding, dilation, groups);

    private static bool Applies(Tensor x, Tensor w, long groups) =>
        Active && torch.is_grad_enabled() && (x.requires_grad || w.requires_grad) && Suspect(w.shape[0], groups, w.shape[2], w.shape[3]);

    private static Tensor Padded(Tensor x, Tensor w, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups)
    {
        long outChannels = w.shape[0];
        long extra = (outChannels + Block - 1) / Block * Block - outChannels;
        var weight = torch.cat([w, torch.zeros([extra, w.shape[1], w.shape[2], w.shape[3]], w.dtype, w.device)], 0);
        var b = bias is null ? null : torch.cat([bias, torch.zeros([extra], bias.dtype, bias.device)], 0);
        return nn.functional.conv2d(x, weight, b, stride, padding, dilation, groups).narrow(1, 0, outChannels);
    }
}
