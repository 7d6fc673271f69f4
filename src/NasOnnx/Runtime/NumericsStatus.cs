using System.Globalization;

namespace NasOnnx.Runtime;

/// <summary>The numerics configuration in force. Detail says why (check result or forcing).</summary>
public sealed record NumericsStatus(NumericsMode Mode, NumericsConfiguration Configuration, string Detail, bool FromCache, double Seconds)
{
    public override string ToString() =>
        $"{Configuration.Name()}; mode {Mode.ToString().ToLowerInvariant()}: {Detail}{(FromCache ? " (cached verdict for this CPU and libtorch)" : Seconds > 0 ? $" (checked in {Seconds.ToString("F2", CultureInfo.InvariantCulture)} s)" : "")}";
}
