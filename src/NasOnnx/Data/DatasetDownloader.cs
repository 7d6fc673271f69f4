using System.Net.Sockets;
using System.Security.Cryptography;

namespace NasOnnx.Data;

/// <summary>
/// Downloads a dataset's files into a folder: each file goes to a temporary file, its MD5 is checked,
/// and only then is it renamed into place. Files already present with the right MD5 are kept.
/// </summary>
public sealed class DatasetDownloader : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsClient;
    private readonly Uri? _baseUrlOverride;

    /// <param name="baseUrl">Replaces the catalog's download location (tests point it at a local server).</param>
    /// <param name="timeout">Per-request timeout; default 60 s.</param>
    /// <param name="client">An HttpClient to use instead of an own one (not disposed here).</param>
    public DatasetDownloader(Uri? baseUrl = null, TimeSpan? timeout = null, HttpClient? client = null)
    {
        _baseUrlOverride = baseUrl;
        _ownsClient = client is null;
        _http = client ?? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) });
        if (_ownsClient) _http.Timeout = timeout ?? TimeSpan.FromSeconds(60);
    }

    /// <summary>Downloads the catalog's files of <paramref name="info"/> into <paramref name="folder"/>.</summary>
    public Task DownloadAsync(DatasetInfo info, string folder, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Uri baseUrl = _baseUrlOverride ?? info.DownloadBaseUrl
            ?? throw new NasOnnxException($"nasonnx cannot download {info.DisplayName} itself", $"To get the files: {info.ManualSource}.");
        return DownloadAsync(baseUrl, info.DownloadFiles, folder, info.ManualSource, progress, cancellationToken);
    }

    /// <summary>Downloads <paramref name="files"/> from <paramref name="baseUrl"/> into <paramref name="folder"/>.</summary>
    /// <param name="manualSource">How to get the files by hand; used in error messages.</param>
    public async Task DownloadAsync(Uri baseUrl, IReadOnlyList<RemoteFile> files, string folder, string manualSource,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(files);
        if (!baseUrl.AbsoluteUri.EndsWith('/')) baseUrl = new Uri(baseUrl.AbsoluteUri + "/");
        Directory.CreateDirectory(folder);
        foreach (var file in files)
        {
            string target = Path.Combine(folder, file.Name);
            if (File.Exists(target) && string.Equals(await Md5Async(target, cancellationToken).ConfigureAwait(false), file.Md5, StringComparison.OrdinalIgnoreCase))
                continue;
            await DownloadOneAsync(new Uri(baseUrl, file.Name), file, target, manualSource, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DownloadOneAsync(Uri url, RemoteFile file, string target, string manualSource,
        IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        string temp = $"{target}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        string actualMd5;
        try
        {
            try
            {
                using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    throw new NasOnnxException(
                        $"downloading {url} failed: the server answered {(int)response.StatusCode} {response.ReasonPhrase}",
                        $"Try again later, or get the files by hand: {manualSource}.") { FilePath = target };
                long? total = response.Content.Headers.ContentLength;
                using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                await using (var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false))
                await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    var buffer = new byte[1 << 16];
                    long done = 0;
                    progress?.Report(new DownloadProgress(file.Name, 0, total));
                    int n;
                    // HttpClient.Timeout ends at the headers; a body that stalls is cut off by this idle timer.
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    while (true)
                    {
                        idle.CancelAfter(_http.Timeout == Timeout.InfiniteTimeSpan ? TimeSpan.FromSeconds(60) : _http.Timeout);
                        n = await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                        if (n == 0) break;
                        await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                        md5.AppendData(buffer, 0, n);
                        done += n;
                        progress?.Report(new DownloadProgress(file.Name, done, total));
                    }
                    if (total is long t && done != t)
                        throw new NasOnnxException($"the download of {url} stopped after {done} of {t} bytes",
                            $"Run the command again, or get the files by hand: {manualSource}.") { FilePath = target };
                }
                actualMd5 = Convert.ToHexStringLower(md5.GetHashAndReset());
            }
            catch (Exception e) when (IsUnreachable(e, ct))
            {
                throw new NasOnnxException(
                    $"the network is unreachable: could not download {url} ({Innermost(e).Message})",
                    $"Get the files without the network: {manualSource}.", e) { FilePath = target };
            }
            if (!string.Equals(actualMd5, file.Md5, StringComparison.OrdinalIgnoreCase))
                throw new NasOnnxException(
                    $"checksum mismatch for {url}: MD5 {actualMd5}, expected {file.Md5}; the downloaded file was deleted",
                    $"Run the command again (the download may have been damaged), or get the files by hand: {manualSource}.") { FilePath = target };
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool IsUnreachable(Exception e, CancellationToken ct) => e switch
    {
        NasOnnxException => false,
        HttpRequestException => true,
        SocketException => true,
        HttpIOException => true,
        IOException when Innermost(e) is SocketException => true,
        // Timeouts (HttpClient's own, or the idle timer) cancel while the caller's token is not cancelled.
        OperationCanceledException when !ct.IsCancellationRequested => true,
        _ => false,
    };

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    /// <summary>The MD5 of a file as lower-case hex.</summary>
    public static async Task<string> Md5Async(string path, CancellationToken cancellationToken = default)
    {
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return Convert.ToHexStringLower(await MD5.HashDataAsync(fs, cancellationToken).ConfigureAwait(false));
    }

    public void Dispose()
    {
        if (_ownsClient) _http.Dispose();
    }
}
