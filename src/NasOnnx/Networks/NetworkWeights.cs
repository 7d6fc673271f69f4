using NasOnnx.Core;
using NasOnnx.Runtime;

namespace NasOnnx.Networks;

/// <summary>
/// Weights files: TorchSharp's state-dict format (<c>module.save</c>/<c>load</c>) with the architecture JSON beside it
/// (<c>model.pt</c> -> <c>model.arch.json</c>). Loading checks names and shapes against the network first and
/// names the first mismatch.
/// </summary>
public static class NetworkWeights
{
    /// <summary>Where the architecture JSON of a weights file lives.</summary>
    public static string ArchitecturePathFor(string weightsPath) => Path.ChangeExtension(weightsPath, ".arch.json");

    /// <summary>Saves the weights and the architecture JSON beside them.</summary>
    public static void Save(NasNetwork network, string weightsPath)
    {
        // the last line of defence behind the training loops' own checks: NaN weights are never published
        if (!FiniteGuard.AllFinite(network))
            throw new NasOnnxException("the trained weights hold NaN or infinite values; nothing was written",
                "the training diverged: lower the learning rate, keep grad_clip on, and check `nasonnx doctor`'s numerics line (NASONNX_NUMERICS=safe forces the safe configuration)")
            { FilePath = weightsPath };
        string? dir = Path.GetDirectoryName(Path.GetFullPath(weightsPath));
        if (dir is not null) Directory.CreateDirectory(dir);
        AtomicWrite.ViaTempPath(weightsPath, temp => network.save(temp));
        network.Architecture.Save(ArchitecturePathFor(weightsPath));
    }

