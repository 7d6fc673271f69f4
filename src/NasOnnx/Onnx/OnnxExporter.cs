using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Google.Protobuf;
using NasOnnx.Networks;
using Onnx;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Data;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Onnx;

/// <summary>
/// Writes a NasOnnx network as a plain ONNX model (IR 8, opset 17): input "input" [batch, C, H, W], output
/// "logits" [batch, classes] (text networks, <see cref="ITokenNetwork"/>: input "tokens", int64 [batch, seq]), weights as initializers, architecture and run facts in metadata_props. The network
/// emits itself (each op writes its own nodes), so a new space needs nothing here. With
/// <see cref="ExportOptions.Preprocess"/> the input is uint8 images instead and the normalization is inside the graph.
/// </summary>
public static class OnnxExporter
{
    public const long IrVersion = 8;
    public const long Opset = 17;
    public const string InputName = "input";
    /// <summary>The input of a text network: int64 token ids [batch, seq], both dimensions symbolic.</summary>
    public const string TokensName = "tokens";
    public const string OutputName = "logits";
    public const string ProducerName = "NasOnnx";

    /// <summary>Metadata keys.</summary>
    public static class Keys
    {
        public const string Architecture = "nasonnx.architecture";
        public const string ArchId = "nasonnx.arch_id";
        public const string Space = "nasonnx.space";
        public const string Dataset = "nasonnx.dataset";
        public const string Normalization = "nasonnx.normalization";
        public const string Accuracy = "nasonnx.accuracy";
        public const string LatencyMs = "nasonnx.latency_ms";
        public const string BatchNormFolded = "nasonnx.bn_folded";
        public const string FoldedParameterDelta = "nasonnx.folded_param_delta";

        // Written only with preprocessing (the input keys) or given class names, so a default export keeps its bytes.
        /// <summary>"nchw" or "nhwc": the uint8 input's layout (absent: plain float [N, C, H, W], normalized).</summary>
        public const string InputLayout = "nasonnx.input_layout";
        /// <summary>"uint8" when the model takes raw pixels.</summary>
        public const string InputType = "nasonnx.input_type";
        /// <summary>"fixed" (the trained resolution) or "any" (resized inside the graph).</summary>
        public const string InputSize = "nasonnx.input_size";
        /// <summary>How an any-size model resizes.</summary>
        public const string Resize = "nasonnx.resize";
        /// <summary>The trained resolution, "HxW" (e.g. "28x28").</summary>
        public const string Resolution = "nasonnx.resolution";
        /// <summary>Image channels: 1 (grayscale) or 3 (RGB).</summary>
        public const string Channels = "nasonnx.channels";
        /// <summary>Text networks: the vocabulary size (ids at or above it are read as &lt;unk&gt;).</summary>
        public const string Vocabulary = "nasonnx.vocabulary_size";
        /// <summary>Text networks: the sequence length the model was trained and profiled at (it takes any length).</summary>
        public const string SequenceLength = "nasonnx.sequence_length";
        /// <summary>Text networks: SHA-256 of the vocabulary file that maps words to the ids the model takes.</summary>
        public const string VocabularyHash = "nasonnx.vocabulary_sha256";
        /// <summary>Class names in label order, a JSON array of strings.</summary>
        public const string Classes = "nasonnx.classes";
    }

