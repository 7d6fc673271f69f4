using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using NasOnnx.Data;
using NasOnnx.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace NasOnnx.Cli.Commands;

/// <summary>Checks the machine: can TorchSharp and ONNX Runtime run here, with how many threads, and where are the datasets.</summary>
public sealed class DoctorCommand(IAnsiConsole console) : Command<DoctorCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--root <DIR>")]
        [System.ComponentModel.Description("Project root whose data/ folder is searched (default: current folder)")]
        public string? Root { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        bool ok = true;
        var table = new Table().AddColumn("check").AddColumn("result");
        void Row(string check, string result) => table.AddRow(Markup.Escape(check), Markup.Escape(result));

        Row("nasonnx", typeof(DoctorCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?");
        Row("TorchSharp", typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?");
        try
        {
            TorchRuntime.Initialize();
            Row("libtorch", torch.__version__);
            Row("numerics", NumericsSelfCheck.Describe());
            Row("libtorch threads", $"{torch.get_num_threads()} (NASONNX_THREADS or pipeline `threads` changes it; {Environment.ProcessorCount} cores)");
            Row("training memory", $"{NativeAllocator.Describe()}; image batches {(ImageLayout.ChannelsLast ? "channels-last" : "NCHW")}");
        }
        catch (NasOnnxException e)
        {
            ok = false;
            Row("libtorch", "FAILED: " + e.Describe());
        }
        Row("native library check", TorchRuntime.NativeLibraryStatus);
        try
        {
            var env = OrtEnv.Instance();
            Row("ONNX Runtime", env.GetVersionString());
            Row("execution providers", string.Join(", ", env.GetAvailableProviders()));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or OnnxRuntimeException)
        {
            ok = false;
            Row("ONNX Runtime", "FAILED: " + e.Message);
        }
        string root = Path.GetFullPath(settings.Root ?? Directory.GetCurrentDirectory());
        foreach (var info in DatasetCatalog.All)
            Row($"dataset {info.Name}", DatasetLocator.Locate(info, null, root).ToString());
        console.Write(table);
        return ok ? 0 : 1;
    }
}