    /// <summary>Reads the names, types and shapes in a TorchSharp state-dict file without loading the data.</summary>
    public static IReadOnlyList<WeightEntry> ReadEntries(string weightsPath)
    {
        if (!File.Exists(weightsPath))
            throw new NasOnnxException("Weights file not found.", "Check the path; weights are written by the retrain stage (or use --random-weights).") { FilePath = weightsPath };
        try
        {
            using var stream = File.OpenRead(weightsPath);
            using var reader = new BinaryReader(stream);
            long count = Leb128(reader);
            var entries = new List<WeightEntry>();
            for (long i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                var type = (ScalarType)Leb128(reader);
                long rank = Leb128(reader);
                if (rank is < 0 or > 16) throw new InvalidDataException($"tensor {i} has rank {rank}");
                var shape = new long[rank];
                for (int d = 0; d < rank; d++) shape[d] = Leb128(reader);
                if (shape.Any(d => d < 0)) throw new InvalidDataException($"tensor {i} has a negative dimension");
                long bytes = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * ElementSize(type));
                stream.Seek(bytes, SeekOrigin.Current);
                if (stream.Position > stream.Length) throw new EndOfStreamException();
                entries.Add(new WeightEntry(name, type, shape));
            }
            // TorchSharp writes nothing after the last tensor: trailing bytes mean a damaged or different file.
            if (stream.Position != stream.Length)
                throw new InvalidDataException($"{stream.Length - stream.Position} unexpected bytes after the last of {count} tensors");
            return entries;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or NotSupportedException or FormatException or OverflowException or InvalidDataException)
        {
            throw new NasOnnxException($"The weights file is not a TorchSharp state-dict file ({e.Message}).",
                "Pass the file written by TorchSharp's module.save (the retrain stage's weights).", e) { FilePath = weightsPath };
        }
    }

    /// <summary>Checks names and shapes against the network; throws naming the first mismatch; then loads.</summary>
    public static void Load(NasNetwork network, string weightsPath)
    {
        var entries = ReadEntries(weightsPath);
        var expected = network.state_dict();
        var inFile = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        string arch = $"{network.Architecture.Space} architecture {network.Architecture.ArchId}";
        const string fix = "Export with the architecture JSON the weights were trained with (it is saved beside them as *.arch.json).";
        foreach (var (name, tensor) in expected)
        {
            if (!inFile.TryGetValue(name, out var e))
                throw new NasOnnxException($"The weights do not match the {arch}: tensor '{name}' {Shape(tensor.shape)} is missing from the file.", fix) { FilePath = weightsPath };
            if (!e.Shape.SequenceEqual(tensor.shape))
                throw new NasOnnxException($"The weights do not match the {arch}: tensor '{name}' has shape {Shape(e.Shape)} in the file, the network expects {Shape(tensor.shape)}.", fix) { FilePath = weightsPath };
        }
        var extra = entries.FirstOrDefault(e => !expected.ContainsKey(e.Name));
        if (extra is not null)
            throw new NasOnnxException($"The weights do not match the {arch}: the file has tensor '{extra.Name}' {Shape(extra.Shape)} that the network does not.", fix) { FilePath = weightsPath };
        network.load(weightsPath, strict: true);
    }

    /// <summary>
    /// PyTorch's default initialization (Conv2d and Linear weights and biases uniform in +-1/sqrt(fan_in), BatchNorm
    /// gamma 1, beta 0, statistics 0/1) drawn from a generator seeded with <paramref name="seed"/>: reproducible
    /// whatever else uses libtorch's global generator meanwhile.
    /// </summary>
    public static void Initialize(nn.Module network, int seed)
    {
        using var _ = torch.no_grad();
        var gen = new torch.Generator((ulong)seed);
        void Uniform(Tensor? t, double bound)
        {
            if (t is null) return;
            t.copy_((torch.rand(t.shape, generator: gen) * 2 - 1) * bound);
        }
        foreach (var m in network.modules())
        {
            switch (m)
            {
                case Conv2d conv:
                    {
                        var w = conv.weight!;
                        double bound = 1.0 / Math.Sqrt(w.shape[1] * w.shape[2] * w.shape[3]);
                        Uniform(w, bound);
                        Uniform(conv.bias, bound);
                        break;
                    }
                case Linear lin:
                    {
                        double bound = 1.0 / Math.Sqrt(lin.weight!.shape[1]);
                        Uniform(lin.weight, bound);
                        Uniform(lin.bias, bound);
                        break;
                    }
                case BatchNorm2d bn:
                    bn.weight?.fill_(HeldScalars.FloatOne);
                    bn.bias?.fill_(HeldScalars.FloatZero);
                    bn.running_mean?.zero_();
                    bn.running_var?.fill_(HeldScalars.FloatOne);
                    break;
                // text networks' modules (image networks have none, so their draws are unchanged)
                case Conv1d conv1:
                    {
                        var w = conv1.weight!;
                        double bound = 1.0 / Math.Sqrt(w.shape[1] * w.shape[2]);
                        Uniform(w, bound);
                        Uniform(conv1.bias, bound);
                        break;
                    }
                case Embedding emb:
                    // N(0, 1/width), not torch's N(0, 1): vectors of unit length on average. With N(0, 1) a word's
                    // vector is sqrt(width) long and AdamW's steps (about lr per coordinate) move it by a fraction of a
                    // percent, so rare words barely learn in the few epochs a search or a retrain gives them (the
                    // fairseq/Transformer convention).
                    {
                        using var scale = (1 / Math.Sqrt(emb.weight!.shape[1])).ToScalar(); // held: see HeldScalars
                        emb.weight.copy_(torch.randn(emb.weight.shape, generator: gen).mul_(scale));
                    }
                    break;
                case GRU gru:
                    {
                        // every weight and bias uniform in +-1/sqrt(hidden), as PyTorch's RNNs
                        var hh = gru.named_parameters().First(p => p.name.StartsWith("weight_hh", StringComparison.Ordinal)).parameter;
                        double bound = 1.0 / Math.Sqrt(hh.shape[1]);
                        foreach (var (_, p) in gru.named_parameters()) Uniform(p, bound);
                        break;
                    }
                case LayerNorm ln:
                    ln.weight?.fill_(HeldScalars.FloatOne);
                    ln.bias?.fill_(HeldScalars.FloatZero);
                    break;
            }
        }
    }

    /// <summary>
    /// Non-trivial random weights for trials before training: seeded init, plus randomized BatchNorm statistics
    /// and affine parameters (so BN folding is exercised).
    /// </summary>
    public static void Randomize(nn.Module network, int seed)
    {
        using var _ = torch.no_grad();
        var gen = new torch.Generator((ulong)seed);
        foreach (var m in network.modules())
        {
            if (m is LayerNorm ln)
            {
                // text networks' LayerNorms (image networks have none): non-trivial affine parameters, as BatchNorm's below
                long n = ln.normalized_shape.Aggregate(1L, (a, b) => a * b);
                ln.weight?.copy_((torch.rand(n, generator: gen) + 0.5).reshape(ln.normalized_shape));
                ln.bias?.copy_((torch.randn(n, generator: gen) * 0.2).reshape(ln.normalized_shape));
                continue;
            }
            if (m is not BatchNorm2d bn) continue;
            long c = bn.num_features;
            bn.running_mean!.copy_(torch.randn(c, generator: gen) * 0.2);
            bn.running_var!.copy_(torch.rand(c, generator: gen) * 1.5 + 0.5);
            bn.weight?.copy_(torch.rand(c, generator: gen) + 0.5);
            bn.bias?.copy_(torch.randn(c, generator: gen) * 0.2);
        }
    }

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static long Leb128(BinaryReader reader)
    {
        long result = 0;
        int shift = 0;
        while (true)
        {
            byte b = reader.ReadByte();
            result |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
            shift += 7;
            if (shift > 63) throw new IOException("bad LEB128 integer");
        }
    }

    private static long ElementSize(ScalarType t) => t switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new NotSupportedException($"tensor type {t}"),
    };
}
