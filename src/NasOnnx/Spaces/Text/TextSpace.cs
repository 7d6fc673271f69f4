using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Text;

/// <summary>
/// TextNAS-style space over token sequences. Decisions: depth (1..max_depth), the head's pooling, then per layer up to
/// max_depth its op (conv k1/3/5/7, max/avg pool, attention, GRU), its input (choice k: node i-k, the previous node first)
/// and one yes/no skip per node of its window; decisions of layers past the depth are ignored (and encoded as 0).
/// Options: <see cref="SpaceOptions.Vocabulary"/> (required: the space refuses image options), Resolution = the sequence
/// length, Width = layer width (64), Depth = the most layers (4).
/// </summary>
public sealed class TextSpace : DecisionSpaceBase<TextArchitecture>
{
    public const string SpaceName = "text";

    /// <summary>The op names of <see cref="TextOp.All"/>, in decision order.</summary>
    public static readonly IReadOnlyList<string> OpNames = [.. TextOp.All.Select(o => o.Name)];

    private static readonly string[] YesNo = ["no", "yes"];
    private readonly List<Decision> _decisions = [];
    private readonly int[] _layerStart;

    public TextSpace(SpaceOptions options, TextConfig? config = null) : base(RequireText(options))
    {
        Config = (config ?? TextConfig.For(options.Vocabulary!.Value, options.Width ?? TextConfig.DefaultWidth, options.Depth ?? TextConfig.DefaultMaxDepth)).Validate();
        if (Config.Vocabulary != options.Vocabulary)
            throw new ArgumentException($"the config's vocabulary {Config.Vocabulary} differs from the options' {options.Vocabulary}", nameof(config));
        _decisions.Add(new Decision("depth", [.. Enumerable.Range(1, Config.MaxDepth).Select(d => d.ToString(CultureInfo.InvariantCulture))]));
        _decisions.Add(new Decision("pooling", TextPoolings.Names));
        _layerStart = new int[Config.MaxDepth];
        for (int i = 0; i < Config.MaxDepth; i++)
        {
            var (first, last) = Config.WindowOf(i);
            _layerStart[i] = _decisions.Count;
            _decisions.Add(new Decision($"layer{i}.op", OpNames));
            _decisions.Add(new Decision($"layer{i}.input", [.. Enumerable.Range(0, last - first + 1).Select(k => $"node{i - k}")]));
            for (int j = first; j <= last; j++) _decisions.Add(new Decision($"layer{i}.skip_node{j}", YesNo));
        }
    }

    private static SpaceOptions RequireText(SpaceOptions options) => options.IsText ? options
        : throw new NasOnnxException(
            $"The text space searches networks over token sequences, but the options describe images ({options.Channels}x{options.Resolution}x{options.Resolution}, no vocabulary).",
            "Search the text space on a text dataset (prepare-data sets the vocabulary), or build the options with SpaceOptions.Text(vocabulary, length, classes); use an image space (darts, nb201, chain, macro) for images.");

    public override string Name => SpaceName;
    public TextConfig Config { get; }
    public override IReadOnlyList<Decision> Decisions => _decisions;

    /// <summary>The sequence length architectures are made for (Options.Resolution).</summary>
    public int SequenceLength => Options.Resolution;

    /// <summary>Index of layer <paramref name="layer"/>'s op decision (its input decision follows, then its skips).</summary>
    public int OpDecision(int layer) => _layerStart[layer];

    /// <summary>Index of the pooling decision.</summary>
    public const int PoolingDecision = 1;

    public override BigInteger Size
    {
        get
        {
            BigInteger total = 0, prefix = 1;
            for (int i = 0; i < Config.MaxDepth; i++)
            {
                var (first, last) = Config.WindowOf(i);
                int nodes = last - first + 1;
                prefix *= OpNames.Count * nodes * BigInteger.Pow(2, nodes);
                total += prefix;
            }
            return total * TextPoolings.All.Count;
        }
    }

    protected override IEnumerable<int> ActiveDecisions(IReadOnlyList<int> choices)
    {
        yield return 0;
        yield return PoolingDecision;
        int depth = 1 + choices[0];
        for (int i = 0; i < depth; i++)
        {
            var (first, last) = Config.WindowOf(i);
            for (int d = 0; d < 2 + last - first + 1; d++) yield return _layerStart[i] + d;
        }
    }

    public override TextArchitecture Build(IReadOnlyList<int> choices)
    {
        int depth = 1 + choices[0];
        var layers = new List<TextLayer>();
        for (int i = 0; i < depth; i++)
        {
            int s = _layerStart[i];
            var (first, last) = Config.WindowOf(i);
            var skips = Enumerable.Range(first, last - first + 1).Where(j => choices[s + 2 + j - first] == 1).ToArray();
            layers.Add(new TextLayer(OpNames[choices[s]], i - choices[s + 1], skips));
        }
        return new TextArchitecture(Options.Input, Options.Classes, Config, TextPoolings.All[choices[PoolingDecision]], layers);
    }

