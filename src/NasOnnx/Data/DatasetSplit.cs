namespace NasOnnx.Data;

/// <summary>Seeded, deterministic index splits and shuffles.</summary>
public static class DatasetSplit
{
    /// <summary>
    /// Splits the indices 0..Count-1 of <paramref name="data"/> into train and validation parts.
    /// The same seed gives the same indices on every run and platform. With
    /// <paramref name="stratified"/> each class is split in the same proportion. Both parts come
    /// back sorted ascending (the loader shuffles).
    /// </summary>
    public static (int[] Train, int[] Validation) TrainValidation(Dataset data, double validationFraction, long seed, bool stratified = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        return TrainValidation(data.Labels, validationFraction, seed, stratified);
    }

    /// <summary>As above, given the labels only.</summary>
    public static (int[] Train, int[] Validation) TrainValidation(ReadOnlySpan<byte> labels, double validationFraction, long seed, bool stratified = false)
    {
        if (!(validationFraction >= 0 && validationFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), "must be in [0, 1]");
        var rng = SplitMix64.Derive(seed, 0x5917);
        var train = new List<int>();
        var val = new List<int>();
        if (!stratified)
        {
            int[] all = Enumerable.Range(0, labels.Length).ToArray();
            rng.Shuffle(all.AsSpan());
            int nVal = (int)Math.Round(labels.Length * validationFraction);
            val.AddRange(all.AsSpan(0, nVal).ToArray());
            train.AddRange(all.AsSpan(nVal).ToArray());
        }
        else
        {
            foreach (var members in IndicesByClass(labels))
            {
                int[] m = members.ToArray();
                rng.Shuffle(m.AsSpan());
                int nVal = (int)Math.Round(m.Length * validationFraction);
                val.AddRange(m.AsSpan(0, nVal).ToArray());
                train.AddRange(m.AsSpan(nVal).ToArray());
            }
        }
        int[] t = train.ToArray(), v = val.ToArray();
        Array.Sort(t);
        Array.Sort(v);
        return (t, v);
    }

    /// <summary>
    /// Holds out, from each class, one contiguous run of its rows in file order (a seeded start, wrapping around at the
    /// class's end) instead of a random sample. For data stored grouped by source, as IMDB's reviews are grouped by movie,
    /// the validation rows then come (all but those at the run's two ends) from sources the training never saw, as the
    /// test rows do; a random sample would put reviews of the same movies on both sides and reward memorizing them.
    /// Both parts come back sorted ascending.
    /// </summary>
    public static (int[] Train, int[] Validation) ContiguousValidation(ReadOnlySpan<byte> labels, double validationFraction, long seed)
    {
        if (!(validationFraction >= 0 && validationFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), "must be in [0, 1]");
        var rng = SplitMix64.Derive(seed, 0xC047);
        var isVal = new bool[labels.Length];
        foreach (var members in IndicesByClass(labels))
        {
            int nVal = (int)Math.Round(members.Count * validationFraction);
            int start = rng.Next(members.Count);
            for (int k = 0; k < nVal; k++) isVal[members[(start + k) % members.Count]] = true;
        }
        var train = new List<int>(labels.Length);
        var val = new List<int>();
        for (int i = 0; i < labels.Length; i++) (isVal[i] ? val : train).Add(i);
        return (train.ToArray(), val.ToArray());
    }

    /// <summary>Each class's row indices in ascending order, classes in ascending label order.</summary>
    private static IEnumerable<List<int>> IndicesByClass(ReadOnlySpan<byte> labels)
    {
        var byClass = new SortedDictionary<byte, List<int>>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (!byClass.TryGetValue(labels[i], out var list)) byClass[labels[i]] = list = [];
            list.Add(i);
        }
        return byClass.Values;
    }

    /// <summary>
    /// The order of <paramref name="indices"/> for epoch <paramref name="epoch"/>: a Fisher-Yates shuffle
    /// seeded by (seed, epoch), so every epoch differs and every run repeats it.
    /// </summary>
    public static int[] EpochOrder(ReadOnlySpan<int> indices, long seed, int epoch)
    {
        int[] order = indices.ToArray();
        SplitMix64.Derive(seed, 0xE90C, epoch).Shuffle(order.AsSpan());
        return order;
    }
}
