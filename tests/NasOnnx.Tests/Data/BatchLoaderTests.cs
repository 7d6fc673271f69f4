using NasOnnx.Data;

namespace NasOnnx.Tests.Data;

public class BatchLoaderTests
{
    private static BatchLoaderOptions Opts(int batch = 8, long seed = 1, bool shuffle = true, bool dropLast = false) =>
        new() { BatchSize = batch, Seed = seed, Shuffle = shuffle, DropLast = dropLast, Prefetch = 2, Background = true };

    private static int[] Indices(IEnumerable<Batch> batches) => batches.SelectMany(b => b.Indices).ToArray();

    [Fact]
    public void Batches_built_on_the_consumers_thread_equal_the_background_ones()
    {
        var ds = TestData.Small(70);
        using var background = new BatchLoader(ds, null, Opts(batch: 16));
        using var here = new BatchLoader(ds, null, Opts(batch: 16) with { Background = false });
        var a = background.Epoch(3, startBatch: 1).ToList();
        var b = here.Epoch(3, startBatch: 1).ToList();
        Assert.Equal(a.Select(x => x.Indices), b.Select(x => x.Indices));
        Assert.Equal(a.SelectMany(x => x.Images), b.SelectMany(x => x.Images));
        Assert.Equal(a.SelectMany(x => x.Labels), b.SelectMany(x => x.Labels));
        Assert.Equal(4, here.LastEpoch!.Batches);
        Assert.True(here.LastEpoch.Completed);
    }

    [Fact]
    public void Every_index_appears_exactly_once_per_epoch()
    {
        var ds = TestData.Small(100);
        int[] subset = Enumerable.Range(10, 53).ToArray();
        using var loader = new BatchLoader(ds, subset, Opts(batch: 8));
        var batches = loader.Epoch(0).ToList();
        Assert.Equal(7, loader.BatchesPerEpoch);
        Assert.Equal(7, batches.Count);
        Assert.Equal(5, batches[^1].Count); // 53 = 6*8 + 5
        Assert.Equal(subset, Indices(batches).Order());
        Assert.Equal(Enumerable.Range(0, 7), batches.Select(b => b.Number));
    }

    [Fact]
    public void Order_is_deterministic_for_a_seed_and_differs_between_epochs_and_seeds()
    {
        var ds = TestData.Small(64);
        using var a = new BatchLoader(ds, null, Opts(seed: 42));
        using var b = new BatchLoader(ds, null, Opts(seed: 42));
        using var c = new BatchLoader(ds, null, Opts(seed: 43));
        var a0 = Indices(a.Epoch(0));
        Assert.Equal(a0, Indices(b.Epoch(0)));
        Assert.Equal(a0, a.Order(0));
        Assert.NotEqual(a0, Indices(a.Epoch(1)));
        Assert.Equal(Indices(a.Epoch(1)), Indices(b.Epoch(1)));
        Assert.NotEqual(a0, Indices(c.Epoch(0)));
        Assert.NotEqual(Enumerable.Range(0, 64), a0);
    }

    [Fact]
    public void Without_shuffle_the_order_is_the_index_order()
    {
        var ds = TestData.Small(20);
        int[] idx = [5, 3, 9, 1];
        using var loader = new BatchLoader(ds, idx, Opts(batch: 3, shuffle: false));
        Assert.Equal(idx, Indices(loader.Epoch(3)));
    }

    [Fact]
    public void Drop_last_leaves_out_the_partial_batch()
    {
        var ds = TestData.Small(20);
        using var loader = new BatchLoader(ds, null, Opts(batch: 6, dropLast: true));
        var batches = loader.Epoch(0).ToList();
        Assert.Equal(3, batches.Count);
        Assert.All(batches, b => Assert.Equal(6, b.Count));
        Assert.Equal(18, Indices(batches).Distinct().Count());
    }

    [Fact]
    public void Values_are_normalized_per_channel_and_labels_match()
    {
        var ds = TestData.Small(10, channels: 2, h: 2, w: 3, classes: 4); // image i is all i, label i % 4
        var norm = new Normalization([0.1f, 0.5f], [0.2f, 0.25f]);
        using var loader = new BatchLoader(ds, null, Opts(batch: 4) with { Normalization = norm });
        foreach (var batch in loader.Epoch(0))
        {
            Assert.Equal(batch.Count * 12, batch.Images.Length);
            Assert.Equal(new ImageShape(2, 2, 3), batch.Shape);
            for (int s = 0; s < batch.Count; s++)
            {
                int i = batch.Indices[s];
                Assert.Equal(i % 4, batch.Labels[s]);
                for (int p = 0; p < 6; p++)
                {
                    Assert.Equal((i / 255f - 0.1f) / 0.2f, batch.Images[s * 12 + p], 5);
                    Assert.Equal((i / 255f - 0.5f) / 0.25f, batch.Images[s * 12 + 6 + p], 5);
                }
            }
        }
    }

    private sealed class AddNoise : IAugmentation
    {
        public List<Thread> Threads { get; } = [];
        public void Apply(Span<float> chw, ImageShape shape, int sampleIndex, SplitMix64 rng)
        {
            lock (Threads) if (!Threads.Contains(Thread.CurrentThread)) Threads.Add(Thread.CurrentThread);
            for (int p = 0; p < chw.Length; p++) chw[p] += (float)rng.NextDouble();
        }
    }

