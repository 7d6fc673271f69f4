using NasOnnx.Latency;
using NasOnnx.Reporting;
using NasOnnx.Core;

namespace NasOnnx.Pipeline.Stages;

/// <summary>The measurement params the latency stages share.</summary>
internal static class LatencyParams
{
    public static IReadOnlyList<ParamSpec> Bench(long runs, long warmup = 20, string clock = "wall") =>
    [
        ParamSpec.Int("batch", 1, "batch size of the measured input"),
        ParamSpec.Int("threads", 1, "ONNX Runtime intra-op threads (a pipeline's defaults.threads applies too)"),
        ParamSpec.Choice("ep", "cpu", "execution provider (cuda needs a GPU and the CUDA runtime)", "cpu", "cuda"),
        ParamSpec.Int("warmup", warmup, "untimed runs before timing"),
        ParamSpec.Int("runs", runs, "timed runs per model"),
        ParamSpec.Choice("statistic", "p50", "what lookup tables and validation take as the latency: p50, or p10/min, which resist load from other processes", [.. LatencyStats.Statistics]),
        ParamSpec.Choice("clock", clock, "wall: elapsed time; cpu: the measuring thread's CPU time (1 thread, Linux), steady on a busy shared machine", "wall", "cpu"),
    ];

    public static BenchmarkOptions Options(StageContext context)
    {
        var options = new BenchmarkOptions
        {
            Batch = (int)context.Int("batch"),
            Threads = (int)context.Int("threads"),
            ExecutionProvider = BenchmarkOptions.ParseProvider(context.RequiredString("ep")),
            Warmup = (int)context.Int("warmup"),
            Runs = (int)context.Int("runs"),
            Clock = BenchmarkOptions.ParseClock(context.RequiredString("clock")),
            Statistic = context.RequiredString("statistic"),
            Seed = (int)(context.Seed & 0x7fffffff),
        };
        try
        {
            options.Validate();
        }
        catch (NasOnnxException e)
        {
            throw context.Error(e.Message, e.Fix, context.PipelineFile);
        }
        return options;
    }
}
