using NasOnnx.Architectures;
using NasOnnx.Data;
using NasOnnx.OnnxGraph;
using Onnx;
using static NasOnnx.OnnxGraph.OnnxGraphBuilder;

namespace NasOnnx.Onnx;

/// <summary>
/// The nodes in front of the network when a model takes raw uint8 images: Cast to float, Transpose NHWC -> NCHW
/// (NHWC only), for any size a Resize of the shorter side to the trained resolution and the centre crop, then the
/// training normalization (pixel / 255 - mean) / std folded into one Mul and one Add per channel.
/// </summary>
internal static class PreprocessingGraph
{
    public const string HeightParam = "height";
    public const string WidthParam = "width";

    /// <summary>What the any-size Resize does, recorded in the metadata so a deployer knows how it differs from
    /// <see cref="ImageDecoder"/> (Mitchell cubic with Skia's filtering; opset 17's Resize has no antialiasing).</summary>
    public const string ResizeDescription = "shorter side to the resolution (ONNX Resize, linear, half_pixel, no antialiasing), then the centre crop";

    /// <summary>Adds the uint8 graph input <paramref name="inputName"/> and returns the value the network reads
    /// (normalized float [N, C, H, W] at the trained resolution).</summary>
    public static string Emit(OnnxGraphBuilder g, string inputName, InputShape shape, PreprocessLayout layout, bool anySize, Normalization normalization)
    {
        if (layout == PreprocessLayout.None) throw new ArgumentOutOfRangeException(nameof(layout), "no preprocessing to emit");
        if (normalization.Channels != shape.Channels)
            throw new NasOnnxException($"The normalization has {normalization.Channels} channel(s), the network's input {shape.Channels}.",
                "Give one mean and one std per input channel.");
        var c = Dim(shape.Channels);
        var h = anySize ? Dim(HeightParam) : Dim(shape.Height);
        var w = anySize ? Dim(WidthParam) : Dim(shape.Width);
        g.AddInput(inputName, TensorProto.Types.DataType.Uint8, layout == PreprocessLayout.Nhwc ? [h, w, c] : [c, h, w]);

        string x = g.Node("Cast", [inputName], "pixels", Int("to", (long)TensorProto.Types.DataType.Float));
        if (layout == PreprocessLayout.Nhwc) x = g.Node("Transpose", [x], "pixels_nchw", Ints("perm", 0, 3, 1, 2));
        if (anySize) x = ResizeAndCropCentre(g, x, shape.Height, shape.Width);

        // (p / 255 - mean) / std = p * (1 / (255 std)) + (-mean / std); computed in double, applied after the resize
        // because both are per-channel affine maps, which commute with interpolation, and the crop is smaller.
        var scale = new float[shape.Channels];
        var shift = new float[shape.Channels];
        for (int ch = 0; ch < shape.Channels; ch++)
        {
            double std = normalization.Std[ch];
            scale[ch] = (float)(1.0 / (255.0 * std));
            shift[ch] = (float)(-normalization.Mean[ch] / std);
        }
        long[] perChannel = [1, shape.Channels, 1, 1];
        x = g.Node("Mul", [x, g.AddInitializer("normalize.scale", scale, perChannel)], "pixels_scaled");
        return g.Node("Add", [x, g.AddInitializer("normalize.shift", shift, perChannel)], "normalized");
    }

    /// <summary>
    /// The ImageDecoder's geometry in opset-17 ops: scale = max(H_t / H, W_t / W) (the shorter side for a square
    /// target), new size = max(round(size * scale), target), Resize to it, then Slice the centred H_t x W_t window.
    /// </summary>
    private static string ResizeAndCropCentre(OnnxGraphBuilder g, string x, int height, int width)
    {
        string shape = g.Node("Shape", [x], "image_shape");
        string sizeHw = g.Node("Slice", [shape, g.Int64s(2), g.Int64s(4)], "image_hw");
        string sizeHwFloat = g.Node("Cast", [sizeHw], "image_hw_f", Int("to", (long)TensorProto.Types.DataType.Float));
        string target = g.AddInitializer("resize.target_hw", [height, width], [2]);
        string ratio = g.Node("Div", [target, sizeHwFloat], "resize.ratio");
        string scale = g.Node("ReduceMax", [ratio], "resize.scale", Int("keepdims", 1));
        string scaled = g.Node("Round", [g.Node("Mul", [sizeHwFloat, scale], "resize.scaled")], "resize.rounded");
        string covering = g.Node("Max", [scaled, target], "resize.covering");
        string newHw = g.Node("Cast", [covering], "resize.hw", Int("to", (long)TensorProto.Types.DataType.Int64));
        string batchAndChannels = g.Node("Slice", [shape, g.Int64s(0), g.Int64s(2)], "image_nc");
        string sizes = g.Node("Concat", [batchAndChannels, newHw], "resize.sizes", Int("axis", 0));
        string resized = g.Node("Resize", [x, "", "", sizes], "resized",
            Str("mode", "linear"), Str("coordinate_transformation_mode", "half_pixel"));
        string targetHw = g.Int64s(height, width);
        string start = g.Node("Div", [g.Node("Sub", [newHw, targetHw], "crop.margin"), g.Int64s(2)], "crop.start");
        string end = g.Node("Add", [start, targetHw], "crop.end");
        return g.Node("Slice", [resized, start, end, g.Int64s(2, 3)], "cropped");
    }
}
