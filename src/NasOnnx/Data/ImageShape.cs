namespace NasOnnx.Data;

/// <summary>The shape of one image: channels, height, width.</summary>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    public int Size => Channels * Height * Width;
}
