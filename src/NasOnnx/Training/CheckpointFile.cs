using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NasOnnx.Core;

namespace NasOnnx.Training;

/// <summary>
/// One checkpoint file (.ckpt): the magic "NASONNXCKPT" and a format byte, then a payload of the header (JSON),
/// the model's parameters and buffers (TorchSharp's Module.save format), every optimizer's state
/// (save_state_dict: hyper-parameters and momentum/Adam buffers) and torch's default-generator state, then the
/// SHA-256 of the payload. A truncated or altered file fails the checksum; a file from another network fails the
/// fingerprint; a file from another run fails the key. Nothing is changed in the model or optimizers unless the
/// whole file loads.
/// </summary>
public static class CheckpointFile
{
    public const byte FormatVersion = 1;
    private static readonly byte[] Magic = "NASONNXCKPT"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Write(string path, CheckpointHeader header, nn.Module model, IReadOnlyList<TorchSharp.Modules.OptimizerHelper> optimizers)
    {
        using var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(JsonSerializer.Serialize(header, Json));
            model.save(w);
            w.Write(optimizers.Count);
            foreach (var o in optimizers) o.save_state_dict(w);
            using var rng = torch.random.get_rng_state();
            var state = rng.data<byte>().ToArray();
            w.Write(state.Length);
            w.Write(state);
        }
        byte[] body = payload.ToArray();
        byte[] hash = SHA256.HashData(body);
        AtomicWrite.Stream(path, s =>
        {
            s.Write(Magic);
            s.WriteByte(FormatVersion);
            s.Write(body);
            s.Write(hash);
        });
    }

    /// <summary>Reads only the header, after checking the file's integrity.</summary>
    public static CheckpointHeader ReadHeader(string path) => ReadHeader(Payload(path), out _);

    /// <summary>
    /// Checks the file and, if it belongs to this run and this network, loads it into the model, the optimizers
    /// and torch's default generator. Throws <see cref="CheckpointRefusedException"/> (nothing changed) otherwise.
    /// </summary>
    public static CheckpointHeader Load(string path, string key, nn.Module model, IReadOnlyList<TorchSharp.Modules.OptimizerHelper> optimizers)
    {
        byte[] body = Payload(path);
        var header = ReadHeader(body, out int offset);
        string network = NetworkFingerprint.Of(model);
        if (header.Network != network)
            throw new CheckpointRefusedException(
                $"it was written for another network ({header.NetworkDescription}, fingerprint {header.Network}), not this one ({NetworkFingerprint.Describe(model)}, fingerprint {network})");
        if (header.Key != key)
            throw new CheckpointRefusedException($"it was written by a run with other params, data or code (key {header.Key}, this run {key})");

        // Snapshot, so that a failure half-way leaves the model and optimizers as they were.
        using var snapshot = new MemoryStream();
        using (var w = new BinaryWriter(snapshot, Encoding.UTF8, leaveOpen: true))
        {
            model.save(w);
            foreach (var o in optimizers) o.save_state_dict(w);
        }
        try
        {
            using var r = new BinaryReader(new MemoryStream(body, offset, body.Length - offset));
            model.load(r, strict: true);
            int count = r.ReadInt32();
            if (count != optimizers.Count)
                throw new CheckpointRefusedException($"it holds the state of {count} optimizer(s), this run has {optimizers.Count}");
            foreach (var o in optimizers) o.load_state_dict(r);
            int n = r.ReadInt32();
            byte[] rng = r.ReadBytes(n);
            if (rng.Length != n) throw new EndOfStreamException("generator state cut short");
            using var state = torch.tensor(rng, dtype: ScalarType.Byte);
            torch.random.set_rng_state(state);
            return header;
        }
        catch (Exception e)
        {
            snapshot.Position = 0;
            using (var r = new BinaryReader(snapshot))
            {
                model.load(r, strict: true);
                foreach (var o in optimizers) o.load_state_dict(r);
            }
            throw e as CheckpointRefusedException ?? new CheckpointRefusedException($"its tensors do not load into this network ({e.Message})");
        }
    }

    private static byte[] Payload(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointRefusedException($"it cannot be read ({e.Message})");
        }
        int head = Magic.Length + 1;
        if (bytes.Length < head + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointRefusedException(bytes.Length < head + 32 ? $"it is truncated ({bytes.Length} bytes)" : "it is not a NasOnnx checkpoint");
        if (bytes[Magic.Length] != FormatVersion)
            throw new CheckpointRefusedException($"it has format {bytes[Magic.Length]}, this version reads format {FormatVersion}");
        var body = bytes.AsSpan(head, bytes.Length - head - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new CheckpointRefusedException($"it is truncated or corrupt (checksum mismatch over {bytes.Length} bytes)");
        return body.ToArray();
    }

    private static CheckpointHeader ReadHeader(byte[] body, out int offset)
    {
        using var ms = new MemoryStream(body);
        using var r = new BinaryReader(ms, Encoding.UTF8);
        try
        {
            var header = JsonSerializer.Deserialize<CheckpointHeader>(r.ReadString(), Json) ?? throw new JsonException("empty header");
            offset = (int)ms.Position;
            return header;
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException)
        {
            throw new CheckpointRefusedException($"its header cannot be read ({e.Message})");
        }
    }
}
