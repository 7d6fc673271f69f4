namespace NasOnnx.Runtime;

/// <summary>
/// The memory layout image batches enter a network in. libtorch picks a convolution's kernels by the layout of its
/// input: channels-last (NHWC) inputs go to oneDNN's NHWC kernels, which train the depthwise and 1x1 convolutions
/// of MobileNet-style networks about twice as fast on a CPU as the NCHW ones (`nasonnx bench train --layout both`
/// measures it). The layout then carries through every op (convolution outputs follow their input), so only the
/// batch is converted; weights stay contiguous, and checkpoints and the ONNX exporter never see anything else.
/// Channels-last is used only while oneDNN is on (without it, the safe numerics configuration, ATen has no fast NHWC
/// path) and libtorch runs 2 threads or more: one training step of 10 small chain networks against float64 on AMD EPYC
/// (Zen 5), libtorch 2.10, gave weight-gradient errors up to 1e-5 of each gradient's scale for channels-last at 2
/// threads (NCHW: 2 of 10 networks at 2e-3 to 3e-3, ill-conditioned batch-norm gradients of 8 images), but at 1 thread
/// 3 of 10 networks at 5e-3 to 2.5e-2 for channels-last. NASONNX_CHANNELS_LAST=0 turns it off.
/// </summary>
public static class ImageLayout
{
    private static readonly bool DisabledByEnvironment = Environment.GetEnvironmentVariable("NASONNX_CHANNELS_LAST") == "0";

    /// <summary>Benchmarks: force a layout (null: the default rule).</summary>
    public static bool? Override { get; set; }

    /// <summary>True when image batches are converted to channels-last.</summary>
    public static bool ChannelsLast => Override ?? (!DisabledByEnvironment && LibTorchSwitches.OneDnnEnabled && TorchRuntime.Threads >= 2);

    /// <summary>
    /// The same values with NHWC strides. TorchSharp has no memory_format argument, so the NHWC copy is made with
    /// permute + contiguous and viewed back as [N, C, H, W] with explicit strides: libtorch recognises a tensor as
    /// channels-last by its strides (permuting back alone would leave size-1 dimensions with contiguous strides, and
    /// a one-channel image would not count as channels-last).
    /// </summary>
    public static Tensor ToChannelsLast(Tensor x)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        using var nhwc = x.permute(0, 2, 3, 1).contiguous();
        return nhwc.as_strided([n, c, h, w], [h * w * c, 1, w * c, c], 0);
    }
}
