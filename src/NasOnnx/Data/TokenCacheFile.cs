using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NasOnnx.Core;

namespace NasOnnx.Data;

/// <summary>
/// The token ids of one split of a text dataset, written once by prepare-data (train.tokens, test.tokens) so that later
/// stages never tokenize again. Layout (little-endian): the 8 ASCII bytes "NASTOK01", then int32 count, sequence length
/// and vocabulary size (20 bytes of header), then count*length int32 token ids (each sequence padded at its end with
/// <see cref="TokenIds.Pad"/>, at least one real token), then count label bytes.
/// </summary>
public static class TokenCacheFile
{
    public const int HeaderSize = 20;
    public static ReadOnlySpan<byte> Magic => "NASTOK01"u8;

    /// <summary>Writes a cache atomically.</summary>
    public static void Write(string path, int sequenceLength, int vocabularySize, int[] tokens, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(labels);
        if ((long)labels.Length * sequenceLength != tokens.LongLength)
            throw new ArgumentException($"{tokens.Length} ids do not hold {labels.Length} sequences of {sequenceLength}", nameof(tokens));
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), labels.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), sequenceLength);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), vocabularySize);
        AtomicWrite.Stream(path, stream =>
        {
            stream.Write(header);
            if (BitConverter.IsLittleEndian) stream.Write(MemoryMarshal.AsBytes(tokens.AsSpan()));
            else
            {
                var word = new byte[4];
                foreach (int id in tokens) { BinaryPrimitives.WriteInt32LittleEndian(word, id); stream.Write(word); }
            }
            stream.Write(labels);
        });
    }

    /// <summary>Reads and checks a cache: shape, ids below the vocabulary size, padding only at the end, labels below the class count.</summary>
    public static Dataset Read(string path, string name, IReadOnlyList<string> classNames, int expectedLength, int expectedVocabularySize)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        try
        {
            using var stream = File.OpenRead(path);
            var header = new byte[HeaderSize];
            if (stream.Length < HeaderSize) throw Damaged(path, $"it has {stream.Length} bytes, less than a header");
            stream.ReadExactly(header);
            if (!header.AsSpan(0, 8).SequenceEqual(Magic)) throw Damaged(path, "it does not start with NASTOK01");
            int count = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
            int length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
            int vocabulary = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16));
            if (count < 0 || length != expectedLength || vocabulary != expectedVocabularySize)
                throw Damaged(path, $"its header says {count} sequences of {length} tokens over {vocabulary} ids, dataset.json says {expectedLength} tokens over {expectedVocabularySize} ids");
            long expected = HeaderSize + (long)count * length * 4 + count;
            if (stream.Length != expected) throw Damaged(path, $"it has {stream.Length} bytes, not the {expected} its header implies");
            var tokens = new int[(long)count * length];
            stream.ReadExactly(MemoryMarshal.AsBytes(tokens.AsSpan()));
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < tokens.Length; i++) tokens[i] = BinaryPrimitives.ReverseEndianness(tokens[i]);
            var labels = new byte[count];
            stream.ReadExactly(labels);
            for (int s = 0; s < count; s++)
            {
                var sequence = tokens.AsSpan(s * length, length);
                if (sequence[0] == TokenIds.Pad) throw Damaged(path, $"sequence {s} is empty");
                bool padding = false;
                foreach (int id in sequence)
                {
                    if ((uint)id >= (uint)vocabulary) throw Damaged(path, $"sequence {s} has id {id}, outside the vocabulary of {vocabulary}");
                    if (id == TokenIds.Pad) padding = true;
                    else if (padding) throw Damaged(path, $"sequence {s} has a token after its padding");
                }
                if (labels[s] >= classNames.Count) throw Damaged(path, $"sequence {s} has label {labels[s]} but the dataset has {classNames.Count} classes");
            }
            return Dataset.Text(name, length, tokens, labels, classNames);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasOnnxException($"the token cache {path} cannot be read: {e.Message}", "re-run the prepare-data stage with --force") { FilePath = path };
        }
    }

    private static NasOnnxException Damaged(string path, string what) =>
        new($"the token cache {Path.GetFileName(path)} is damaged: {what}", "re-run the prepare-data stage with --force") { FilePath = path };
}