    public override int[] Encode(TextArchitecture arch)
    {
        if (!arch.Config.Equals(Config))
            throw new NasOnnxException("The text architecture's config (vocabulary, widths, depth, window, heads) differs from this space's.",
                "Encode it with a space built from the same config (parse it with this space's options, or build the space from its config).");
        var c = new int[_decisions.Count];
        c[0] = arch.Layers.Count - 1;
        c[PoolingDecision] = (int)arch.Pooling;
        for (int i = 0; i < arch.Layers.Count; i++)
        {
            var l = arch.Layers[i];
            int s = _layerStart[i];
            var (first, _) = Config.WindowOf(i);
            c[s] = OpNames.ToList().IndexOf(l.Op);
            c[s + 1] = i - l.Input;
            foreach (int j in l.Skips) c[s + 2 + j - first] = 1;
        }
        return c;
    }

    public override TextArchitecture ParseArchitecture(string json)
    {
        var root = ArchJson.Root(json, SpaceName);
        var cfg = ParseConfig(ArchJson.Config(root), Config);
        int length = Options.Resolution;
        if (root["input"] is JsonObject input)
        {
            if (ArchJson.Int(input, "channels", 1, 1) != 1 || ArchJson.Int(input, "height", 1, 1) != 1)
                throw new NasOnnxException($"A text architecture's input is 1 x 1 x sequence length; got {input.ToJsonString()}.",
                    "Write \"input\": {\"channels\": 1, \"height\": 1, \"width\": LENGTH}.");
            length = ArchJson.Int(input, "width", Options.Resolution, 1);
        }
        var pooling = root["pooling"] is null ? TextPooling.MaxMean
            : TextPoolings.Find(ArchJson.String(root["pooling"], "\"pooling\""))
              ?? throw new NasOnnxException($"Unknown pooling {root["pooling"]!.ToJsonString()}.", $"Use one of: {string.Join(", ", TextPoolings.Names)}.");
        var layers = new List<TextLayer>();
        foreach (var (n, i) in ArchJson.Array(root, "layers", "[{\"op\": \"conv_k3\", \"input\": 0, \"skips\": []}, ...]").Select((n, i) => (n, i)))
        {
            if (n is not JsonObject lo)
                throw new NasOnnxException($"Layer {i} must be an object.", "Write layers like {\"op\": \"conv_k3\", \"input\": 0, \"skips\": [0]}.");
            string op = ArchJson.CheckOp(ArchJson.String(lo["op"], $"the op of layer {i}"), OpNames, $"layer {i}");
            int inputNode = lo["input"] is null ? i : ArchJson.Int(lo["input"], $"the input of layer {i}");
            int[] skips = lo["skips"] switch
            {
                null => [],
                JsonArray sa => [.. sa.Select(s => ArchJson.Int(s, $"a skip of layer {i}"))],
                var other => throw new NasOnnxException($"The skips of layer {i} must be an array of node numbers, got {other.ToJsonString()}.", "Write \"skips\": [0, 2] (or [])."),
            };
            layers.Add(new TextLayer(op, inputNode, skips));
        }
        return new TextArchitecture(new InputShape(1, 1, length), ArchJson.Classes(root, Options), cfg, pooling, layers);
    }

    /// <summary>A config from JSON; missing fields take <paramref name="defaults"/>'s (all required without defaults).</summary>
    internal static TextConfig ParseConfig(JsonObject config, TextConfig? defaults)
    {
        int vocabulary = ArchJson.Int(config, "vocabulary", defaults?.Vocabulary ?? 0, 3);
        int width = ArchJson.Int(config, "width", defaults?.Width ?? TextConfig.DefaultWidth, 1);
        return new TextConfig(
            vocabulary,
            ArchJson.Int(config, "embed", defaults?.Embed ?? width, 1),
            width,
            ArchJson.Int(config, "max_depth", defaults?.MaxDepth ?? TextConfig.DefaultMaxDepth, 1),
            ArchJson.Int(config, "window", defaults?.Window ?? TextConfig.DefaultWindow, 1),
            ArchJson.Int(config, "heads", defaults?.Heads ?? TextConfig.DefaultHeads(width), 1),
            Bool(config, "bidirectional", defaults?.Bidirectional ?? width % 2 == 0),
            Number(config, "dropout", defaults?.Dropout ?? TextConfig.DefaultDropout)).Validate();
    }

    /// <summary>The options a text architecture JSON describes by itself (vocabulary, length, classes, width, depth), for
    /// parsing without a space at hand.</summary>
    internal static SpaceOptions OptionsOf(string json)
    {
        var root = ArchJson.Root(json, SpaceName);
        var cfg = ParseConfig(ArchJson.Config(root), null);
        int length = root["input"] is JsonObject input ? ArchJson.Int(input, "width", 0, 1)
            : throw new NasOnnxException("The text architecture has no \"input\" (its sequence length).", "Add \"input\": {\"channels\": 1, \"height\": 1, \"width\": LENGTH}.");
        return SpaceOptions.Text(cfg.Vocabulary, length, ArchJson.Int(root, "classes", 0, 1), cfg.Width, cfg.MaxDepth);
    }

    private static bool Bool(JsonObject o, string name, bool fallback) => o[name] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<bool>(out bool b) => b,
        var n => throw new NasOnnxException($"Field \"{name}\" must be true or false, got {n.ToJsonString()}.", $"Write \"{name}\": true or false."),
    };

    private static double Number(JsonObject o, string name, double fallback) => o[name] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<double>(out double d) => d,
        var n => throw new NasOnnxException($"Field \"{name}\" must be a number, got {n.ToJsonString()}.", $"Write \"{name}\" as a number, e.g. 0.1."),
    };
}
