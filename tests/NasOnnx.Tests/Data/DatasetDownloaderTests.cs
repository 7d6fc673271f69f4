using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NasOnnx.Data;

namespace NasOnnx.Tests.Data;

/// <summary>Serves a fixed set of files over HTTP on 127.0.0.1 until disposed.</summary>
internal sealed class LocalFileServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, byte[]> _files;
    private readonly Task _loop;
    public Uri BaseUrl { get; }
    public int Requests;

    public LocalFileServer(Dictionary<string, byte[]> files)
    {
        _files = files;
        int port = FreePort();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/files/");
        _listener.Prefixes.Add(BaseUrl.AbsoluteUri);
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            Interlocked.Increment(ref Requests);
            _ = Task.Run(() => Answer(ctx));
        }
    }

    private async Task Answer(HttpListenerContext ctx)
    {
        try
        {
            string name = ctx.Request.Url!.AbsolutePath.Split('/').Last();
            if (_files.TryGetValue(name, out var body))
            {
                ctx.Response.ContentLength64 = body.Length;
                if (Stall)
                {
                    // Headers and a little data, then silence: the client must time out, not hang.
                    await ctx.Response.OutputStream.WriteAsync(body.AsMemory(0, 10));
                    await ctx.Response.OutputStream.FlushAsync();
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }
                await ctx.Response.OutputStream.WriteAsync(body);
            }
            else ctx.Response.StatusCode = 404;
            ctx.Response.Close();
        }
        catch (Exception) { ctx.Response.Abort(); }
    }

    /// <summary>Send headers and 10 bytes, then nothing.</summary>
    public bool Stall { get; init; }
    private readonly CancellationTokenSource _stop = new();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}

/// <summary>Records progress reports synchronously (Progress&lt;T&gt; would post them later).</summary>
internal sealed class ProgressLog : IProgress<DownloadProgress>
{
    public List<DownloadProgress> Reports { get; } = [];
    public void Report(DownloadProgress value) { lock (Reports) Reports.Add(value); }
}

public class DatasetDownloaderTests
{
    private static Dictionary<string, byte[]> FashionFiles()
    {
        using var t = new TempDir();
        TestData.WriteFashionFiles(t.Path, train: 40, test: 12);
        return Directory.GetFiles(t.Path).ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);
    }

    private static DatasetInfo WithChecksums(Dictionary<string, byte[]> files) => DatasetCatalog.FashionMnist with
    {
        DownloadFiles = files.Select(kv => new RemoteFile(kv.Key, Convert.ToHexStringLower(MD5.HashData(kv.Value)))).OrderBy(f => f.Name).ToArray(),
    };

    [Fact]
    public async Task Downloads_verifies_and_renames_into_place_with_progress()
    {
        var files = FashionFiles();
        using var server = new LocalFileServer(files);
        using var t = new TempDir();
        string folder = Path.Combine(t.Path, "data", "fashion-mnist");
        var progress = new ProgressLog();
        using var dl = new DatasetDownloader(server.BaseUrl, TimeSpan.FromSeconds(10));
        await dl.DownloadAsync(WithChecksums(files), folder, progress);

        foreach (var (name, bytes) in files) Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(folder, name)));
        Assert.Equal(4, Directory.GetFiles(folder).Length); // no temp files left
        Assert.All(files.Keys, n => Assert.Contains(progress.Reports, r => r.File == n && r.Done == files[n].Length && r.Total == files[n].Length));

        // Second call: files are present with the right MD5, nothing is fetched.
        int before = server.Requests;
        await dl.DownloadAsync(WithChecksums(files), folder);
        Assert.Equal(before, server.Requests);
    }

    [Fact]
    public async Task LoadAsync_downloads_when_no_location_has_the_files()
    {
        var files = FashionFiles();
        using var server = new LocalFileServer(files);
        using var t = new TempDir();
        using var dl = new DatasetDownloader(server.BaseUrl, TimeSpan.FromSeconds(10));
        var (pair, loc) = await DatasetLoader.LoadAsync(WithChecksums(files), null, t.Path, dl, systemFolders: []);
        Assert.Equal(DatasetSource.Downloaded, loc.Source);
        Assert.Equal(Path.Combine(t.Path, "data", "fashion-mnist"), loc.Folder);
        Assert.Single(loc.Searched);
        Assert.Equal(40, pair.Train.Count);
        Assert.Equal(12, pair.Test.Count);
    }

    [Fact]
    public async Task Checksum_mismatch_deletes_the_file_and_says_so()
    {
        var files = FashionFiles();
        using var server = new LocalFileServer(files);
        using var t = new TempDir();
        var info = WithChecksums(files);
        info = info with { DownloadFiles = [info.DownloadFiles[0] with { Md5 = new string('0', 32) }] };
        using var dl = new DatasetDownloader(server.BaseUrl, TimeSpan.FromSeconds(10));
        var e = await Assert.ThrowsAsync<NasOnnxException>(() => dl.DownloadAsync(info, t.Path));
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Contains("deleted", e.Message);
        Assert.Contains(info.DownloadFiles[0].Name, e.Message);
        Assert.Empty(Directory.GetFiles(t.Path));
    }

    [Fact]
    public async Task Unreachable_network_says_so_and_how_to_get_the_files()
    {
        using var t = new TempDir();
        var closed = new Uri($"http://127.0.0.1:{LocalFileServer.FreePort()}/");
        using var dl = new DatasetDownloader(closed, TimeSpan.FromSeconds(10));
        var e = await Assert.ThrowsAsync<NasOnnxException>(() => dl.DownloadAsync(DatasetCatalog.FashionMnist, t.File("fm")));
        Assert.Contains("network is unreachable", e.Message);
        Assert.Contains("data/fashion-mnist/", e.Fix);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", e.Fix);
        Assert.Empty(Directory.GetFiles(t.File("fm")));
    }

    [Fact]
    public async Task Stalled_download_times_out_as_unreachable_and_leaves_no_file()
    {
        var files = FashionFiles();
        using var server = new LocalFileServer(files) { Stall = true };
        using var t = new TempDir();
        using var dl = new DatasetDownloader(server.BaseUrl, TimeSpan.FromSeconds(1));
        var e = await Assert.ThrowsAsync<NasOnnxException>(() => dl.DownloadAsync(WithChecksums(files), t.Path));
        Assert.Contains("network is unreachable", e.Message);
        Assert.Empty(Directory.GetFiles(t.Path));
    }

    [Fact]
    public async Task Http_error_is_reported()
    {
        using var server = new LocalFileServer([]);
        using var t = new TempDir();
        using var dl = new DatasetDownloader(server.BaseUrl, TimeSpan.FromSeconds(10));
        var e = await Assert.ThrowsAsync<NasOnnxException>(() => dl.DownloadAsync(DatasetCatalog.FashionMnist, t.Path));
        Assert.Contains("404", e.Message);
    }
}
