namespace NasOnnx.Data;

/// <summary>
/// How one epoch of a <see cref="BatchLoader"/> went: how long the consumer waited for data and how
/// long the epoch took from the first request to the end. DataFraction = Wait / Wall.
/// </summary>
public sealed record EpochTiming(int Epoch, int Batches, TimeSpan Wait, TimeSpan Wall, bool Completed)
{
    public double DataFraction => Wall > TimeSpan.Zero ? Wait / Wall : 0;
}
