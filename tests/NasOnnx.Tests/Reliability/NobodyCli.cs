using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace NasOnnx.Tests.Reliability;

/// <summary>
/// Runs the built CLI as the unprivileged user `nobody` (uid and gid 65534) through setpriv, for tests that need file
/// permissions to apply while the suite runs as root. That user can reach nothing private to root: the test output
/// folder may sit in a 0700 folder (a clone in /root), so the CLI's files are hard-linked (copied where a link cannot
/// be made or the file is not world-readable) into a 0755 folder under <see cref="TempDir.Root"/>, the project folder is
/// made readable (not writable) by others, and nobody gets a home of its own. <see cref="Prepare"/> says why not when
/// the machine cannot do it (no setpriv, a dotnet host nobody cannot run, a temp folder nobody cannot enter).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class NobodyCli : IDisposable
{
    public const int Uid = 65534, Gid = 65534;
    private const string Setpriv = "/usr/bin/setpriv";

    private readonly TempDir _scratch;
    private readonly string _dotnet, _dll, _home;

    private NobodyCli(TempDir scratch, string dotnet, string dll, string home) => (_scratch, _dotnet, _dll, _home) = (scratch, dotnet, dll, home);

    public void Dispose()
    {
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _scratch.Dispose();
    }

    /// <summary>Readies a copy of the CLI and the project folder for nobody; null with the reason when this machine cannot.</summary>
    public static (NobodyCli? Cli, string WhyNot) Prepare(string projectDir)
    {
        if (!File.Exists(Setpriv)) return (null, $"running as root and no {Setpriv} to run the CLI as nobody");
        string? dotnet = FindOnPath("dotnet");
        if (dotnet is null) return (null, "no dotnet on PATH");

        // The dotnet host, its folder and the shared framework: nobody must be able to run them.
        // The runtime this process runs on, by its folder's name (the exact version, previews included).
        string runtime = Path.GetFileName(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/'));
        var probe = Exec(dotnet, null, null, "--list-runtimes");
        if (probe.Code != 0 || !probe.Output.Contains($"Microsoft.NETCore.App {runtime} ", StringComparison.Ordinal))
            return (null, $"nobody cannot run the dotnet host {dotnet} (real path {RealPath(dotnet)}) with Microsoft.NETCore.App {runtime}: exit {probe.Code}, {probe.Output.Trim()}");

        // Every folder above the project must let others pass; ours are made to, anyone else's are only checked.
        string? why = MakeReachable(Path.GetFullPath(projectDir));
        if (why is not null) return (null, why);
        OpenTree(projectDir);

        var scratch = new TempDir();
        try
        {
            MakeReachable(scratch.Path);
            File.SetUnixFileMode(scratch.Path, Mode0755);
            string cli = Path.Combine(scratch.Path, "cli");
            LinkOrCopyTree(AppContext.BaseDirectory, cli);
            string home = Path.Combine(scratch.Path, "home");
            Directory.CreateDirectory(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (chown(home, Uid, Gid) != 0) throw new IOException($"chown {home} to nobody failed (errno {Marshal.GetLastPInvokeError()})");
            var result = new NobodyCli(scratch, dotnet, Path.Combine(cli, Path.GetFileName(CliProcess.Dll)), home);

            // What was prepared must now work for nobody; if not, that is this helper's bug, not a reason to skip.
            var check = Exec("/bin/sh", home, null, "-c", "test -r \"$1\" && test -r \"$2\" && test -x \"$3\" && test -w \"$4\"", "sh",
                result._dll, Path.Combine(cli, "nasonnx.runtimeconfig.json"), projectDir, home);
            if (check.Code != 0)
            {
                result.Dispose();
                throw new InvalidOperationException($"prepared for nobody but it cannot read {result._dll} or enter {projectDir}: {check.Output}");
            }
            return (result, "");
        }
        catch
        {
            scratch.Dispose();
            throw;
        }
    }

    /// <summary>Runs `dotnet exec nasonnx.dll ARGS` as nobody in <paramref name="workingDir"/>.</summary>
    public (int ExitCode, string Output) Run(string workingDir, params string[] args)
    {
        var r = Exec(_dotnet, _home, workingDir, ["exec", _dll, .. args]);
        return (r.Code, r.Output);
    }

    /// <summary>PROGRAM ARGS as nobody, with <paramref name="home"/> (or /, when only reading) as its home and temp folder.</summary>
    private static (int Code, string Output) Exec(string program, string? home, string? workingDir, params string[] args)
    {
        var psi = new ProcessStartInfo(Setpriv) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDir ?? "/" };
        foreach (var a in new[] { $"--reuid={Uid}", $"--regid={Gid}", "--clear-groups", "--", program }.Concat(args)) psi.ArgumentList.Add(a);
        // Nothing of root's: a home, temp and cache nobody can write (or none), and no paths into root's folders.
        string tmp = home ?? "/";
        psi.Environment["HOME"] = tmp;
        psi.Environment["DOTNET_CLI_HOME"] = tmp;
        psi.Environment["TMPDIR"] = tmp;
        psi.Environment["NASONNX_THREADS"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var name in new[] { "XDG_CACHE_HOME", "NASONNX_CACHE_DIR", "NASONNX_ONNX_CHECK_DIR" }) psi.Environment.Remove(name);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(4))) { p.Kill(entireProcessTree: true); throw new TimeoutException($"{program} as nobody did not finish"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// Lets others search every folder from <paramref name="dir"/> up: the ones inside this user's test folder get o+x,
    /// any other must have it already (a user's private folder is not opened up by a test). Null, or why not.
    /// </summary>
    private static string? MakeReachable(string dir)
    {
        string root = Path.GetFullPath(TempDir.Root);
        for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent)
        {
            bool ours = d.FullName == root || d.FullName.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
            var mode = File.GetUnixFileMode(d.FullName);
            if (ours) File.SetUnixFileMode(d.FullName, mode | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
            else if (!mode.HasFlag(UnixFileMode.OtherExecute))
                return $"nobody cannot enter {d.FullName} (mode {Convert.ToString((int)mode, 8)}), a folder above the test's temp folder {dir}";
        }
        return null;
    }

    /// <summary>Folders r-x and files r for others (as umask 022 would have made them); nothing becomes writable.</summary>
    private static void OpenTree(string dir)
    {
        foreach (var d in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Prepend(dir))
            File.SetUnixFileMode(d, File.GetUnixFileMode(d) | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(f, File.GetUnixFileMode(f) | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>
    /// The build output in a 0755 tree: each file hard-linked when it is world-readable already (a link shares the
    /// original's mode, which is never changed here), else copied with r for others; native folders for other systems are left out.
    /// </summary>
    private static void LinkOrCopyTree(string from, string to)
    {
        from = Path.GetFullPath(from);
        Directory.CreateDirectory(to);
        File.SetUnixFileMode(to, Mode0755);
        string rid = RuntimeInformation.RuntimeIdentifier, arch = $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            string target = Path.Combine(to, entry.Name);
            if (entry is DirectoryInfo dir)
            {
                if (entry.Name == "runtimes")
                {
                    Directory.CreateDirectory(target);
                    File.SetUnixFileMode(target, Mode0755);
                    foreach (var r in dir.EnumerateDirectories().Where(r => r.Name is "unix" or "linux" || r.Name == rid || r.Name == arch))
                        LinkOrCopyTree(r.FullName, Path.Combine(target, r.Name));
                }
                else LinkOrCopyTree(dir.FullName, target);
            }
            else if (entry is FileInfo file)
            {
                var mode = File.GetUnixFileMode(file.FullName);
                if (mode.HasFlag(UnixFileMode.OtherRead) && link(file.FullName, target) == 0) continue;
                file.CopyTo(target, overwrite: true);
                File.SetUnixFileMode(target, mode | UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string RealPath(string path)
    {
        try { return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path; }
        catch (IOException) { return path; }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldpath, string newpath);

    [DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, int owner, int group);
}
