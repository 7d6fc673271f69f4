using System.Diagnostics;

namespace NasOnnx.Tests;

/// <summary>Runs the real `nasonnx` command (the built nasonnx.dll beside the tests) as a child process.</summary>
public static class CliProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "nasonnx.dll");

    public static Process Start(string workingDir, params string[] args) => Start(workingDir, null, args);

    public static Process Start(string workingDir, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NASONNX_THREADS"] = "1";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    public static (int ExitCode, string Output) Run(string workingDir, params string[] args) => Run(workingDir, null, args);

    public static (int ExitCode, string Output) Run(string workingDir, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var p = Start(workingDir, environment, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(4))) { p.Kill(entireProcessTree: true); throw new TimeoutException("nasonnx did not finish"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
