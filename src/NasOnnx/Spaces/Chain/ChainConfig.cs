namespace NasOnnx.Spaces.Chain;

/// <summary>A stage of the chain: <see cref="Depth"/> layers of <see cref="Width"/> channels; the first layer has <see cref="Stride"/>.</summary>
public sealed record ChainStage(int Width, int Depth, int Stride);

/// <summary>One layer's place in the network: input and output width, stride and input resolution.</summary>
public sealed record ChainLayerShape(int In, int Out, int Stride, int Resolution)
{
    /// <summary>Skip (identity) is a choice only where the layer keeps the shape.</summary>
    public bool SkipAllowed => Stride == 1 && In == Out;
}

/// <summary>Network parameters: stem conv width, stages, 1x1 head width before pooling.</summary>
public sealed record ChainConfig(int StemWidth, IReadOnlyList<ChainStage> Stages, int HeadWidth)
{
    public int Layers => Stages.Sum(s => s.Depth);

    /// <summary>
    /// The one description of the chain's layout that the network, the supernet and the latency model all build from:
    /// per layer its widths, stride and input resolution (for an input of <paramref name="resolution"/>).
    /// </summary>
    public IReadOnlyList<ChainLayerShape> LayerShapes(int resolution = 0)
    {
        var result = new List<ChainLayerShape>();
        int width = StemWidth, r = resolution;
        foreach (var s in Stages)
            for (int i = 0; i < s.Depth; i++)
            {
                int stride = i == 0 ? s.Stride : 1;
                result.Add(new ChainLayerShape(width, s.Width, stride, r));
                width = s.Width;
                r = (r - 1) / stride + 1;
            }
        return result;
    }

    /// <summary>Width of the last layer's output (the stem's when there are no layers).</summary>
    public int LastWidth => Stages.Count > 0 && Layers > 0 ? Stages.Last(s => s.Depth > 0).Width : StemWidth;

    public bool Equals(ChainConfig? other) => other is not null && StemWidth == other.StemWidth && HeadWidth == other.HeadWidth && Stages.SequenceEqual(other.Stages);
    public override int GetHashCode() => HashCode.Combine(StemWidth, HeadWidth, Stages.Count);
}
