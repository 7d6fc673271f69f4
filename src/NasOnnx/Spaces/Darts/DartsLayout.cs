namespace NasOnnx.Spaces.Darts;

/// <summary>
/// One cell's place in a DARTS network: whether it reduces, whether the cell before it did (then its first input is
/// factorized-reduced), its two inputs' channels and resolutions, its node width C and output resolution.
/// </summary>
public sealed record DartsCellShape(int Index, bool Reduction, bool ReductionPrev, int InPrevPrev, int InPrev, int C, int ResolutionPrevPrev, int ResolutionIn, int ResolutionOut)
{
    /// <summary>Channels of the cell's output: the concatenation of its nodes.</summary>
    public int OutChannels => DartsArchitecture.Nodes * C;
}

/// <summary>
/// The one description of a DARTS network's skeleton that the discrete network, the supernet and the latency model all
/// build from: stem conv to 3C, cells with reductions at 1/3 and 2/3 (each doubling C), classifier on the last cell's output.
/// </summary>
public sealed record DartsLayout(int StemWidth, IReadOnlyList<DartsCellShape> Cells, int OutChannels, int OutResolution)
{
    public static DartsLayout Of(DartsConfig config, int resolution)
    {
        int c0 = config.Width, r = resolution;
        int cpp = 3 * c0, cp = 3 * c0, cur = c0, rpp = r, rp = r;
        bool reductionPrev = false;
        var reductions = DartsArchitecture.ReductionCells(config.Cells);
        var cells = new List<DartsCellShape>();
        for (int i = 0; i < config.Cells; i++)
        {
            bool reduction = reductions.Contains(i);
            if (reduction) cur *= 2;
            int rOut = reduction ? (rp - 1) / 2 + 1 : rp;
            cells.Add(new DartsCellShape(i, reduction, reductionPrev, cpp, cp, cur, rpp, rp, rOut));
            reductionPrev = reduction;
            (cpp, cp) = (cp, DartsArchitecture.Nodes * cur);
            (rpp, rp) = (rp, rOut);
        }
        return new DartsLayout(3 * c0, cells, cp, rp);
    }
}
