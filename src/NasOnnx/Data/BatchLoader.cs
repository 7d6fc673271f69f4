using System.Collections.Concurrent;
using System.Diagnostics;

namespace NasOnnx.Data;

/// <summary>
/// Turns a dataset and an index array into normalized float batches, prepared ahead of the consumer
/// on a background thread (a bounded queue of <see cref="BatchLoaderOptions.Prefetch"/> batches).
/// The order is a pure function of (indices, seed, epoch) and augmentation randomness of
/// (seed, epoch, sample index), so runs repeat exactly. Pure arrays: no TorchSharp here.
/// Stopping the enumeration of <see cref="Epoch"/> early (break, Dispose) or disposing the loader
/// stops the background thread.
/// </summary>
public sealed class BatchLoader : IDisposable
{
    private readonly Dataset _data;
    private readonly int[] _indices;
    private readonly BatchLoaderOptions _options;
    private readonly float[] _lut;
    private readonly float[] _mean, _std;
    private readonly IAugmentation[] _before, _after;
    private readonly List<EpochRun> _runs = [];
    private long _totalWaitTicks;
    private bool _disposed;

    public Dataset Data => _data;
    public BatchLoaderOptions Options => _options;
    public ImageShape Shape { get; }
    /// <summary>Samples per epoch (the index array's length).</summary>
    public int SampleCount => _indices.Length;
    public int BatchesPerEpoch { get; }
    /// <summary>The time consumers spent waiting for batches, over all epochs so far.</summary>
    public TimeSpan TotalWait => TimeSpan.FromTicks(Interlocked.Read(ref _totalWaitTicks));
    /// <summary>The timing of the most recently finished (or abandoned) epoch.</summary>
    public EpochTiming? LastEpoch { get; private set; }

