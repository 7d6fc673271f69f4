using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using NasOnnx.Architectures;
using NasOnnx.Data;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Spaces;
using Onnx;
using Xunit.Abstractions;

namespace NasOnnx.Tests.Onnx;

/// <summary>
/// The proof that preprocessing inside the model is the training normalization: uint8 images into the preprocessed
/// model and the same images normalized in C# (<see cref="Normalization.Apply"/>) into the plain model give the same
/// logits, for both layouts, fixed and any size, grayscale and RGB.
/// </summary>
public sealed class PreprocessingExportTests(ITestOutputHelper output)
{
    private static readonly Normalization Rgb = new([0.49f, 0.48f, 0.45f], [0.25f, 0.24f, 0.26f]);
    private static readonly Normalization Gray = Normalization.FashionMnist;

    private static NasNetwork Network(int channels, int seed)
    {
        var arch = SpaceRegistry.Create("chain", new SpaceOptions(Channels: channels, Resolution: 12, Classes: 5, Width: 4, Depth: 1)).Sample(new Random(seed));
        return NetworkFactory.BuildRandom(arch, seed); // seeded weights and randomized BatchNorm statistics
    }

    private static ExportOptions Options(Normalization n, PreprocessLayout layout = PreprocessLayout.None, bool anySize = false) => new()
    {
        Dataset = "test",
        NormalizationMean = n.Mean,
        NormalizationStd = n.Std,
        Preprocess = layout,
        AnySize = anySize,
        ClassNames = layout == PreprocessLayout.None ? null : ["a", "b", "c", "d", "e"],
    };

