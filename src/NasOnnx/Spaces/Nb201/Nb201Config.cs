namespace NasOnnx.Spaces.Nb201;

/// <summary>Network parameters: stem width C (stages C, 2C, 4C) and cells per stage N (the benchmark uses C=16, N=5).</summary>
public sealed record Nb201Config(int Width, int CellsPerStage);

/// <summary>One of the three stages: its cells' width and resolution.</summary>
public sealed record Nb201Stage(int Width, int Resolution);

/// <summary>
/// The one description of the NAS-Bench-201 skeleton that the network, the supernet and the latency model all build
/// from: stages of C, 2C and 4C channels, each after the first entered through a residual reduction that halves the resolution.
/// </summary>
public static class Nb201Layout
{
    public static IReadOnlyList<Nb201Stage> Stages(Nb201Config config, int resolution)
    {
        var stages = new List<Nb201Stage>();
        int c = config.Width, r = resolution;
        for (int s = 0; s < 3; s++)
        {
            if (s > 0) (c, r) = (2 * c, r / 2);
            stages.Add(new Nb201Stage(c, r));
        }
        return stages;
    }
}