    /// <param name="indices">The dataset indices to draw from (e.g. the train part of a split); null means all.</param>
    public BatchLoader(Dataset data, int[]? indices, BatchLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be positive");
        if (options.Prefetch <= 0) throw new ArgumentOutOfRangeException(nameof(options), "Prefetch must be positive");
        _data = data;
        _indices = indices is null ? Enumerable.Range(0, data.Count).ToArray() : (int[])indices.Clone();
        foreach (int i in _indices)
            if ((uint)i >= (uint)data.Count) throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} is outside the dataset (0..{data.Count - 1})");
        _options = options;
        Shape = new ImageShape(data.Channels, data.Height, data.Width);
        if (data.IsText && options.Augmentations.Count > 0)
            throw new NasOnnxException($"{data.Name} is text: image augmentations ({string.Join(", ", options.Augmentations.Select(a => a.GetType().Name))}) do not apply",
                "leave the augmentation params (crop, flip, cutout, ...) out of stages that train on text");
        var norm = options.Normalization ?? Normalization.Identity(data.Channels);
        if (norm.Channels != data.Channels)
            throw new ArgumentException($"normalization has {norm.Channels} channels, the dataset {data.Channels}", nameof(options));
        _lut = norm.LookupTable();
        _mean = norm.Mean.ToArray();
        _std = norm.Std.ToArray();
        _before = options.Augmentations.Where(a => !a.AfterNormalization).ToArray();
        _after = options.Augmentations.Where(a => a.AfterNormalization).ToArray();
        BatchesPerEpoch = options.DropLast ? _indices.Length / options.BatchSize : (_indices.Length + options.BatchSize - 1) / options.BatchSize;
    }

    /// <summary>The sample order of an epoch (the indices, shuffled by (seed, epoch) when Shuffle is on).</summary>
    public int[] Order(int epoch) =>
        _options.Shuffle ? DatasetSplit.EpochOrder(_indices, _options.Seed, epoch) : (int[])_indices.Clone();

    /// <summary>
    /// The batches of one epoch. The background thread starts on the first MoveNext and stops when
    /// the enumeration ends or its enumerator is disposed. An exception in the preparation
    /// (e.g. an augmentation) is rethrown here.
    /// </summary>
    /// <param name="startBatch">Skip the first batches of the epoch (resuming mid-epoch): the batches that follow are
    /// exactly those a full epoch would yield from that position on, with the same augmentation.</param>
    public IEnumerable<Batch> Epoch(int epoch, int startBatch = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startBatch, BatchesPerEpoch);
        return Run(epoch, startBatch);
    }

    /// <summary>
    /// The batches from a background thread's queue (<see cref="BatchLoaderOptions.Background"/>) or built here, one per
    /// MoveNext; either way the time spent getting a batch counts as waiting.
    /// </summary>
    private IEnumerable<Batch> Run(int epoch, int startBatch)
    {
        EpochRun? run = _options.Background ? Start(epoch, startBatch) : null;
        int[] order = run is null ? Order(epoch) : [];
        long start = Stopwatch.GetTimestamp();
        long waitTicks = 0;
        int batches = 0;
        bool completed = false;
        try
        {
            for (int b = startBatch; ; b++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Batch? batch = run is not null ? Take(run) : b < BatchesPerEpoch ? BuildNumber(order, epoch, b) : null;
                long waited = Stopwatch.GetElapsedTime(t0).Ticks;
                waitTicks += waited;
                Interlocked.Add(ref _totalWaitTicks, waited);
                if (batch is null) break;
                batches++;
                yield return batch;
            }
            run?.ThrowIfFailed();
            if (batches < BatchesPerEpoch - startBatch)
                throw new ObjectDisposedException(nameof(BatchLoader), "the batch loader was disposed during an epoch");
            completed = true;
        }
        finally
        {
            if (run is not null) Stop(run);
            LastEpoch = new EpochTiming(epoch, batches, TimeSpan.FromTicks(waitTicks), Stopwatch.GetElapsedTime(start), completed);
        }
    }

    /// <summary>Blocks until the next batch of the background thread (null at the end).</summary>
    private static Batch? Take(EpochRun run)
    {
        try
        {
            return run.Queue.TryTake(out var batch, Timeout.Infinite, run.Cancel.Token) ? batch : null;
        }
        catch (OperationCanceledException)
        {
            throw new ObjectDisposedException(nameof(BatchLoader), "the batch loader was disposed during an epoch");
        }
    }

    /// <summary>Batch number <paramref name="number"/> of an epoch's order; null for a disposed loader (built here, never half-way).</summary>
    private Batch? BuildNumber(int[] order, int epoch, int number)
    {
        if (_disposed) return null;
        int from = number * _options.BatchSize;
        return Build(order.AsSpan(from, Math.Min(_options.BatchSize, order.Length - from)), epoch, number);
    }

    private EpochRun Start(int epoch, int startBatch)
    {
        var run = new EpochRun(_options.Prefetch);
        lock (_runs)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _runs.Add(run);
        }
        int[] order = Order(epoch);
        run.Thread = new Thread(() => Produce(run, order, epoch, startBatch))
        {
            IsBackground = true,
            Name = $"BatchLoader {_data.Name} epoch {epoch}",
        };
        run.Thread.Start();
        return run;
    }

    private void Stop(EpochRun run)
    {
        run.Cancel.Cancel();
        if (run.Thread is { } t && t != Thread.CurrentThread) t.Join(TimeSpan.FromSeconds(30));
        lock (_runs) _runs.Remove(run);
        run.Queue.Dispose();
        run.Cancel.Dispose();
    }

    private void Produce(EpochRun run, int[] order, int epoch, int startBatch)
    {
        try
        {
            for (int b = startBatch; b < BatchesPerEpoch; b++)
            {
                if (run.Cancel.IsCancellationRequested || BuildNumber(order, epoch, b) is not { } batch) return;
                run.Queue.Add(batch, run.Cancel.Token);
            }
        }
        catch (OperationCanceledException) when (run.Cancel.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            run.Error = e;
        }
        finally
        {
            try { run.Queue.CompleteAdding(); } catch (ObjectDisposedException) { }
        }
    }

    /// <summary>Prepares one batch from the given dataset indices (also usable without the thread).</summary>
    public Batch Build(ReadOnlySpan<int> indices, int epoch = 0, int number = 0)
    {
        if (_data.IsText) return BuildText(indices, epoch, number);
        int n = indices.Length, size = Shape.Size, plane = Shape.Height * Shape.Width, channels = Shape.Channels;
        var images = new float[(long)n * size];
        var labels = new long[n];
        for (int s = 0; s < n; s++)
        {
            int idx = indices[s];
            labels[s] = _data.Labels[idx];
            var src = _data.Image(idx);
            var dst = images.AsSpan(s * size, size);
            SplitMix64? rng = _before.Length + _after.Length > 0 ? SplitMix64.Derive(_options.Seed, 0xA06, epoch, idx) : null;
            if (_before.Length == 0)
            {
                for (int c = 0; c < channels; c++)
                {
                    var lut = _lut.AsSpan(c * 256, 256);
                    var sc = src.Slice(c * plane, plane);
                    var dc = dst.Slice(c * plane, plane);
                    for (int p = 0; p < sc.Length; p++) dc[p] = lut[sc[p]];
                }
            }
            else
            {
                for (int p = 0; p < size; p++) dst[p] = src[p] * (1f / 255f);
                foreach (var a in _before) a.Apply(dst, Shape, idx, rng!);
                for (int c = 0; c < channels; c++)
                {
                    float m = _mean[c], inv = 1f / _std[c];
                    var dc = dst.Slice(c * plane, plane);
                    for (int p = 0; p < dc.Length; p++) dc[p] = (dc[p] - m) * inv;
                }
            }
            foreach (var a in _after) a.Apply(dst, Shape, idx, rng!);
        }
        return new Batch { Images = images, Labels = labels, Indices = indices.ToArray(), Shape = Shape, Epoch = epoch, Number = number };
    }

    /// <summary>A batch of token sequences: ids copied as they are (text has no normalization or augmentation).</summary>
    private Batch BuildText(ReadOnlySpan<int> indices, int epoch, int number)
    {
        int n = indices.Length, length = _data.SequenceLength;
        var tokens = new long[(long)n * length];
        var labels = new long[n];
        for (int s = 0; s < n; s++)
        {
            var src = _data.Sequence(indices[s]);
            var dst = tokens.AsSpan(s * length, length);
            for (int t = 0; t < length; t++) dst[t] = src[t];
            labels[s] = _data.Labels[indices[s]];
        }
        return new Batch { Tokens = tokens, Labels = labels, Indices = indices.ToArray(), Shape = Shape, Epoch = epoch, Number = number };
    }

    /// <summary>Stops every epoch in progress and waits for their threads.</summary>
    public void Dispose()
    {
        EpochRun[] runs;
        lock (_runs)
        {
            if (_disposed) return;
            _disposed = true;
            runs = _runs.ToArray();
        }
        foreach (var r in runs)
        {
            try { r.Cancel.Cancel(); } catch (ObjectDisposedException) { }
            if (r.Thread is { } t && t != Thread.CurrentThread) t.Join(TimeSpan.FromSeconds(30));
        }
    }

    private sealed class EpochRun(int capacity)
    {
        public BlockingCollection<Batch> Queue { get; } = new(new ConcurrentQueue<Batch>(), capacity);
        public CancellationTokenSource Cancel { get; } = new();
        public Thread? Thread { get; set; }
        public Exception? Error { get; set; }

        public void ThrowIfFailed()
        {
            if (Error is { } e)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
        }
    }
}
