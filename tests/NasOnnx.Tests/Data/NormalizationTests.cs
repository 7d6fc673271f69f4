using NasOnnx.Data;

namespace NasOnnx.Tests.Data;

public class NormalizationTests
{
    [Fact]
    public void Compute_gives_per_channel_mean_and_population_std()
    {
        // 2 images, 2 channels, 1x2: channel 0 values {0,255,0,255}, channel 1 all 51.
        byte[] px = [0, 255, 51, 51, 0, 255, 51, 51];
        var ds = new Dataset("d", 2, 1, 2, px, [0, 1], ["a", "b"]);
        var n = Normalization.Compute(ds);
        Assert.Equal(2, n.Channels);
        Assert.Equal(0.5f, n.Mean[0], 5);
        Assert.Equal(0.5f, n.Std[0], 5);
        Assert.Equal(0.2f, n.Mean[1], 5);
        Assert.True(n.Std[1] > 0); // constant channel: tiny floor, never zero
    }

    [Fact]
    public void Apply_and_lookup_table_agree()
    {
        var n = new Normalization([0.5f, 0.25f], [0.5f, 0.25f]);
        Assert.Equal(-1f, n.Apply(0, 0), 6);
        Assert.Equal(1f, n.Apply(255, 0), 6);
        Assert.Equal(3f, n.Apply(255, 1), 6);
        var lut = n.LookupTable();
        Assert.Equal(512, lut.Length);
        Assert.Equal(n.Apply(100, 1), lut[256 + 100]);
    }

    [Fact]
    public void Known_constants_have_the_dataset_channel_counts()
    {
        foreach (var info in DatasetCatalog.All)
        {
            Assert.Equal(info.Channels, info.Normalization.Channels);
            Assert.All(info.Normalization.Mean, m => Assert.InRange(m, 0.1f, 0.6f));
            Assert.All(info.Normalization.Std, s => Assert.InRange(s, 0.2f, 0.4f));
        }
        Assert.Equal(0.2860406f, Normalization.FashionMnist.Mean[0]);
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Normalization([0f], [1f, 1f]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Normalization([0f], [0f]));
    }
}