    private sealed class SetToIndexAfterNormalization : IAugmentation
    {
        public bool AfterNormalization => true;
        public void Apply(Span<float> chw, ImageShape shape, int sampleIndex, SplitMix64 rng) => chw[0] = sampleIndex;
    }

    [Fact]
    public void Augmentation_is_deterministic_per_seed_and_epoch_and_runs_in_order()
    {
        var ds = TestData.Small(30);
        var noise = new AddNoise();
        var opts = Opts(batch: 7) with { Augmentations = [noise, new SetToIndexAfterNormalization()] };
        float[] Run(BatchLoader l, int epoch) =>
            l.Epoch(epoch).SelectMany(b => Enumerable.Range(0, b.Count).SelectMany(s => b.Images.AsSpan(s * 16, 16).ToArray())).ToArray();
        using var a = new BatchLoader(ds, null, opts);
        using var b = new BatchLoader(ds, null, opts);
        var a0 = Run(a, 0);
        Assert.Equal(a0, Run(b, 0));
        Assert.NotEqual(a0, Run(a, 1));
        var batch = a.Epoch(0).First();
        Assert.Equal(batch.Indices[0], batch.Images[0]); // the after-normalization step ran last
        Assert.NotEqual((float)Math.Round(batch.Images[1], 4), (float)Math.Round((batch.Indices[0] / 255f), 4)); // noise was added
        Assert.DoesNotContain(Thread.CurrentThread, noise.Threads); // prepared on the background thread
    }

    [Fact]
    public async Task Breaking_out_early_stops_the_thread_without_hanging()
    {
        var ds = TestData.Small(1000);
        var probe = new AddNoise();
        using var loader = new BatchLoader(ds, null, Opts(batch: 4) with { Augmentations = [probe] });
        var task = Task.Run(() =>
        {
            foreach (var batch in loader.Epoch(0)) if (batch.Number == 2) break;
        });
        await task.WaitAsync(TimeSpan.FromSeconds(10)); // TimeoutException if breaking out hung
        Assert.Single(probe.Threads);
        Assert.True(probe.Threads[0].Join(TimeSpan.FromSeconds(10)), "producer thread still running");
        Assert.False(loader.LastEpoch!.Completed);
        Assert.Equal(3, loader.LastEpoch.Batches);
        Assert.Equal(250, loader.Epoch(1).Count()); // the loader is still usable
    }

    [Fact]
    public async Task Disposing_the_loader_mid_epoch_stops_it()
    {
        var ds = TestData.Small(1000);
        var probe = new AddNoise();
        var loader = new BatchLoader(ds, null, Opts(batch: 4) with { Augmentations = [probe] });
        using var e = loader.Epoch(0).GetEnumerator();
        Assert.True(e.MoveNext());
        await Task.Run(loader.Dispose).WaitAsync(TimeSpan.FromSeconds(10)); // TimeoutException if Dispose hung
        Assert.True(probe.Threads[0].Join(TimeSpan.FromSeconds(10)));
        Assert.Throws<ObjectDisposedException>(() => { while (e.MoveNext()) { } });
        Assert.Throws<ObjectDisposedException>(() => loader.Epoch(1));
    }

    private sealed class Slow : IAugmentation
    {
        public void Apply(Span<float> chw, ImageShape shape, int sampleIndex, SplitMix64 rng) => Thread.Sleep(5);
    }

    [Fact]
    public void Consumer_wait_time_is_measured()
    {
        var ds = TestData.Small(12);
        using var loader = new BatchLoader(ds, null, Opts(batch: 2) with { Augmentations = [new Slow()] });
        int n = loader.Epoch(0).Count();
        Assert.Equal(6, n);
        var timing = loader.LastEpoch!;
        Assert.True(timing.Completed);
        Assert.Equal(6, timing.Batches);
        Assert.True(timing.Wait >= TimeSpan.FromMilliseconds(30), $"waited {timing.Wait}"); // 12 images * 5 ms, consumer idle
        Assert.InRange(timing.DataFraction, 0.3, 1.0);
        Assert.Equal(timing.Wait, loader.TotalWait);
    }

    private sealed class Throws : IAugmentation
    {
        public void Apply(Span<float> chw, ImageShape shape, int sampleIndex, SplitMix64 rng) =>
            throw new InvalidOperationException("boom " + sampleIndex);
    }

    [Fact]
    public void Errors_while_preparing_reach_the_consumer()
    {
        using var loader = new BatchLoader(TestData.Small(10), null, Opts() with { Augmentations = [new Throws()] });
        var ex = Assert.Throws<InvalidOperationException>(() => loader.Epoch(0).ToList());
        Assert.StartsWith("boom", ex.Message);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var ds = TestData.Small(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(ds, [10], Opts()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(ds, null, Opts(batch: 0)));
        Assert.Throws<ArgumentException>(() => new BatchLoader(ds, null, Opts() with { Normalization = Normalization.Cifar10 }));
    }
}
