using System.Text.Json;
using NasOnnx.Architectures;
using NasOnnx.Cli;
using NasOnnx.Onnx;
using NasOnnx.Spaces;
using SkiaSharp;

namespace NasOnnx.Tests.Cli;

/// <summary>`nasonnx predict` on generated PNGs: a preprocessed and a plain export of one network agree; errors name the file.</summary>
public sealed class PredictCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private static readonly string[] Classes = ["cat", "dog", "bird", "fish"];

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Output) Run(params string[] args) => CliTests.Run(args);

    /// <summary>The same seeded network exported plain (normalization in the metadata only) and with preprocessing.</summary>
    private string Export(string name, PreprocessLayout layout, bool anySize = false, bool withNormalization = true)
    {
        var arch = SpaceRegistry.Create("chain", new SpaceOptions(Channels: 3, Resolution: 12, Classes: 4, Width: 4, Depth: 1)).Sample(new Random(8));
        string path = _dir[name];
        ArchitectureExporter.ExportRandom(arch, seed: 8, path, new ExportOptions
        {
            NormalizationMean = withNormalization ? [0.5f, 0.45f, 0.4f] : null,
            NormalizationStd = withNormalization ? [0.25f, 0.25f, 0.3f] : null,
            Preprocess = layout,
            AnySize = anySize,
            ClassNames = layout == PreprocessLayout.None ? null : Classes,
        });
        return path;
    }

    private string Images()
    {
        string folder = _dir["images"];
        Directory.CreateDirectory(folder);
        var random = new Random(1);
        foreach (var (name, w, h) in new[] { ("b.png", 12, 12), ("a.png", 20, 16), ("c.png", 9, 30) })
        {
            using var bitmap = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, name), data.ToArray());
        }
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an image, and not picked up from a folder");
        return folder;
    }

    private static JsonElement[] Predictions(string output)
    {
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.GetProperty("images").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    [Fact]
    public void Preprocessed_and_plain_models_give_the_same_classes_and_probabilities()
    {
        OnnxTestKitInit();
        string folder = Images();
        string plain = Export("plain.onnx", PreprocessLayout.None);
        var (code, plainJson) = Run("predict", plain, folder, "--json", "--top", "4", "--classes", string.Join(",", Classes));
        Assert.True(code == 0, plainJson);
        var expected = Predictions(plainJson);
        Assert.Equal(["a.png", "b.png", "c.png"], expected.Select(e => Path.GetFileName(e.GetProperty("path").GetString()!)));

        foreach (var (file, layout, anySize) in new[] { ("nchw.onnx", PreprocessLayout.Nchw, false), ("nhwc.onnx", PreprocessLayout.Nhwc, false), ("any.onnx", PreprocessLayout.Nhwc, true) })
        {
            string model = Export(file, layout, anySize);
            var (c, json) = Run("predict", model, folder, "--json", "--top", "4");
            Assert.True(c == 0, json);
            var actual = Predictions(json);
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                var e = expected[i].GetProperty("top").EnumerateArray().ToArray();
                var a = actual[i].GetProperty("top").EnumerateArray().ToArray();
                Assert.Equal(e[0].GetProperty("class").GetString(), a[0].GetProperty("class").GetString());
                var byClass = a.ToDictionary(t => t.GetProperty("class").GetString()!, t => t.GetProperty("probability").GetDouble());
                foreach (var t in e)
                    Assert.True(Math.Abs(t.GetProperty("probability").GetDouble() - byClass[t.GetProperty("class").GetString()!]) <= 1e-5, $"{file}: {json}");
            }
        }

        // Without --classes a plain model shows class indices; the table form names every image.
        var (tableCode, table) = Run("predict", plain, Path.Combine(folder, "b.png"), Path.Combine(folder, "a.png"));
        Assert.Equal(0, tableCode);
        Assert.Contains("b.png", table);
        Assert.Contains("class names from indices", table);
        var topTwo = Predictions(Run("predict", Export("nchw2.onnx", PreprocessLayout.Nchw), folder, "--json", "--top", "2").Output);
        Assert.All(topTwo, p => Assert.Equal(2, p.GetProperty("top").GetArrayLength()));
    }

    [Fact]
    public void Export_command_writes_a_preprocessed_model_that_predict_reads()
    {
        OnnxTestKitInit();
        string arch = _dir["arch.json"];
        Assert.Equal(0, Run("sample", "--space", "chain", "--seed", "2", "--width", "4", "--depth", "1", "--resolution", "12", "--channels", "3", "--classes", "4", "--out", arch).Code);
        string model = _dir["cli.onnx"];
        var (code, output) = Run("export", "--arch", arch, "--random-weights", "--out", model, "--mean", "0.5,0.5,0.5", "--std", "0.2,0.2,0.2",
            "--preprocess", "nhwc", "--any-size", "--classes", string.Join(",", Classes), "--threads", "1");
        Assert.True(code == 0, output);
        Assert.Contains("uint8 images [N, H, W, C], any size", output);
        (code, output) = Run("predict", model, Images(), "--json");
        Assert.True(code == 0, output);
        Assert.All(Predictions(output), p => Assert.Contains(p.GetProperty("top")[0].GetProperty("class").GetString(), Classes));

        (code, output) = Run("export", "--arch", arch, "--random-weights", "--out", _dir["x.onnx"], "--preprocess", "nchw");
        Assert.Equal(NasOnnxCli.ExitUsage, code);
        Assert.Contains("--mean and --std", output);
    }

    [Fact]
    public void Bad_inputs_fail_with_one_message_naming_the_file()
    {
        OnnxTestKitInit();
        string folder = Images();
        string model = Export("m.onnx", PreprocessLayout.Nchw);

        var (code, output) = Run("predict", _dir["missing.onnx"], folder);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("missing.onnx", output);

        string noNormalization = Export("bare.onnx", PreprocessLayout.None, withNormalization: false);
        (code, output) = Run("predict", noNormalization, folder);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("bare.onnx", output);
        Assert.Contains("nasonnx.normalization", output);

        string fake = Path.Combine(folder, "fake.png");
        File.WriteAllText(fake, "this is text");
        (code, output) = Run("predict", model, Path.Combine(folder, "a.png"), fake);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("fake.png", output);
        Assert.Contains("not an image", output);
        Assert.DoesNotContain("   at ", output);

        (code, output) = Run("predict", model, _dir["nowhere.png"]);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("nowhere.png", output);

        string empty = _dir["empty"];
        Directory.CreateDirectory(empty);
        (code, output) = Run("predict", model, empty);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("no image files", output);

        string notOnnx = _dir.Write("text.onnx", "not a model");
        (code, output) = Run("predict", notOnnx, folder);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("text.onnx", output);
    }

    private static void OnnxTestKitInit() => NasOnnx.Runtime.TorchRuntime.Initialize(threads: 1);
}
