namespace NasOnnx.OnnxGraph;

/// <summary>Geometry of a 2-d convolution, kept beside the TorchSharp module so the emitter need not read it back.</summary>
public sealed record ConvSpec(long In, long Out, long Kernel, long Stride = 1, long Padding = 0, long Dilation = 1, long Groups = 1, bool Bias = false)
{
    /// <summary>Creates the TorchSharp module with this geometry.</summary>
    public Conv2d Create() => nn.Conv2d(In, Out, Kernel, Stride, Padding, Dilation, TorchSharp.PaddingModes.Zeros, Groups, Bias);
}