    [Theory]
    [InlineData(3, PreprocessLayout.Nchw, false)]
    [InlineData(3, PreprocessLayout.Nhwc, false)]
    [InlineData(3, PreprocessLayout.Nhwc, true)]
    [InlineData(3, PreprocessLayout.Nchw, true)]
    [InlineData(1, PreprocessLayout.Nchw, false)]
    [InlineData(1, PreprocessLayout.Nhwc, true)]
    public void Uint8_images_into_the_preprocessed_model_match_normalized_floats_into_the_plain_model(int channels, PreprocessLayout layout, bool anySize)
    {
        OnnxTestKit.Init();
        using var net = Network(channels, seed: 11 + channels);
        net.eval();
        var normalization = channels == 3 ? Rgb : Gray;
        byte[] plain = OnnxExporter.BuildModel(net, Options(normalization)).ToByteArray();
        var model = OnnxExporter.BuildModel(net, Options(normalization, layout, anySize));
        byte[] preprocessed = model.ToByteArray();
        string tag = $"preprocess_{layout.ToString().ToLowerInvariant()}{(anySize ? "_anysize" : "")}_c{channels}";
        OnnxTestKit.Keep(tag, preprocessed);

        var r = OnnxVerifier.ComparePreprocessed(plain, preprocessed, layout, normalization, net.Architecture.Input, seed: 3, threads: 1, 1, 4);
        OnnxTestKit.Record(tag, r);
        output.WriteLine($"{tag}: max abs diff {r.MaxAbsDiff:G3}, rel {r.MaxRelDiff:G3}, max |logit| {r.MaxAbsOutput:G3}");
        Assert.True(r.MaxAbsDiff <= OnnxTestKit.Tolerance, $"{tag}: max abs diff {r.MaxAbsDiff:G3}");
        Assert.True(r.MaxAbsOutput > 0.01, "the comparison must see real logits");

        var input = model.Graph.Input.Single();
        Assert.Equal((int)TensorProto.Types.DataType.Uint8, input.Type.TensorType.ElemType);
        var dims = input.Type.TensorType.Shape.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString() : d.DimParam).ToArray();
        string h = anySize ? "height" : "12", w = anySize ? "width" : "12";
        Assert.Equal(layout == PreprocessLayout.Nhwc ? ["batch", h, w, $"{channels}"] : new[] { "batch", $"{channels}", h, w }, dims);
        var meta = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(layout.ToString().ToLowerInvariant(), meta[OnnxExporter.Keys.InputLayout]);
        Assert.Equal("uint8", meta[OnnxExporter.Keys.InputType]);
        Assert.Equal(anySize ? "any" : "fixed", meta[OnnxExporter.Keys.InputSize]);
        Assert.Equal("12x12", meta[OnnxExporter.Keys.Resolution]);
        Assert.Equal($"{channels}", meta[OnnxExporter.Keys.Channels]);
        Assert.Equal("""["a","b","c","d","e"]""", meta[OnnxExporter.Keys.Classes]);
        Assert.Equal(anySize, meta.ContainsKey(OnnxExporter.Keys.Resize));
    }

    /// <summary>
    /// A 24x30 image made by repeating every pixel of a 12x15 image twice each way: scaled by 1/2 (shorter side 24 -> 12)
    /// the linear half-pixel Resize gives back the 12x15 pixels exactly, and the centre crop takes columns 1..12, so the
    /// any-size model must equal the plain model fed that crop. This pins the geometry (scale, rounding, crop offset).
    /// </summary>
    [Theory]
    [InlineData(PreprocessLayout.Nhwc)]
    [InlineData(PreprocessLayout.Nchw)]
    public void Any_size_resizes_the_shorter_side_and_crops_the_centre(PreprocessLayout layout)
    {
        OnnxTestKit.Init();
        using var net = Network(3, seed: 21);
        net.eval();
        byte[] plain = OnnxExporter.BuildModel(net, Options(Rgb)).ToByteArray();
        byte[] anySize = OnnxExporter.BuildModel(net, Options(Rgb, layout, anySize: true)).ToByteArray();
        const int c = 3, sh = 12, sw = 15;
        var source = new byte[c * sh * sw];
        new Random(4).NextBytes(source);
        var big = new byte[c * 2 * sh * 2 * sw]; // CHW, 24 x 30
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < 2 * sh; y++)
                for (int x = 0; x < 2 * sw; x++) big[(ch * 2 * sh + y) * 2 * sw + x] = source[(ch * sh + y / 2) * sw + x / 2];
        var crop = new byte[c * 12 * 12];
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < 12; y++)
                for (int x = 0; x < 12; x++) crop[(ch * 12 + y) * 12 + x] = source[(ch * sh + y) * sw + x + 1];

        float[] expected = Run(plain, ImageBatch.Normalized([crop], Rgb, c, 12, 12));
        float[] actual = Run(anySize, ImageBatch.Pixels([big], layout, c, 2 * sh, 2 * sw));
        double maxAbs = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        output.WriteLine($"any size {layout} 24x30 -> 12x15 -> crop: max abs diff {maxAbs:G3}");
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(maxAbs <= OnnxTestKit.Tolerance, $"max abs diff {maxAbs:G3}");
    }

    private static float[] Run(byte[] model, OrtValue input)
    {
        using var session = new InferenceSession(model, new SessionOptions { IntraOpNumThreads = 1 });
        using (input)
        using (var ro = new RunOptions())
        using (var outputs = session.Run(ro, [OnnxExporter.InputName], [input], [OnnxExporter.OutputName]))
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    [Fact]
    public void Export_with_preprocessing_verifies_and_writes_the_uint8_model()
    {
        OnnxTestKit.Init();
        using var net = Network(3, seed: 5);
        string path = Path.Combine(Directory.CreateTempSubdirectory("nasonnx-pre-").FullName, "model.onnx");
        var result = OnnxExporter.Export(net, path, Options(Rgb, PreprocessLayout.Nhwc) with { Verify = true });
        Assert.NotNull(result.Verification);
        Assert.True(result.Verification!.MaxAbsDiff <= OnnxTestKit.Tolerance);
        var info = OnnxInspector.Inspect(path);
        Assert.Equal("input: uint8[batch, 12, 12, 3]", info.Inputs.Single().ToString());
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void Default_export_has_no_input_or_class_metadata_and_preprocessing_needs_the_normalization()
    {
        OnnxTestKit.Init();
        using var net = Network(1, seed: 2);
        var meta = OnnxExporter.BuildModel(net, new ExportOptions { Dataset = "test" }).MetadataProps.Select(p => p.Key).ToArray();
        Assert.DoesNotContain(OnnxExporter.Keys.InputLayout, meta);
        Assert.DoesNotContain(OnnxExporter.Keys.Classes, meta);
        Assert.DoesNotContain(OnnxExporter.Keys.Resolution, meta);
        var e = Assert.Throws<NasOnnxException>(() => OnnxExporter.BuildModel(net, new ExportOptions { Preprocess = PreprocessLayout.Nchw }));
        Assert.Contains("normalization", e.Message);
        Assert.Throws<NasOnnxException>(() => OnnxExporter.BuildModel(net, Options(Gray) with { ClassNames = ["only one"] }));
    }
}
