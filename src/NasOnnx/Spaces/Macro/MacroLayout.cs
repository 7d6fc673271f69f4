namespace NasOnnx.Spaces.Macro;

/// <summary>A skip connection into a layer: from layer <see cref="From"/>'s output (its width and resolution), across <see cref="Reductions"/> stride-2 layers.</summary>
public sealed record MacroSkipShape(int From, int FromWidth, int FromResolution, int Reductions)
{
    /// <summary>The skip needs a projection (strided 1x1 conv + BN) unless the shapes already match.</summary>
    public bool NeedsProjection(int width) => FromWidth != width || Reductions != 0;
}

/// <summary>One layer's place in a macro network: its op, input and output width, stride, resolutions and skips.</summary>
public sealed record MacroLayerShape(MacroOp Op, int In, int Width, int Stride, int Resolution, int ResolutionOut, IReadOnlyList<MacroSkipShape> Skips);

/// <summary>
/// The one description of a macro architecture's layout that the network and the latency model both build from: layers
/// depth/3 and 2*depth/3 have stride 2; a pooling layer keeps its input's width.
/// </summary>
public static class MacroLayout
{
    public static IReadOnlyList<MacroLayerShape> Of(MacroArchitecture arch)
    {
        var reductions = MacroConfig.Reductions(arch.Layers.Count);
        var result = new List<MacroLayerShape>();
        var reducedBy = new List<int>(); // reductions applied up to and including layer i
        int prev = arch.Config.StemWidth, r = arch.Input.Height, reduced = 0;
        for (int i = 0; i < arch.Layers.Count; i++)
        {
            var l = arch.Layers[i];
            int stride = reductions.Contains(i) ? 2 : 1;
            if (stride == 2) reduced++;
            int width = l.IsConv ? l.Width : prev;
            int rOut = (r - 1) / stride + 1;
            var skips = l.Skips.Select(j => new MacroSkipShape(j, result[j].Width, result[j].ResolutionOut, reduced - reducedBy[j])).ToArray();
            result.Add(new MacroLayerShape(l.Kind!.Value, prev, width, stride, r, rOut, skips));
            reducedBy.Add(reduced);
            prev = width;
            r = rOut;
        }
        return result;
    }
}
