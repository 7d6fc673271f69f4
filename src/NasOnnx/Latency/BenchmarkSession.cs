using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace NasOnnx.Latency;

/// <summary>
/// An ONNX Runtime session prepared for timing: session options set explicitly (threads, sequential execution,
/// optimization level, provider), one random input and the output pre-allocated and bound once with an
/// <see cref="OrtIoBinding"/>, so a timed run is exactly one <c>RunWithBinding</c>: no allocation, no copy.
/// </summary>
public sealed class BenchmarkSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _run = new();
    private readonly OrtIoBinding _binding;
    private readonly List<OrtValue> _values = [];

    public BenchmarkSession(byte[] model, BenchmarkOptions options, string? path = null)
    {
        options.Validate();
        Options = options;
        _options = CreateSessionOptions(options, path);
        try
        {
            _session = new InferenceSession(model, _options);
        }
        catch (OnnxRuntimeException e)
        {
            _options.Dispose();
            throw new NasOnnxException($"ONNX Runtime cannot load the model: {e.Message}", "Check that the file is an ONNX model (nasonnx inspect), or re-export it.") { FilePath = path };
        }
        if (_session.OutputMetadata.Count == 0)
        {
            _session.Dispose();
            _options.Dispose();
            throw new NasOnnxException("The model has no outputs, so there is nothing to run.", "Re-export the model (nasonnx export writes one output, `logits`).") { FilePath = path };
        }
        var rng = new Random(options.Seed);
        _binding = _session.CreateIoBinding();
        var metadata = _session.ModelMetadata.CustomMetadataMap;
        foreach (var (name, meta) in _session.InputMetadata)
        {
            OrtValue value;
            if (meta.ElementDataType == TensorElementType.Int64)
            {
                // Token ids of a text model: a symbolic sequence axis takes the length it was trained and profiled at (asked
                // for only when the axis is symbolic: profiled op models have fixed shapes and no metadata); the ids are
                // random words below the vocabulary size (never padding, so every position is computed), else all <unk>.
                bool symbolic = meta.Dimensions.Skip(1).Any(d => d < 0);
                int? length = !symbolic ? null : options.SequenceLength ?? IntMetadata(metadata, Onnx.OnnxExporter.Keys.SequenceLength, name, path);
                int vocabulary = metadata.ContainsKey(Onnx.OnnxExporter.Keys.Vocabulary) ? IntMetadata(metadata, Onnx.OnnxExporter.Keys.Vocabulary, name, path) : 2;
                long[] shape = Concrete(meta.Dimensions, options.Batch, name, path, length);
                var ids = new long[shape.Aggregate(1L, (a, b) => a * b)];
                for (int i = 0; i < ids.Length; i++) ids[i] = rng.Next(1, Math.Max(2, vocabulary));
                value = OrtValue.CreateTensorValueFromMemory(ids, shape);
            }
            else
            {
                long[] shape = Concrete(meta.Dimensions, options.Batch, name, path);
                var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
                for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
                value = OrtValue.CreateTensorValueFromMemory(data, shape);
            }
            _values.Add(value);
            _binding.BindInput(name, value);
        }
        foreach (var (name, meta) in _session.OutputMetadata)
        {
            if (meta.Dimensions.Skip(1).Any(d => d < 0))
            {
                _binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
                continue;
            }
            long[] shape = Concrete(meta.Dimensions, options.Batch, name, path, null);
            var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape);
            _values.Add(value);
            _binding.BindOutput(name, value);
        }
        _binding.SynchronizeBoundInputs();
    }

    public BenchmarkOptions Options { get; }

    private static int IntMetadata(IReadOnlyDictionary<string, string> metadata, string key, string name, string? path) =>
        metadata.TryGetValue(key, out var text) && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new NasOnnxException($"Input '{name}' takes token ids, but the model's metadata has no {key}.",
                "Export the model with nasonnx (it writes the vocabulary size and sequence length of text models).") { FilePath = path };

    /// <param name="sequence">The size of a symbolic axis after the batch (a text model's sequence length); null: refused.</param>
    private static long[] Concrete(int[] dims, int batch, string name, string? path, int? sequence = null)
    {
        var shape = new long[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] >= 0) shape[i] = dims[i];
            else if (i == 0) shape[i] = batch;
            else if (sequence is { } length) shape[i] = length;
            else throw new NasOnnxException($"Value '{name}' has a symbolic dimension {i} besides the batch; the benchmark cannot invent its size.",
                "Export the model with fixed sizes except the batch (nasonnx export does; text models carry their sequence length in the metadata).") { FilePath = path };
        }
        return shape;
    }

    /// <summary>A positive whole number in the model's metadata, or null.</summary>
    private static int? Metadata(Dictionary<string, string> map, string key) =>
        map.TryGetValue(key, out var text) && int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v) && v > 0 ? v : null;

    /// <summary>Session options with every setting that affects latency set explicitly.</summary>
    public static SessionOptions CreateSessionOptions(BenchmarkOptions options, string? path = null)
    {
        var so = new SessionOptions
        {
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = options.GraphOptimization,
            EnableCpuMemArena = true,
            EnableMemoryPattern = true,
        };
        so.AddSessionConfigEntry("session.set_denormal_as_zero", options.DenormalAsZero ? "1" : "0");
        if (options.ExecutionProvider == ExecutionProviderKind.Cuda)
        {
            const string fix = "Run with --ep cpu (the default), or on a machine with an NVIDIA GPU, its driver and the CUDA and cuDNN libraries this ONNX Runtime build loads (ONNX Runtime logs the first missing one) on the library path.";
            if (!OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
            {
                so.Dispose();
                throw new NasOnnxException("The CUDA execution provider was asked for, but this ONNX Runtime build has none.", fix) { FilePath = path };
            }
            try
            {
                so.AppendExecutionProvider_CUDA(0);
            }
            catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                so.Dispose();
                throw new NasOnnxException($"The CUDA execution provider was asked for, but it cannot start on this machine (no GPU or CUDA runtime): {FirstLine(e.Message)}", fix) { FilePath = path };
            }
        }
        return so;
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    /// <summary>Runs the model once (not timed).</summary>
    public void Run() => _session.RunWithBinding(_run, _binding);

    /// <summary>Times <paramref name="runs"/> runs, appending each (ms) to <paramref name="wall"/> and, when given, the thread CPU time to <paramref name="cpu"/>.</summary>
    public void Sample(int runs, List<double> wall, List<double>? cpu = null)
    {
        for (int i = 0; i < runs; i++)
        {
            long c0 = cpu is null ? 0 : ThreadCpuClock.Now();
            long t0 = Stopwatch.GetTimestamp();
            _session.RunWithBinding(_run, _binding);
            long t1 = Stopwatch.GetTimestamp();
            if (cpu is not null) cpu.Add((ThreadCpuClock.Now() - c0) / 1e6);
            wall.Add((t1 - t0) * 1000.0 / Stopwatch.Frequency);
        }
    }

    public void Dispose()
    {
        _binding.Dispose();
        foreach (var v in _values) v.Dispose();
        _session.Dispose();
        _run.Dispose();
        _options.Dispose();
    }
}
