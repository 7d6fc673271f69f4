namespace NasOnnx.Runtime;

public static class NumericsConfigurationNames
{
    /// <summary>How doctor, the lock, the card and the benches name a configuration.</summary>
    public static string Name(this NumericsConfiguration c) => c == NumericsConfiguration.Default ? "default (oneDNN on)" : "safe (oneDNN off)";
}
