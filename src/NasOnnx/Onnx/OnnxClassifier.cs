using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NasOnnx.Data;

namespace NasOnnx.Onnx;

/// <summary>
/// An exported classifier loaded in ONNX Runtime with what its metadata says about its input: a model with
/// preprocessing inside gets the raw uint8 pixels in its layout, a plain model the pixels normalized with
/// <c>nasonnx.normalization</c>. Images come as <see cref="ImageDecoder"/> returns them (uint8 CHW at
/// <see cref="Height"/> x <see cref="Width"/>, <see cref="Channels"/> channels); any-size models get them at the
/// trained resolution too, so both kinds see the same pixels.
/// </summary>
public sealed class OnnxClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly Normalization? _normalization;

    public string Path { get; }

    /// <summary>The uint8 input's layout, or <see cref="PreprocessLayout.None"/> for a plain float model.</summary>
    public PreprocessLayout Preprocess { get; }

    public bool AnySize { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>One name per output: given, from <c>nasonnx.classes</c>, or the class indices.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Where <see cref="ClassNames"/> came from: "given", "metadata" or "indices".</summary>
    public string ClassNamesSource { get; }

    private OnnxClassifier(string path, InferenceSession session, IReadOnlyList<string>? classNames)
    {
        Path = path;
        _session = session;
        var meta = session.ModelMetadata.CustomMetadataMap;
        if (!session.InputMetadata.TryGetValue(OnnxExporter.InputName, out var input) || !session.OutputMetadata.TryGetValue(OnnxExporter.OutputName, out var output))
            throw Missing($"an input '{OnnxExporter.InputName}' and an output '{OnnxExporter.OutputName}'");
        int[] outDims = output.Dimensions;
        if (outDims.Length != 2 || outDims[1] < 1) throw Missing($"an output '{OnnxExporter.OutputName}' of shape [batch, classes]");
        int classes = outDims[1];

        if (input.ElementDataType == TensorElementType.UInt8)
        {
            Preprocess = Enum.TryParse<PreprocessLayout>(meta.GetValueOrDefault(OnnxExporter.Keys.InputLayout), ignoreCase: true, out var layout) && layout != PreprocessLayout.None
                ? layout : throw Missing($"metadata '{OnnxExporter.Keys.InputLayout}' (nchw or nhwc) for its uint8 input");
            AnySize = meta.GetValueOrDefault(OnnxExporter.Keys.InputSize) == "any";
            (Height, Width) = ParseResolution(meta.GetValueOrDefault(OnnxExporter.Keys.Resolution));
            Channels = int.TryParse(meta.GetValueOrDefault(OnnxExporter.Keys.Channels), NumberStyles.Integer, CultureInfo.InvariantCulture, out int c)
                ? c : throw Missing($"metadata '{OnnxExporter.Keys.Channels}'");
        }
        else if (input.ElementDataType == TensorElementType.Float && input.Dimensions is [_, > 0 and var c, > 0 and var h, > 0 and var w])
        {
            (Channels, Height, Width) = (c, h, w);
            _normalization = ParseNormalization(meta.GetValueOrDefault(OnnxExporter.Keys.Normalization))
                ?? throw Missing($"metadata '{OnnxExporter.Keys.Normalization}' (the mean and std its float input was normalized with)",
                    "Re-export with the normalization (nasonnx export --mean/--std, or the export stage with its `data` input), or with --preprocess.");
            if (_normalization.Channels != Channels) throw Missing($"a normalization with {Channels} channel(s) (it has {_normalization.Channels})");
        }
        else throw Missing($"a uint8 image input or a float [batch, C, H, W] input named '{OnnxExporter.InputName}'");
        if (Channels is not (1 or 3)) throw Missing("1 (grayscale) or 3 (RGB) input channels");

        if (classNames is not null)
        {
            if (classNames.Count != classes)
                throw new NasOnnxException($"{classNames.Count} class names were given; the model has {classes} classes.", "Give one name per class, in label order.") { FilePath = path };
            (ClassNames, ClassNamesSource) = (classNames, "given");
        }
        else if (ParseClasses(meta.GetValueOrDefault(OnnxExporter.Keys.Classes)) is { } named && named.Count == classes)
            (ClassNames, ClassNamesSource) = (named, "metadata");
        else
            (ClassNames, ClassNamesSource) = (Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(), "indices");
    }

    /// <summary>Loads a model; a missing file, a file ONNX Runtime cannot load, or missing input facts fail naming the file.</summary>
    public static OnnxClassifier Open(string path, IReadOnlyList<string>? classNames = null, int threads = 1)
    {
        if (!File.Exists(path)) throw new NasOnnxException("The model file was not found.", "Check the path to the .onnx file.") { FilePath = path };
        var session = OnnxSessions.Open(path, threads, "Pass a .onnx file written by `nasonnx export` or the export stage.");
        try
        {
            return new OnnxClassifier(path, session, classNames);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Class probabilities (softmax of the logits) for each image, uint8 CHW at the model's resolution.</summary>
    public float[][] Classify(IReadOnlyList<byte[]> images)
    {
        if (images.Count == 0) return [];
        using var input = Preprocess == PreprocessLayout.None
            ? ImageBatch.Normalized(images, _normalization!, Channels, Height, Width)
            : ImageBatch.Pixels(images, Preprocess, Channels, Height, Width);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, [OnnxExporter.InputName], [input], [OnnxExporter.OutputName]);
        var logits = outputs[0].GetTensorDataAsSpan<float>();
        int classes = ClassNames.Count;
        var result = new float[images.Count][];
        for (int i = 0; i < images.Count; i++) result[i] = Softmax(logits.Slice(i * classes, classes));
        return result;
    }

    internal static float[] Softmax(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += p[i] = Math.Exp(logits[i] - (double)max); // shifted: no overflow
        return p.Select(v => (float)(v / sum)).ToArray();
    }

    private NasOnnxException Missing(string what, string? fix = null) =>
        new($"The model has no {what}, so predict cannot tell how to feed it.",
            fix ?? "Use a model exported by this version of NasOnnx (nasonnx export, optionally with --preprocess).") { FilePath = Path };

    private (int Height, int Width) ParseResolution(string? text)
    {
        var parts = text?.Split('x') ?? [];
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int h) && h > 0
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int w) && w > 0
            ? (h, w) : throw Missing($"metadata '{OnnxExporter.Keys.Resolution}' (HxW)");
    }

    private static Normalization? ParseNormalization(string? json)
    {
        if (json is null) return null;
        try
        {
            var doc = JsonSerializer.Deserialize<Dictionary<string, float[]>>(json);
            return doc is not null && doc.TryGetValue("mean", out var mean) && doc.TryGetValue("std", out var std) ? new Normalization(mean, std) : null;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return null;
        }
    }

    internal static IReadOnlyList<string>? ParseClasses(string? json)
    {
        if (json is null) return null;
        try
        {
            return JsonSerializer.Deserialize<string[]>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _session.Dispose();
}