    public static string ProducerVersion { get; } =
        (typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>
    /// Exports a network (built from an architecture, e.g. by NetworkFactory) with trained weights (TorchSharp state-dict
    /// file). Weights that do not match the architecture fail naming the first mismatch; on any failure no file is written.
    /// </summary>
    public static ExportResult Export(NasNetwork network, string weightsPath, string outPath, ExportOptions? options = null)
    {
        var sw = Stopwatch.StartNew();
        NetworkWeights.Load(network, weightsPath);
        return Write(network, outPath, options ?? new ExportOptions(), sw);
    }

    /// <summary>Exports a network already in memory (e.g. right after retraining).</summary>
    public static ExportResult Export(NasNetwork network, string outPath, ExportOptions? options = null) =>
        Write(network, outPath, options ?? new ExportOptions(), Stopwatch.StartNew());

    private static ExportResult Write(NasNetwork net, string outPath, ExportOptions options, Stopwatch sw)
    {
        bool wasTraining = net.training;
        net.eval();
        var model = BuildModel(net, options);
        byte[] bytes = model.ToByteArray();
        VerifyResult? verification = null;
        if (options.Verify)
        {
            verification = options.Preprocess == PreprocessLayout.None ? OnnxVerifier.Compare(net, bytes) : VerifyPreprocessed(net, bytes, options);
            if (verification.MaxAbsDiff > options.Tolerance)
                throw new NasOnnxException(
                    $"The exported model differs from the TorchSharp network by up to {verification.MaxAbsDiff:G3} (tolerance {options.Tolerance:G3}); nothing was written.",
                    "This is a NasOnnx bug; please report it with the architecture JSON.") { FilePath = outPath };
        }
        string full = Path.GetFullPath(outPath);
        AtomicWrite.Bytes(full, bytes);
        if (wasTraining) net.train();
        var (parameters, macs) = NetworkStats.Measure(net);
        sw.Stop();
        return new ExportResult(full, net.Architecture.Space, net.Architecture.ArchId, bytes.LongLength, parameters, macs, model.Graph.Node.Count, sw.Elapsed, verification);
    }

    /// <summary>
    /// TorchSharp against the plain model, then the plain model against the preprocessed one on uint8 images: together
    /// they bound how far the preprocessed model is from the network fed the training normalization.
    /// </summary>
    private static VerifyResult VerifyPreprocessed(NasNetwork net, byte[] preprocessed, ExportOptions options)
    {
        byte[] plain = BuildModel(net, options with { Preprocess = PreprocessLayout.None, AnySize = false }).ToByteArray();
        var network = OnnxVerifier.Compare(net, plain);
        var pre = OnnxVerifier.ComparePreprocessed(plain, preprocessed, options.Preprocess, NormalizationOf(options), net.Architecture.Input);
        return network.MaxAbsDiff >= pre.MaxAbsDiff ? network with { MaxRelDiff = Math.Max(network.MaxRelDiff, pre.MaxRelDiff) }
            : pre with { MaxRelDiff = Math.Max(network.MaxRelDiff, pre.MaxRelDiff) };
    }

    private static Normalization NormalizationOf(ExportOptions options) =>
        options.NormalizationMean is { } mean && options.NormalizationStd is { } std
            ? new Normalization(mean, std)
            : throw new NasOnnxException("Preprocessing inside the model needs the normalization the model was trained with.",
                "Give the mean and std (export: --mean/--std; the export stage: the `data` input).");

    /// <summary>Builds the ONNX model of a network in eval mode.</summary>
    public static ModelProto BuildModel(NasNetwork net, ExportOptions? options = null)
    {
        options ??= new ExportOptions();
        var arch = net.Architecture;
        var g = new OnnxGraphBuilder(options.FoldBatchNorm, graphName: $"{arch.Space}_{arch.ArchId}");
        string networkInput = InputName;
        if (net is ITokenNetwork)
        {
            if (options.Preprocess != PreprocessLayout.None)
                throw new NasOnnxException("Image preprocessing was asked for a text network.", "Export text networks without preprocess (their input is token ids).");
            networkInput = TokensName;
            g.AddInput(TokensName, TensorProto.Types.DataType.Int64, OnnxGraphBuilder.Dim("seq"));
        }
        else if (options.Preprocess == PreprocessLayout.None)
            g.AddInput(InputName, arch.Input.Channels, arch.Input.Height, arch.Input.Width);
        else
            networkInput = PreprocessingGraph.Emit(g, InputName, arch.Input, options.Preprocess, options.AnySize, NormalizationOf(options));
        string output;
        using (TorchSharp.torch.no_grad()) output = net.EmitOnnx(g, networkInput, "");
        if (g.Graph.Node.Count == 0 || g.Graph.Node[^1].Output[0] != output)
            output = g.Node("Identity", [output], OutputName);
        else
            g.RenameLastOutput(OutputName);
        g.AddOutput(OutputName, arch.Classes);

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            Domain = "ai.nasonnx",
            ModelVersion = 1,
            DocString = $"NasOnnx {arch.Space} architecture {arch.ArchId}: {arch.Describe()}",
            Graph = g.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        void Meta(string key, string value) => model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        Meta(Keys.Architecture, arch.CanonicalJson);
        Meta(Keys.ArchId, arch.ArchId);
        Meta(Keys.Space, arch.Space);
        if (options.Dataset is not null) Meta(Keys.Dataset, options.Dataset);
        if (options.NormalizationMean is not null || options.NormalizationStd is not null)
        {
            var norm = new JsonObject();
            if (options.NormalizationMean is not null) norm["mean"] = new JsonArray(options.NormalizationMean.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
            if (options.NormalizationStd is not null) norm["std"] = new JsonArray(options.NormalizationStd.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
            Meta(Keys.Normalization, norm.ToJsonString());
        }
        if (options.Accuracy is double acc) Meta(Keys.Accuracy, acc.ToString("R", CultureInfo.InvariantCulture));
        if (options.LatencyMs is double lat) Meta(Keys.LatencyMs, lat.ToString("R", CultureInfo.InvariantCulture));
        Meta(Keys.BatchNormFolded, options.FoldBatchNorm ? "true" : "false");
        Meta(Keys.FoldedParameterDelta, g.FoldedParameterDelta.ToString(CultureInfo.InvariantCulture));
        if (net is ITokenNetwork text)
        {
            Meta(Keys.InputType, "tokens");
            Meta(Keys.Vocabulary, text.Vocabulary.ToString(CultureInfo.InvariantCulture));
            Meta(Keys.SequenceLength, text.ReferenceLength.ToString(CultureInfo.InvariantCulture));
        }
        if (options.Preprocess != PreprocessLayout.None)
        {
            Meta(Keys.InputLayout, options.Preprocess.ToString().ToLowerInvariant());
            Meta(Keys.InputType, "uint8");
            Meta(Keys.InputSize, options.AnySize ? "any" : "fixed");
            if (options.AnySize) Meta(Keys.Resize, PreprocessingGraph.ResizeDescription);
            Meta(Keys.Resolution, $"{arch.Input.Height}x{arch.Input.Width}");
            Meta(Keys.Channels, arch.Input.Channels.ToString(CultureInfo.InvariantCulture));
        }
        if (options.ClassNames is { } classes)
        {
            if (classes.Count != arch.Classes)
                throw new NasOnnxException($"{classes.Count} class names were given for a network with {arch.Classes} classes.",
                    "Give one name per output class, in label order.");
            Meta(Keys.Classes, System.Text.Json.JsonSerializer.Serialize(classes));
        }
        if (options.Metadata is not null)
            foreach (var (k, v) in options.Metadata) Meta(k, v);
        return model;
    }
}
