using System.Text.RegularExpressions;
using NasOnnx.Cli;
using Spectre.Console.Testing;
using NasOnnx.Core;

namespace NasOnnx.Tests.Reliability;

/// <summary>How a command treated a damaged input.</summary>
public enum BadInputOutcome
{
    /// <summary>Non-zero exit, one clear message naming the file, nothing damaged: what we want.</summary>
    Rejected,
    /// <summary>Exit 0: the damage happened to leave a valid input (allowed only where it can; see <see cref="Mutant.MustFail"/>).</summary>
    Accepted,
    /// <summary>A refused checkpoint: warned about (naming the file), set aside, training starts from scratch.</summary>
    Refused,
    /// <summary>Exit 0 for an input that can never be valid.</summary>
    AcceptedInvalid,
    /// <summary>An exception escaped the command (a stack trace for the user).</summary>
    Crash,
    /// <summary>The message has a stack trace or "Unhandled exception".</summary>
    StackTrace,
    /// <summary>The message does not name the damaged file.</summary>
    NoFileName,
    /// <summary>The message says an unexpected error happened ("looks like a bug in NasOnnx").</summary>
    Bug,
    /// <summary>A valid file that was already there changed although the command failed.</summary>
    Damaged,
}

public sealed record BadInputResult(string Kind, string Command, string Mutation, int Case, BadInputOutcome Outcome, int ExitCode, string Message)
{
    public bool Good => Outcome is BadInputOutcome.Rejected or BadInputOutcome.Accepted or BadInputOutcome.Refused;
}

/// <summary>Runs one damaged-input case through the CLI in this process and classifies what happened.</summary>
public static partial class BadInputRun
{
    [GeneratedRegex(@"^\s+at \S+", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    /// <summary>Reports the results (test output, artifacts/reliability.csv) and fails when any case went wrong or too few ran.</summary>
    public static void Finish(Xunit.Abstractions.ITestOutputHelper output, IReadOnlyList<BadInputResult> results, int atLeast)
    {
        output.WriteLine(ReliabilityReport.Summary(results));
        output.WriteLine(ReliabilityReport.Write());
        var bad = results.Where(r => !r.Good).ToList();
        Assert.True(bad.Count == 0, $"{bad.Count} of {results.Count} cases went wrong:\n" +
            string.Join("\n", bad.Take(15).Select(r => $"#{r.Case} {r.Kind} {r.Mutation}: {r.Outcome} (exit {r.ExitCode}) {r.Message}")));
        Assert.True(results.Count >= atLeast, $"only {results.Count} cases");
    }

    public static (int Code, string Output, Exception? Escaped) Cli(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        try
        {
            int code = NasOnnxCli.Run(args, console);
            return (code, console.Output, null);
        }
        catch (Exception e)
        {
            return (-1, console.Output + e, e);
        }
    }

    /// <param name="namedFile">The damaged file; the message must name it.</param>
    /// <param name="guarded">Valid files that must be unchanged when the command fails.</param>
    /// <param name="acceptedMarker">Text in a failure message meaning the input itself was accepted (e.g. a later, deliberate refusal).</param>
    public static BadInputResult Classify(string kind, string command, Mutant mutant, int number, string namedFile, IReadOnlyList<string> guarded,
        Func<(int Code, string Output, Exception? Escaped)> run, string? acceptedMarker = null)
    {
        var before = guarded.Where(File.Exists).ToDictionary(f => f, ContentHash.OfFile);
        var (code, output, escaped) = run();
        string flat = Regex.Replace(output, @"\s+", " ").Trim();
        string message = flat.Length > 300 ? flat[..300] : flat;
        BadInputOutcome outcome;
        if (escaped is not null) outcome = BadInputOutcome.Crash;
        else if (code == 0 || (acceptedMarker is not null && flat.Contains(acceptedMarker, StringComparison.Ordinal)))
            outcome = mutant.MustFail ? BadInputOutcome.AcceptedInvalid : BadInputOutcome.Accepted;
        else if (StackFrame().IsMatch(output) || flat.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase)) outcome = BadInputOutcome.StackTrace;
        else if (flat.Contains("looks like a bug in NasOnnx", StringComparison.Ordinal) || code == NasOnnxCli.ExitInternalError) outcome = BadInputOutcome.Bug;
        else if (!flat.Contains(Path.GetFileName(namedFile), StringComparison.Ordinal)) outcome = BadInputOutcome.NoFileName;
        else outcome = BadInputOutcome.Rejected;
        if (outcome != BadInputOutcome.Accepted && before.Any(g => !File.Exists(g.Key) || ContentHash.OfFile(g.Key) != g.Value))
            outcome = BadInputOutcome.Damaged;
        var result = new BadInputResult(kind, command, mutant.Mutation, number, outcome, code, message);
        if (!result.Good && File.Exists(namedFile))
        {
            // Keep the input that went wrong beside the report, to reproduce it.
            string keep = Path.Combine(Path.GetDirectoryName(ReliabilityReport.Path)!, "reliability-failures");
            Directory.CreateDirectory(keep);
            File.Copy(namedFile, Path.Combine(keep, $"{kind}-{number:000}-{mutant.Mutation}{Path.GetExtension(namedFile)}"), overwrite: true);
        }
        ReliabilityReport.Add(result);
        return result;
    }
}
