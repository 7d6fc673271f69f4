using NasOnnx.Pipeline;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli.Commands;

public sealed class StagesCommand(IAnsiConsole console) : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        var registry = StageCatalog.CreateRegistry();
        foreach (var kind in registry.Kinds)
        {
            var stage = registry.Get(kind);
            console.MarkupLine($"[bold]{kind}[/]: {Markup.Escape(stage.Description)}");
            foreach (var input in stage.Inputs)
                console.MarkupLine($"  input  {input.Name}{(input.Required ? "" : " (optional)")}: {Markup.Escape(input.Description)}");
            foreach (var p in stage.Params)
                console.MarkupLine($"  param  {p.Name} ({Markup.Escape(p.TypeName)}, default {Markup.Escape(Format(p.Default))}): {Markup.Escape(p.Description)}");
        }
        return 0;
    }

    private static string Format(object? value) => value switch
    {
        null => "none",
        long[] list => "[" + string.Join(", ", list) + "]",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
