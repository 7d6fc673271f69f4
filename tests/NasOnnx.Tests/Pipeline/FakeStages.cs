using NasOnnx.Pipeline;
using NasOnnx.Core;

namespace NasOnnx.Tests.Pipeline;

/// <summary>
/// A cheap stage for runner tests: writes out.txt = its text param + the text of its optional input,
/// counts its runs, and can be told to fail after writing part of its output.
/// </summary>
public sealed class EchoStage : IStage
{
    public Dictionary<string, int> Runs { get; } = new();
    public string Kind => "echo";
    public string Description => "test stage";
    public int Version => 1;
    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Str("text", "hello", "what to write"),
        ParamSpec.Int("count", 1, "how many times"),
        ParamSpec.Bool("fail", false, "throw after writing part of the output"),
        ParamSpec.Float("ratio", 0.5, "a number"),
    ];
    public IReadOnlyList<InputSpec> Inputs { get; } = [new("upstream", "an earlier echo stage", Required: false)];

    public void Run(StageContext context)
    {
        Runs[context.StageName] = Runs.GetValueOrDefault(context.StageName) + 1;
        string upstream = context.HasInput("upstream") ? File.ReadAllText(Path.Combine(context.Input("upstream"), "out.txt")) : "";
        string text = string.Concat(Enumerable.Repeat(context.RequiredString("text"), (int)context.Int("count")));
        File.WriteAllText(context.OutputPath("partial.txt"), "half");
        if (context.Bool("fail")) throw new InvalidOperationException("boom");
        File.WriteAllText(context.OutputPath("out.txt"), upstream + text);
    }
}

public sealed class CollectingLog : IRunLog
{
    public List<string> Lines { get; } = [];
    public void Info(string message) { lock (Lines) Lines.Add(message); }
    public void Warn(string message) { lock (Lines) Lines.Add("warning: " + message); }
    public IProgressTask Progress(string label, long total) => new Task();
    private sealed class Task : IProgressTask
    {
        public void Advance(long amount, string? status = null) { }
        public void Dispose() { }
    }
}
