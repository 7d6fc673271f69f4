using NasOnnx.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli;

/// <summary>Wires the verbs and turns errors into one clear message and an exit code. Tests call <see cref="Run"/> with a test console.</summary>
public static class NasOnnxCli
{
    public const int ExitUserError = 1;
    public const int ExitUsage = 2;
    public const int ExitInternalError = 3;
    public const int ExitInterrupted = 130;

    public static int Run(string[] args, IAnsiConsole console) => Run(args, console, CancellationToken.None);

    /// <param name="cancellation">Cancelled by Ctrl-C / SIGTERM (<see cref="InterruptSignals"/>): commands stop cleanly and exit 130.</param>
    public static int Run(string[] args, IAnsiConsole console, CancellationToken cancellation)
    {
        if (args.Length > 0 && args[0] == "bench") args = BenchSearchCommand.NormalizeArgs(args);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.Settings.Registrar.RegisterInstance<IAnsiConsole>(console);
            config.SetApplicationName("nasonnx");
            config.SetApplicationVersion(VersionInfo.Describe());
            config.ConfigureConsole(console);
            config.PropagateExceptions();
            config.AddCommand<RunCommand>("run")
                .WithDescription("Run a pipeline file's stages, skipping those whose inputs, params and code did not change.")
                .WithExample("run", "pipeline/quickstart.yaml");
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Report TorchSharp, libtorch, ONNX Runtime, threads and where datasets were found.");
            config.AddCommand<StagesCommand>("stages")
                .WithDescription("List the stage kinds a pipeline can use, with their params and inputs.");
            config.AddCommand<SampleCommand>("sample")
                .WithDescription("Write a random architecture of a search space as JSON.")
                .WithExample("sample", "--space", "darts", "--seed", "1", "--out", "arch.json");
            config.AddCommand<ExportCommand>("export")
                .WithDescription("Export an architecture with trained (or random) weights to ONNX, checked against ONNX Runtime.")
                .WithExample("export", "--arch", "arch.json", "--random-weights", "--out", "model.onnx");
            config.AddCommand<InspectCommand>("inspect")
                .WithDescription("Show an ONNX model's inputs, outputs, op counts, parameters, MACs and NasOnnx metadata.")
                .WithExample("inspect", "model.onnx");
            config.AddCommand<PredictCommand>("predict")
                .WithDescription("Classify images (files or folders) with an exported model: top classes with probabilities, from the model's metadata.")
                .WithExample("predict", "model.onnx", "photos/", "--top", "3");
            config.AddCommand<PublishCommand>("publish")
                .WithDescription("Publish a run's exported model into models/NAME/: ONNX, architecture JSON, model card (JSON + Markdown), lock, report.")
                .WithExample("publish", "runs/retrain-reference", "--name", "darts-v2-fashion");
            config.AddCommand<CardCommand>("card")
                .WithDescription("Regenerate a published model's model_card.md from its model_card.json (--check: only check).")
                .WithExample("card", "models/darts-v2-fashion", "--check");
            config.AddCommand<ImagesCommand>("images")
                .WithDescription("Write a built-in dataset (fashion-mnist, mnist, cifar10, cifar100) as an image folder: OUT/train|test/<class>/<n>.png.")
                .WithExample("images", "fashion-mnist", "--out", "data/fashion-mnist-png");
            config.AddCommand<TrialCommand>("trial")
                .WithDescription("Worker of a multi-trial search (executor: processes or slurm): evaluate one trial spec and write its result.");
            config.AddCommand<StageJobCommand>("stage-job")
                .WithDescription("Run one pipeline stage inside a Slurm job (a stage with a resources: block); the runner publishes its outputs.");
            config.AddBranch("bench", bench =>
            {
                bench.SetDescription("Measure speed and latency on this machine.");
                bench.AddCommand<BenchTrainCommand>("train")
                    .WithDescription("Time the training step of the reference CNN (images/s, ms/step, peak RSS); --compare-torch runs the same in PyTorch.")
                    .WithExample("bench", "train", "--compare-torch")
                    .WithExample("bench", "train", "--compare-numerics");
                bench.AddCommand<BenchLatencyCommand>("latency")
                    .WithDescription("Measure an ONNX model's latency (p50, p90, mean, std) with the device fingerprint; --repeat-processes N checks repeatability.")
                    .WithExample("bench", "latency", "model.onnx", "--runs", "500")
                    .WithExample("bench", "latency", "model.onnx", "--repeat-processes", "5");
                bench.AddCommand<BenchNumericsCommand>("numerics")
                    .WithDescription("The numerics self-check's probes under the default (oneDNN on) and safe (oneDNN off) configurations, side by side.")
                    .WithExample("bench", "numerics");
                bench.AddCommand<BenchDataCommand>("data").WithDescription("Images/s decoding an image folder into the prepare-data cache, and of the batch loader on that cache vs IDX files.").WithExample("bench", "data", "--count", "5000");
                bench.AddCommand<BenchExecutorsCommand>("executors")
                    .WithDescription("Run a multi-trial search stage on each executor (local, processes, slurm) side by side: wall time, scheduling overhead, driver CPU and memory, identical outputs.")
                    .WithExample("bench", "executors", "pipeline/quickstart.yaml", "--set", "search.trials=20");
                bench.AddCommand<BenchSearchCommand>("search")
                    .WithDescription("Time one-shot search steps (architecture + weight step) and peak memory on the DARTS search network.")
                    .WithExample("bench", "search", "--mode", "darts", "--C", "16", "--layers", "8", "--batch", "64", "--res", "28");
            });
        });
        try
        {
            return app.Run(args, cancellation);
        }
        catch (NasOnnxException e)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Describe())}");
            return ExitUserError;
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]interrupted[/]: completed stages are kept; run the same command again to resume.");
            return ExitInterrupted;
        }
        catch (CommandAppException e)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            console.MarkupLine("Run [bold]nasonnx --help[/] for the commands and their options.");
            return ExitUsage;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The last line of defence: one message instead of a stack trace; the trace goes to a file for the bug report.
            string log = Path.Combine(Path.GetTempPath(), $"nasonnx-error-{Environment.ProcessId}.log");
            try { File.WriteAllText(log, $"nasonnx {string.Join(' ', args)}\n{e}"); } catch (IOException) { log = "(could not be written)"; }
            console.MarkupLine($"[red]error:[/] unexpected {Markup.Escape(e.GetType().Name)}: {Markup.Escape(e.Message.Split('\n')[0])}");
            console.MarkupLine($"  This looks like a bug in NasOnnx; please report it with the details in {Markup.Escape(log)}");
            return ExitInternalError;
        }
    }
}
