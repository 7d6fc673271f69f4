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
/// length, Width = layer width (64), Depth = the most layers (4), Ops and Poolings = the ops and poolings the decisions
/// offer (all by default; e.g. leave out the GRU, slow on CPU). Restricted decisions keep the canonical order of
/// <see cref="TextOp.All"/> and <see cref="TextPoolings.All"/>, so a choice index means the same op in every space with it.
/// </summary>
public sealed class TextSpace : DecisionSpaceBase<TextArchitecture>
{
    public const string SpaceName = "text";

    /// <summary>The op names of <see cref="TextOp.All"/>, in canonical order: every op an architecture may name (JSON checks).
    /// A space's decisions offer <see cref="AllowedOps"/>, which may be fewer.</summary>
    public static readonly IReadOnlyList<string> OpNames = [.. TextOp.All.Select(o => o.Name)];

    /// <summary>The op names this space's op decisions offer (Options.Ops, or every op), in canonical order.</summary>
    public IReadOnlyList<string> AllowedOps { get; }

    /// <summary>The poolings this space's pooling decision offers (Options.Poolings, or every pooling), in canonical order.</summary>
    public IReadOnlyList<TextPooling> AllowedPoolings { get; }

    private static readonly string[] YesNo = ["no", "yes"];
    private readonly List<Decision> _decisions = [];
    private readonly int[] _layerStart;

    public TextSpace(SpaceOptions options, TextConfig? config = null) : base(RequireText(options))
    {
        Config = (config ?? TextConfig.For(options.Vocabulary!.Value, options.Width ?? TextConfig.DefaultWidth, options.Depth ?? TextConfig.DefaultMaxDepth)).Validate();
        if (Config.Vocabulary != options.Vocabulary)
            throw new ArgumentException($"the config's vocabulary {Config.Vocabulary} differs from the options' {options.Vocabulary}", nameof(config));
        _decisions.Add(new Decision("depth", [.. Enumerable.Range(1, Config.MaxDepth).Select(d => d.ToString(CultureInfo.InvariantCulture))]));
        AllowedOps = Restrict(options.Ops, OpNames);
        AllowedPoolings = [.. Restrict(options.Poolings, TextPoolings.Names).Select(n => TextPoolings.Find(n)!.Value)];
        _decisions.Add(new Decision("pooling", [.. AllowedPoolings.Select(p => p.Name())]));
        _layerStart = new int[Config.MaxDepth];
        for (int i = 0; i < Config.MaxDepth; i++)
        {
            var (first, last) = Config.WindowOf(i);
            _layerStart[i] = _decisions.Count;
            _decisions.Add(new Decision($"layer{i}.op", AllowedOps));
            _decisions.Add(new Decision($"layer{i}.input", [.. Enumerable.Range(0, last - first + 1).Select(k => $"node{i - k}")]));
            for (int j = first; j <= last; j++) _decisions.Add(new Decision($"layer{i}.skip_node{j}", YesNo));
        }
    }

    private static IReadOnlyList<string> Restrict(string? canonical, IReadOnlyList<string> all) => canonical is null ? all : canonical.Split(',');

    /// <summary>Canonical form of an op set (comma-separated names, spaces and brackets around them ignored): the names in
    /// <see cref="TextOp.All"/> order, comma-joined; null stays null (every op). Unknown names, duplicates and an empty
    /// set are refused, naming the valid ops.</summary>
    public static string? CanonicalOps(string? names) => Canonical(names, OpNames, "op");

    /// <summary>Canonical form of a pooling set, as <see cref="CanonicalOps"/>.</summary>
    public static string? CanonicalPoolings(string? names) => Canonical(names, TextPoolings.Names, "pooling");

