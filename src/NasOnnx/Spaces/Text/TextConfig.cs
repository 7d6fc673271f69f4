using System.Globalization;

namespace NasOnnx.Spaces.Text;

/// <summary>
/// The text network's fixed parameters: vocabulary (ids at or above it read as &lt;unk&gt;), embedding width (a Linear
/// projection to <see cref="Width"/> when they differ), layer width, the most layers, how many earlier nodes a layer may
/// read (its window: the last <see cref="Window"/> nodes, node 0 being the embedding), attention heads, whether the GRU is
/// bidirectional (width/2 per direction) and the dropout of the embedding and the head (training only).
/// </summary>
public sealed record TextConfig(int Vocabulary, int Embed, int Width, int MaxDepth, int Window, int Heads, bool Bidirectional, double Dropout)
{
    public const int DefaultWidth = 64, DefaultMaxDepth = 4, DefaultWindow = 3;
    public const double DefaultDropout = 0.1;

    /// <summary>4 heads when they divide the width, else 2, else 1.</summary>
    public static int DefaultHeads(int width) => width % 4 == 0 ? 4 : width % 2 == 0 ? 2 : 1;

    /// <summary>The defaults for a vocabulary and width: embedding as wide as the layers, window 3, bidirectional GRU when the width is even.</summary>
    public static TextConfig For(int vocabulary, int width = DefaultWidth, int maxDepth = DefaultMaxDepth) =>
        new(vocabulary, width, width, maxDepth, DefaultWindow, DefaultHeads(width), width % 2 == 0, DefaultDropout);

    /// <summary>Throws a <see cref="NasOnnxException"/> naming the first impossible value.</summary>
    public TextConfig Validate()
    {
        static NasOnnxException Bad(string what, string fix) => new($"Invalid text config: {what}.", fix);
        if (Vocabulary < 3) throw Bad($"vocabulary {Vocabulary}", "A vocabulary holds <pad>, <unk> and at least one word (3 or more ids).");
        if (Embed < 1 || Width < 1) throw Bad($"embed {Embed}, width {Width}", "Use an embedding width and a layer width of at least 1.");
        if (MaxDepth < 1) throw Bad($"max_depth {MaxDepth}", "Allow at least 1 layer.");
        if (Window < 1) throw Bad($"window {Window}", "A layer reads one of the last `window` nodes: use 1 or more.");
        if (Heads < 1 || Width % Heads != 0) throw Bad($"{Heads} attention heads for width {Width}", $"Use a head count that divides the width (e.g. {DefaultHeads(Width)}).");
        if (Bidirectional && Width % 2 != 0) throw Bad($"a bidirectional GRU at odd width {Width}", "Use an even width, or \"bidirectional\": false.");
        if (double.IsNaN(Dropout) || Dropout < 0 || Dropout >= 1) throw Bad($"dropout {Dropout.ToString(CultureInfo.InvariantCulture)}", "Use a dropout in [0, 1).");
        return this;
    }

    /// <summary>The nodes layer <paramref name="layer"/> (0-based) may read: node 0 is the embedding, node i+1 layer i's output.</summary>
    public (int First, int Last) WindowOf(int layer) => (Math.Max(0, layer + 1 - Window), layer);
}
