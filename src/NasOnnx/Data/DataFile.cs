using System.IO.Compression;

namespace NasOnnx.Data;

/// <summary>
/// Opens dataset files that may be gzipped (detected by the gzip magic bytes 1F 8B, not by the
/// extension) and reads them with errors that name the file and say what to do.
/// </summary>
public static class DataFile
{
    internal const string RedownloadFix =
        "Re-download the dataset (delete the file and run the command again, or copy a good copy into the data folder).";

    /// <summary>True when the file starts with the gzip magic bytes.</summary>
    public static bool IsGzip(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        return fs.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    /// <summary>Opens the file for reading, decompressing it when it is gzipped.</summary>
    public static Stream Open(string path, out bool gzip)
    {
        if (!File.Exists(path))
            throw new NasOnnxException($"data file not found: {path}",
                "Check the path, or let nasonnx download the dataset / copy the files into the data folder.")
            { FilePath = path };
        gzip = IsGzip(path);
        Stream fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return gzip ? new GZipStream(fs, CompressionMode.Decompress, leaveOpen: false) : fs;
    }

    /// <summary>
    /// Reads up to buffer.Length bytes; returns how many were read (fewer only at the end of the data).
    /// A corrupt or cut gzip stream becomes a <see cref="NasOnnxException"/>.
    /// </summary>
    public static int ReadUpTo(Stream stream, Span<byte> buffer, string path, bool gzip)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new NasOnnxException($"the gzip data in {path} is corrupt or truncated ({e.Message})", RedownloadFix, e)
            { FilePath = path };
        }
        catch (EndOfStreamException e) when (gzip)
        {
            throw new NasOnnxException($"the gzip stream in {path} ends early: the file is truncated", RedownloadFix, e)
            { FilePath = path };
        }
    }

    /// <summary>
    /// .NET's GZipStream ends quietly when a gzip file is cut short; this checks the gzip trailer's
    /// ISIZE field (uncompressed length mod 2^32, the file's last 4 bytes) against what was read.
    /// </summary>
    public static void VerifyGzipTrailer(string path, long decompressedLength)
    {
        using var fs = File.OpenRead(path);
        if (fs.Length < 18)
            throw new NasOnnxException($"the gzip file {path} is truncated ({fs.Length} bytes, shorter than a gzip header and trailer)",
                RedownloadFix) { FilePath = path };
        fs.Seek(-4, SeekOrigin.End);
        Span<byte> b = stackalloc byte[4];
        fs.ReadExactly(b);
        uint isize = (uint)(b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24);
        if (isize != unchecked((uint)decompressedLength))
            throw new NasOnnxException(
                $"the gzip stream in {path} is truncated or corrupt: its trailer says {isize} bytes but {decompressedLength} were decompressed",
                RedownloadFix) { FilePath = path };
    }
}
