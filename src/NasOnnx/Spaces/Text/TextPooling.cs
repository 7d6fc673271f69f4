namespace NasOnnx.Spaces.Text;

/// <summary>How the head pools the sequence: max over real positions, their mean, or both concatenated.</summary>
public enum TextPooling
{
    Max,
    Mean,
    MaxMean,
}

public static class TextPoolings
{
    /// <summary>Every pooling, in decision order.</summary>
    public static IReadOnlyList<TextPooling> All { get; } = [TextPooling.Max, TextPooling.Mean, TextPooling.MaxMean];

    public static string Name(this TextPooling pooling) => pooling switch
    {
        TextPooling.Max => "max",
        TextPooling.Mean => "mean",
        _ => "max_mean",
    };

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(p => p.Name())];

    public static TextPooling? Find(string name) => All.Cast<TextPooling?>().FirstOrDefault(p => p!.Value.Name() == name);
}
