namespace NasOnnx.Architectures;

/// <summary>Input tensor shape without the batch dimension.</summary>
public sealed record InputShape(int Channels, int Height, int Width)
{
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