    private static string? Canonical(string? names, IReadOnlyList<string> all, string what)
    {
        if (names is null) return null;
        string[] given = names.Trim().Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string valid = string.Join(", ", all);
        if (given.Length == 0)
            throw new NasOnnxException($"The text space's {what} set is empty.", $"List at least one {what} from: {valid} (or leave {what}s out for all of them).");
        foreach (string name in given)
            if (!all.Contains(name))
                throw new NasOnnxException($"Unknown {what} '{name}' in the text space's {what}s [{names}].", $"Use {what}s from: {valid}.");
        if (given.Distinct().Count() != given.Length)
            throw new NasOnnxException($"The text space's {what}s [{names}] name '{given.GroupBy(n => n).First(g => g.Count() > 1).Key}' twice.", $"List each {what} once (from: {valid}).");
        return string.Join(",", all.Where(given.Contains));
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
                prefix *= AllowedOps.Count * nodes * BigInteger.Pow(2, nodes);
                total += prefix;
            }
            return total * AllowedPoolings.Count;
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
            layers.Add(new TextLayer(AllowedOps[choices[s]], i - choices[s + 1], skips));
        }
        return new TextArchitecture(Options.Input, Options.Classes, Config, AllowedPoolings[choices[PoolingDecision]], layers);
    }

    public override int[] Encode(TextArchitecture arch)
    {
        if (!arch.Config.Equals(Config))
            throw new NasOnnxException("The text architecture's config (vocabulary, widths, depth, window, heads) differs from this space's.",
                "Encode it with a space built from the same config (parse it with this space's options, or build the space from its config).");
        var c = new int[_decisions.Count];
        c[0] = arch.Layers.Count - 1;
        c[PoolingDecision] = IndexOfPooling(arch.Pooling, "the architecture's pooling");
        for (int i = 0; i < arch.Layers.Count; i++)
        {
            var l = arch.Layers[i];
            int s = _layerStart[i];
            var (first, _) = Config.WindowOf(i);
            c[s] = IndexOfOp(l.Op, $"layer {i}");
            c[s + 1] = i - l.Input;
            foreach (int j in l.Skips) c[s + 2 + j - first] = 1;
        }
        return c;
    }

    /// <summary>The op's choice index; an op outside this space's set is refused (it has no choice to encode to).</summary>
    private int IndexOfOp(string op, string where)
    {
        int index = IndexIn(AllowedOps, op);
        if (index >= 0) return index;
        ArchJson.CheckOp(op, OpNames, where); // not an op at all: the usual message
        throw new NasOnnxException($"Op '{op}' of {where} is not in this text space's ops ({string.Join(", ", AllowedOps)}).",
            "Use one of the space's ops, or widen the space's ops (the `ops` param; leave it out for all ops).");
    }

    private static int IndexIn<T>(IReadOnlyList<T> list, T item)
    {
        for (int i = 0; i < list.Count; i++)
            if (EqualityComparer<T>.Default.Equals(list[i], item)) return i;
        return -1;
    }

    private int IndexOfPooling(TextPooling pooling, string where)
    {
        int index = IndexIn(AllowedPoolings, pooling);
        if (index >= 0) return index;
        throw new NasOnnxException($"Pooling '{pooling.Name()}' of {where} is not in this text space's poolings ({string.Join(", ", AllowedPoolings.Select(p => p.Name()))}).",
            "Use one of the space's poolings, or widen the space's poolings (the `poolings` param; leave it out for all).");
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
        IndexOfPooling(pooling, "the architecture");
        var layers = new List<TextLayer>();
        foreach (var (n, i) in ArchJson.Array(root, "layers", "[{\"op\": \"conv_k3\", \"input\": 0, \"skips\": []}, ...]").Select((n, i) => (n, i)))
        {
            if (n is not JsonObject lo)
                throw new NasOnnxException($"Layer {i} must be an object.", "Write layers like {\"op\": \"conv_k3\", \"input\": 0, \"skips\": [0]}.");
            string op = ArchJson.String(lo["op"], $"the op of layer {i}");
            IndexOfOp(op, $"layer {i}"); // unknown, or outside this space's ops (any op with default options)
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
