using NasOnnx.Data;

namespace NasOnnx.Tests.Data;

public class DatasetSplitTests
{
    [Fact]
    public void SplitMix64_matches_the_reference_sequence()
    {
        // Reference SplitMix64 (Vigna) outputs for seed 0: fixed on every platform.
        var r = new SplitMix64(0UL);
        Assert.Equal(0xE220A8397B1DCDAFUL, r.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, r.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, r.NextUInt64());
    }

    [Fact]
    public void SplitMix64_helpers_stay_in_range()
    {
        var r = new SplitMix64(42L);
        for (int i = 0; i < 1000; i++)
        {
            Assert.InRange(r.Next(7), 0, 6);
            Assert.InRange(r.Next(-3, 3), -3, 2);
            Assert.InRange(r.NextDouble(), 0.0, 0.9999999999);
        }
        Assert.NotEqual(SplitMix64.DeriveSeed(1, 0, 1), SplitMix64.DeriveSeed(1, 1, 0));
    }

    [Fact]
    public void Same_seed_gives_same_split_and_parts_cover_everything_once()
    {
        var ds = TestData.Small(1000);
        var (t1, v1) = DatasetSplit.TrainValidation(ds, 0.2, seed: 7);
        var (t2, v2) = DatasetSplit.TrainValidation(ds, 0.2, seed: 7);
        Assert.Equal(t1, t2);
        Assert.Equal(v1, v2);
        Assert.Equal(200, v1.Length);
        Assert.Equal(800, t1.Length);
        Assert.Equal(Enumerable.Range(0, 1000), t1.Concat(v1).Order());
        var (_, v3) = DatasetSplit.TrainValidation(ds, 0.2, seed: 8);
        Assert.NotEqual(v1, v3);
    }

    [Fact]
    public void Split_indices_are_a_fixed_function_of_the_seed()
    {
        // Pinned values: if this changes, earlier runs are no longer reproducible.
        var (_, v) = DatasetSplit.TrainValidation(TestData.Small(20), 0.25, seed: 1);
        var (_, again) = DatasetSplit.TrainValidation(TestData.Small(20), 0.25, seed: 1);
        Assert.Equal(v, again);
        Assert.Equal(5, v.Length);
        Assert.Equal(PinnedValidation, v);
    }

    internal static readonly int[] PinnedValidation = [1, 3, 12, 14, 16];

    [Fact]
    public void Stratified_split_keeps_class_proportions()
    {
        var ds = TestData.Small(1000, classes: 10);
        var (train, val) = DatasetSplit.TrainValidation(ds, 0.1, seed: 3, stratified: true);
        Assert.Equal(100, val.Length);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(10, val.Count(i => ds.Labels[i] == c)));
        Assert.Equal(Enumerable.Range(0, 1000), train.Concat(val).Order());
        Assert.Equal(val, DatasetSplit.TrainValidation(ds, 0.1, seed: 3, stratified: true).Validation);
    }

    [Fact]
    public void Epoch_order_is_a_deterministic_permutation_that_changes_per_epoch()
    {
        int[] idx = Enumerable.Range(100, 50).ToArray();
        var e0 = DatasetSplit.EpochOrder(idx, 5, 0);
        Assert.Equal(e0, DatasetSplit.EpochOrder(idx, 5, 0));
        Assert.Equal(idx, e0.Order());
        Assert.NotEqual(e0, DatasetSplit.EpochOrder(idx, 5, 1));
        Assert.NotEqual(e0, DatasetSplit.EpochOrder(idx, 6, 0));
    }

    [Fact]
    public void Contiguous_validation_holds_out_one_run_of_each_class_in_file_order()
    {
        // Two classes in blocks (as IMDB's neg then pos reviews), 100 rows each.
        byte[] labels = [.. Enumerable.Repeat((byte)0, 100), .. Enumerable.Repeat((byte)1, 100)];
        var (train, val) = DatasetSplit.ContiguousValidation(labels, 0.1, seed: 4);
        Assert.Equal(20, val.Length);
        Assert.Equal(Enumerable.Range(0, 200), train.Concat(val).Order());
        Assert.Equal(val.Order(), val);
        foreach (int c in new[] { 0, 1 })
        {
            // Positions within the class (0..99): one run of 10, possibly wrapping from the class's end to its start.
            var positions = val.Where(i => labels[i] == c).Select(i => i - 100 * c).ToArray();
            Assert.Equal(10, positions.Length);
            int breaks = positions.Zip(positions.Skip(1)).Count(p => p.Second != p.First + 1);
            Assert.True(breaks == 0 || (breaks == 1 && positions[0] == 0 && positions[^1] == 99), string.Join(",", positions));
        }
        Assert.Equal(val, DatasetSplit.ContiguousValidation(labels, 0.1, seed: 4).Validation);
        Assert.NotEqual(val, DatasetSplit.ContiguousValidation(labels, 0.1, seed: 5).Validation);
    }

    [Fact]
    public void Contiguous_validation_of_interleaved_classes_follows_each_class_s_own_order()
    {
        byte[] labels = [.. Enumerable.Range(0, 60).Select(i => (byte)(i % 3))];
        var (_, val) = DatasetSplit.ContiguousValidation(labels, 0.25, seed: 1);
        Assert.Equal(15, val.Length);
        foreach (int c in new[] { 0, 1, 2 })
        {
            var ranks = val.Where(i => labels[i] == c).Select(i => i / 3).ToArray(); // rank of the row within its class
            Assert.Equal(5, ranks.Length);
            Assert.True(ranks.Zip(ranks.Skip(1)).Count(p => p.Second != p.First + 1) <= 1);
        }
    }
}
