namespace NasOnnx.Search.MultiTrial;

internal static class Sorted
{
    /// <summary>A copy in ordinal key order (so JSON and CSV columns come out the same every run).</summary>
    public static SortedDictionary<string, double> Of(IEnumerable<KeyValuePair<string, double>> values)
    {
        var d = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (k, v) in values) d[k] = v;
        return d;
    }
}
