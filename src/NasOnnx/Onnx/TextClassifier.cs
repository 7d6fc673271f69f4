using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using NasOnnx.Data;

namespace NasOnnx.Onnx;

/// <summary>
/// An exported text classifier in ONNX Runtime with the vocabulary it was trained with: texts are tokenized exactly as
/// prepare-data tokenized the training data (<see cref="TextVocabulary.Encode(string)"/>), then fed as int64 ids. The
/// vocabulary file must be the one whose SHA-256 the model carries (nasonnx.vocabulary_sha256), so a model is never fed
/// ids from another vocabulary.
/// </summary>
public sealed class TextClassifier : IDisposable
{
    private readonly InferenceSession _session;

    public string Path { get; }
    public TextVocabulary Vocabulary { get; }
    public string VocabularyPath { get; }
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Where <see cref="ClassNames"/> came from: "metadata" or "indices".</summary>
    public string ClassNamesSource { get; }

    private TextClassifier(string path, InferenceSession session, string vocabularyPath)
    {
        Path = path;
        _session = session;
        var meta = session.ModelMetadata.CustomMetadataMap;
        if (!session.OutputMetadata.TryGetValue(OnnxExporter.OutputName, out var output) || output.Dimensions is not [_, > 0 and var classes])
            throw new NasOnnxException($"The model has no output '{OnnxExporter.OutputName}' of shape [batch, classes].", "Use a model exported by NasOnnx.") { FilePath = path };
        VocabularyPath = vocabularyPath;
        Vocabulary = TextVocabulary.Load(vocabularyPath);
        string actual = TextVocabulary.FileSha256(vocabularyPath);
        if (meta.TryGetValue(OnnxExporter.Keys.VocabularyHash, out var expected) && !string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
            throw new NasOnnxException($"{System.IO.Path.GetFileName(vocabularyPath)} is not the vocabulary this model was trained with (SHA-256 {actual[..12]}…, the model expects {expected[..Math.Min(12, expected.Length)]}…).",
                "Use the vocab.json exported beside the model (the export stage's folder), or pass it with --vocab.") { FilePath = vocabularyPath };
        if (meta.TryGetValue(OnnxExporter.Keys.Vocabulary, out var size) && int.TryParse(size, CultureInfo.InvariantCulture, out int n) && n != Vocabulary.Count)
            throw new NasOnnxException($"The model reads {n} token ids, {System.IO.Path.GetFileName(vocabularyPath)} has {Vocabulary.Count}.",
                "Use the vocab.json exported beside the model.") { FilePath = vocabularyPath };
        (ClassNames, ClassNamesSource) = OnnxClassifier.ParseClasses(meta.GetValueOrDefault(OnnxExporter.Keys.Classes)) is { } named && named.Count == classes
            ? (named, "metadata")
            : (Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(), "indices");
    }

    /// <summary>Whether a model takes token ids (its input is "tokens"), i.e. whether to open it with this class.</summary>
    public static bool TakesText(string path)
    {
        if (!File.Exists(path)) return false;
        using var session = OnnxSessions.Open(path, 1, "Pass a .onnx file written by `nasonnx export` or the export stage.");
        return session.InputMetadata.ContainsKey(OnnxExporter.TokensName);
    }

    /// <param name="vocabularyPath">The vocabulary file; null: vocab.json beside the model.</param>
    public static TextClassifier Open(string path, string? vocabularyPath = null, int threads = 1)
    {
        if (!File.Exists(path)) throw new NasOnnxException("The model file was not found.", "Check the path to the .onnx file.") { FilePath = path };
        vocabularyPath ??= System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, TextVocabulary.FileName);
        if (!File.Exists(vocabularyPath))
            throw new NasOnnxException($"The model takes token ids and its vocabulary ({TextVocabulary.FileName}) is not beside it.",
                "Pass the vocab.json the export stage wrote with --vocab FILE, or copy it next to the model.") { FilePath = vocabularyPath };
        var session = OnnxSessions.Open(path, threads, "Pass a .onnx file written by `nasonnx export` or the export stage.");
        try
        {
            return new TextClassifier(path, session, vocabularyPath);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Class probabilities (softmax of the logits) for each text, one run per text (no padding needed).</summary>
    public float[][] Classify(IReadOnlyList<string> texts)
    {
        var result = new float[texts.Count][];
        using var runOptions = new RunOptions();
        for (int i = 0; i < texts.Count; i++)
        {
            long[] ids = Vocabulary.Encode(texts[i]).Select(id => (long)id).ToArray();
            if (ids.Length == 0) ids = [TokenIds.Unknown];
            using var input = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
            using var outputs = _session.Run(runOptions, [OnnxExporter.TokensName], [input], [OnnxExporter.OutputName]);
            result[i] = OnnxClassifier.Softmax(outputs[0].GetTensorDataAsSpan<float>());
        }
        return result;
    }

    public void Dispose() => _session.Dispose();
}
