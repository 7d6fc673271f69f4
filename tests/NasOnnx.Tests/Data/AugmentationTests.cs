using NasOnnx.Data;

namespace NasOnnx.Tests.Data;

public class AugmentationTests
{
    private static readonly ImageShape Shape = new(2, 4, 5);

    private static float[] Ramp() => Enumerable.Range(1, Shape.Size).Select(i => (float)i).ToArray();

    private static float At(float[] img, int c, int y, int x) => img[c * 20 + y * 5 + x];

    [Fact]
    public void Crop_shifts_the_image_and_fills_the_border_with_zero()
    {
        var crop = new RandomCrop(2);
        var seen = new HashSet<(int, int)>();
        for (int seed = 0; seed < 200; seed++)
        {
            var img = Ramp();
            var original = Ramp();
            crop.Apply(img, Shape, 0, new SplitMix64(seed));
            // Recover the shift from where original pixel (c=1, y=1, x=2) went, or check all-zero regions otherwise.
            bool matched = false;
            for (int dy = -2; dy <= 2 && !matched; dy++)
                for (int dx = -2; dx <= 2 && !matched; dx++)
                {
                    bool ok = true;
                    for (int c = 0; c < 2 && ok; c++)
                        for (int y = 0; y < 4 && ok; y++)
                            for (int x = 0; x < 5 && ok; x++)
                            {
                                int sy = y + dy, sx = x + dx;
                                float want = sy is >= 0 and < 4 && sx is >= 0 and < 5 ? At(original, c, sy, sx) : 0f;
                                ok = At(img, c, y, x) == want;
                            }
                    if (ok) { matched = true; seen.Add((dy, dx)); }
                }
            Assert.True(matched, $"seed {seed}: the output is not a shifted copy");
        }
        Assert.Equal(25, seen.Count); // every offset in [-2, 2]^2 occurs
    }

    [Fact]
    public void Flip_mirrors_rows_about_half_the_time()
    {
        var flip = new HorizontalFlip();
        int flipped = 0;
        for (int seed = 0; seed < 400; seed++)
        {
            var img = Ramp();
            flip.Apply(img, Shape, 0, new SplitMix64(seed));
            if (img[0] == 5f) { flipped++; Assert.Equal([5f, 4f, 3f, 2f, 1f], img[..5]); Assert.Equal(40f, img[35]); }
            else Assert.Equal(Ramp(), img);
        }
        Assert.InRange(flipped, 160, 240);
    }

    [Fact]
    public void Cutout_zeroes_one_clipped_square_in_every_channel_after_normalization()
    {
        var cutout = new Cutout(2);
        Assert.True(((IAugmentation)cutout).AfterNormalization);
        for (int seed = 0; seed < 50; seed++)
        {
            var img = Ramp();
            cutout.Apply(img, Shape, 0, new SplitMix64(seed));
            int zeros0 = img.Take(20).Count(v => v == 0), zeros1 = img.Skip(20).Count(v => v == 0);
            Assert.Equal(zeros0, zeros1);
            Assert.InRange(zeros0, 1, 4);
        }
    }

    [Fact]
    public void Random_erasing_fills_one_rectangle_of_2_to_40_percent_with_the_same_place_in_every_channel()
    {
        var shape = new ImageShape(2, 28, 28);
        var erasing = new RandomErasing(0.5);
        Assert.True(((IAugmentation)erasing).AfterNormalization);
        int erased = 0;
        var noise = new List<float>();
        for (int seed = 0; seed < 400; seed++)
        {
            // A constant image: every changed pixel is an erased one (noise never lands exactly on 1000).
            var img = Enumerable.Repeat(1000f, shape.Size).ToArray();
            erasing.Apply(img, shape, 0, new SplitMix64(seed));
            var changed = Enumerable.Range(0, shape.Size).Where(i => img[i] != 1000f).ToList();
            if (changed.Count == 0) continue;
            erased++;
            var first = changed.Where(i => i < 784).ToList();
            Assert.Equal(first.Select(i => i + 784), changed.Where(i => i >= 784));
            // One rectangle: the bounding box of the changed pixels is exactly full.
            int y0 = first.Min(i => i / 28), y1 = first.Max(i => i / 28), x0 = first.Min(i => i % 28), x1 = first.Max(i => i % 28);
            Assert.Equal((y1 - y0 + 1) * (x1 - x0 + 1), first.Count);
            Assert.InRange(first.Count, 0.02 * 784 * 0.8, 0.4 * 784 * 1.2);
            noise.AddRange(first.Select(i => img[i]));
        }
        Assert.InRange(erased, 160, 240); // p = 0.5 of 400
        double mean = noise.Average(), sd = Math.Sqrt(noise.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.05, 0.05);
        Assert.InRange(sd, 0.95, 1.05);
        var never = Enumerable.Repeat(7f, shape.Size).ToArray();
        new RandomErasing(0).Apply(never, shape, 0, new SplitMix64(1));
        Assert.All(never, v => Assert.Equal(7f, v));
        Assert.Contains(Augmentations.Build("fashion-mnist", 0, "off", 0, randomErasing: 0.5), a => a is RandomErasing);
    }

    [Fact]
    public void Loader_augmentation_is_deterministic_and_mid_epoch_start_matches_the_full_epoch()
    {
        var ds = TestData.Small(40, channels: 1, h: 6, w: 6);
        var opts = new BatchLoaderOptions
        {
            BatchSize = 8, Seed = 5, Prefetch = 2, DropLast = true,
            Augmentations = Augmentations.Build("fashion-mnist", cropPadding: 1, flip: "auto", cutout: 2),
        };
        using var a = new BatchLoader(ds, null, opts);
        using var b = new BatchLoader(ds, null, opts);
        var full = a.Epoch(3).ToList();
        var again = b.Epoch(3).ToList();
        Assert.Equal(full.SelectMany(x => x.Images), again.SelectMany(x => x.Images));
        var tail = b.Epoch(3, startBatch: 2).ToList();
        Assert.Equal(3, tail.Count);
        Assert.Equal(full.Skip(2).SelectMany(x => x.Images), tail.SelectMany(x => x.Images));
        Assert.Equal([2, 3, 4], tail.Select(x => x.Number));
    }

    [Fact]
    public void Flip_defaults_to_off_for_digits_and_on_for_clothing()
    {
        Assert.DoesNotContain(Augmentations.Build("mnist", 2, "auto", 0), a => a is HorizontalFlip);
        Assert.Contains(Augmentations.Build("fashion-mnist", 2, "auto", 0), a => a is HorizontalFlip);
        Assert.Contains(Augmentations.Build("mnist", 0, "on", 0), a => a is HorizontalFlip);
        Assert.Empty(Augmentations.Build("cifar10", 0, "off", 0));
    }
}
