using System.ComponentModel;
using NasOnnx.Spaces;
using Spectre.Console;
using Spectre.Console.Cli;
using NasOnnx.Architectures;

namespace NasOnnx.Cli.Commands;

/// <summary><c>nasonnx sample --space darts|nb201|chain|macro|text [--seed N] [--out ARCH.json] [--ops a,b] [--poolings a,b]</c>: a random architecture.</summary>
public sealed class SampleCommand(IAnsiConsole console) : Command<SampleCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-s|--space <SPACE>")]
        [Description("Search space: darts, nb201, chain, macro (images) or text (token sequences).")]
        public string Space { get; init; } = "";

        [CommandOption("--seed <N>")]
        [Description("Random seed (same seed, same architecture). Default 0.")]
        [DefaultValue(0)]
        public int Seed { get; init; }

        [CommandOption("-o|--out <PATH>")]
        [Description("Write the architecture JSON here; without it the JSON is printed.")]
        public string? Out { get; init; }

        [CommandOption("--channels <C>")]
        [Description("Input channels (1 for Fashion-MNIST, 3 for CIFAR). Default 1.")]
        [DefaultValue(1)]
        public int Channels { get; init; } = 1;

        [CommandOption("--resolution <PX>")]
        [Description("Input height and width. Default 28.")]
        [DefaultValue(28)]
        public int Resolution { get; init; } = 28;

        [CommandOption("--classes <N>")]
        [Description("Number of classes. Default 10 (images), 2 (text).")]
        public int? Classes { get; init; }

        [CommandOption("--vocabulary <N>")]
        [Description("Text spaces: token ids in the vocabulary, <pad> and <unk> included (a pipeline re-targets it to its data). Default 20000.")]
        [DefaultValue(20000)]
        public int Vocabulary { get; init; } = 20000;

        [CommandOption("--length <L>")]
        [Description("Text spaces: sequence length. Default 400.")]
        [DefaultValue(400)]
        public int Length { get; init; } = 400;

        [CommandOption("--width <W>")]
        [Description("Base width (space default when omitted: 16).")]
        public int? Width { get; init; }

        [CommandOption("--depth <D>")]
        [Description("Depth: cells (darts, default 8), cells per stage (nb201, 5), layers per stage (chain, 3), max layers (macro, 6; text, 4).")]
        public int? Depth { get; init; }

        [CommandOption("--ops <NAMES>")]
        [Description("Text space: the ops a layer may take, comma-separated, e.g. conv_k3,conv_k5,attention (default: all of conv_k1, conv_k3, conv_k5, conv_k7, max_pool_k3, avg_pool_k3, attention, gru).")]
        public string? Ops { get; init; }

        [CommandOption("--poolings <NAMES>")]
        [Description("Text space: the head's poolings, comma-separated, e.g. max (default: all of max, mean, max_mean).")]
        public string? Poolings { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Space)) return ValidationResult.Error($"--space is required: one of {string.Join(", ", SpaceRegistry.Names)}.");
            if (Channels < 1 || Resolution < 1 || Classes < 1 || Vocabulary < 3 || Length < 1)
                return ValidationResult.Error("--channels, --resolution, --classes and --length must be positive, --vocabulary at least 3.");
            if (Width is < 1 || Depth is < 1) return ValidationResult.Error("--width and --depth must be positive.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = SpaceRegistry.Get(settings.Space).DefaultOptions.IsText
            ? SpaceOptions.Text(settings.Vocabulary, settings.Length, settings.Classes ?? 2, settings.Width, settings.Depth, settings.Ops, settings.Poolings)
            : new SpaceOptions(settings.Channels, settings.Resolution, settings.Classes ?? 10, settings.Width, settings.Depth, Ops: settings.Ops, Poolings: settings.Poolings); // refused by the space, saying ops/poolings are text params
        var space = SpaceRegistry.Create(settings.Space, options);
        var arch = space.Sample(new Random(settings.Seed));
        if (settings.Out is null)
        {
            console.WriteLine(arch.ToJson());
            return 0;
        }
        if (arch is Architecture a) a.Save(settings.Out);
        else File.WriteAllText(settings.Out, arch.ToJson() + "\n");
        console.MarkupLine($"[green]Wrote[/] {Markup.Escape(settings.Out)}: {Markup.Escape(arch.Space)} architecture [bold]{arch.ArchId}[/] (space size {space.Size:N0})");
        if (arch is Architecture d) console.MarkupLine($"  {Markup.Escape(d.Describe())}");
        return 0;
    }
}
