using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using NasOnnx.Runtime;
using NasOnnx.Tests.Pipeline;
using Xunit.Abstractions;
using NasOnnx.Core;

namespace NasOnnx.Tests.Reliability;

/// <summary>
/// A full disk, a file size limit and an unwritable run folder, for the real CLI re-running a completed pipeline:
/// one clear message naming the file, exit 1, and the previous outputs and pipeline.lock exactly as they were.
/// How each is made without root or a tiny filesystem:
/// * full disk: NASONNX_TEST_FAIL_WRITE (see <see cref="TestFaults"/>) makes the named file's atomic write fail half-way
///   with the IOException of ENOSPC, inside a stage (model.pt) and while publishing (pipeline.lock);
/// * file size limit: the real thing, `ulimit -f` (RLIMIT_FSIZE) in bash around the process; the CLI ignores SIGXFSZ so
///   the write fails with EFBIG (CoreCLR's W^X double mapping counts against the limit, hence DOTNET_EnableWriteXorExecute=0);
/// * unwritable run folder: as a normal user the folder is made read-only (chmod); as root (permissions do not apply)
///   the CLI runs as `nobody` through setpriv.
/// </summary>
public class DiskFullTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        // Undo a read-only folder so the temp folder can be deleted.
        if (!OperatingSystem.IsWindows())
            foreach (var d in Directory.EnumerateDirectories(_dir.Path, "*", SearchOption.AllDirectories).Prepend(_dir.Path))
                try { File.SetUnixFileMode(d, (UnixFileMode)0x1ff); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _dir.Dispose();
    }

    private string RunDir => _dir["runs/tiny"];

    private Dictionary<string, string> Snapshot() => new(
        Directory.EnumerateFiles(RunDir, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(RunDir, f).StartsWith('.'))
            .Select(f => KeyValuePair.Create(Path.GetRelativePath(RunDir, f), ContentHash.OfFile(f))));

    private void CompletedProject()
    {
        LearnableData.Project(_dir, "tiny", epochs: 1, train: 300, test: 100);
        var (code, text) = CliProcess.Run(_dir.Path, "run", "pipeline/tiny.yaml");
        Assert.True(code == 0, text);
    }

    private static string Flat(string text) => Regex.Replace(text, @"\s+", " ");

    private void AssertFailedCleanly(int code, string text, string file, string cause, Dictionary<string, string> before)
    {
        output.WriteLine($"exit {code}: {text.Trim()}");
        Assert.True(code == 1, text);
        string flat = Flat(text);
        Assert.Contains(file, flat);
        Assert.Contains(cause, flat);
        Assert.DoesNotContain("Unhandled", text);
        Assert.DoesNotMatch(@"(?m)^\s+at \S+", text);
        Assert.Equal(before.OrderBy(p => p.Key), Snapshot().OrderBy(p => p.Key));
        Assert.Empty(RunFolderCompare.Leftovers(RunDir, includeHidden: false));
        Assert.Empty(Directory.EnumerateFileSystemEntries(RunDir, ".*staging-*").Concat(Directory.EnumerateFiles(RunDir, ".*.tmp")));
    }

    [Theory]
    [InlineData("train:model.pt", "model.pt")]
    [InlineData("train:pipeline.lock", "pipeline.lock")]
    public void Disk_full_while_rerunning_a_stage_keeps_the_previous_outputs_and_lock(string failWrite, string file)
    {
        CompletedProject();
        var before = Snapshot();
        var env = new Dictionary<string, string> { [TestFaults.FailWriteVariable] = failWrite };
        using var p = CliProcess.Start(_dir.Path, env, "run", "pipeline/tiny.yaml", "--force", "train");
        string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        AssertFailedCleanly(p.ExitCode, text, file, "No space left on device", before);

        // With space again, the same command completes.
        var (code, again) = CliProcess.Run(_dir.Path, "run", "pipeline/tiny.yaml", "--force", "train");
        Assert.True(code == 0, again);
    }

    [SkippableFact]
    public void File_size_limit_gives_a_clear_error_and_keeps_the_previous_outputs()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/bin/bash"), "needs bash and Linux RLIMIT_FSIZE");
        CompletedProject();
        var before = Snapshot();
        // 8 KiB: the data stage is skipped; the first checkpoint or model.pt of train is larger.
        var psi = new ProcessStartInfo("/bin/bash") { WorkingDirectory = _dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("ulimit -f 8; exec dotnet exec \"$0\" run pipeline/tiny.yaml --force train");
        psi.ArgumentList.Add(CliProcess.Dll);
        psi.Environment["NASONNX_THREADS"] = "1";
        psi.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        using var p = Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.NotEqual(153, p.ExitCode); // 128 + SIGXFSZ: killed by the signal instead of failing with EFBIG
        AssertFailedCleanly(p.ExitCode, text, ".ckpt", "too large", before);
    }

    [SkippableFact]
    [SupportedOSPlatform("linux")] // and skipped elsewhere
    public void Unwritable_run_folder_gives_a_clear_error_and_keeps_the_previous_outputs()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "needs Unix permissions");
        CompletedProject();
        var before = Snapshot();
        bool root = Environment.UserName == "root"; // permissions do not stop root
        int code;
        string text;
        if (!root)
        {
            foreach (var d in Directory.EnumerateDirectories(RunDir, "*", SearchOption.AllDirectories).Prepend(RunDir))
                File.SetUnixFileMode(d, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            File.SetUnixFileMode(Path.Combine(RunDir, ".run.lock"), UnixFileMode.UserRead);
            (code, text) = CliProcess.Run(_dir.Path, "run", "pipeline/tiny.yaml", "--force", "train");
        }
        else
        {
            // As root the CLI runs as nobody, from a copy that user can read (this checkout may be in a 0700 folder).
            var (nobody, whyNot) = NobodyCli.Prepare(_dir.Path);
            Skip.If(nobody is null, whyNot);
            using (nobody) (code, text) = nobody.Run(_dir.Path, "run", "pipeline/tiny.yaml", "--force", "train");
        }
        AssertFailedCleanly(code, text, ".run.lock", "not writable", before);
    }
}
