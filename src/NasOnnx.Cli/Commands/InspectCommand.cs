using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Onnx;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli.Commands;

/// <summary><c>nasonnx inspect MODEL.onnx</c>: inputs, outputs, op counts, parameters, MACs, metadata.</summary>
public sealed class InspectCommand(IAnsiConsole console) : Command<InspectCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL>")]
        [Description("The ONNX model to inspect.")]
        public string Model { get; init; } = "";

        [CommandOption("--json")]
        [Description("Print the report as JSON.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var info = OnnxInspector.Inspect(settings.Model);
        if (settings.Json)
        {
            var o = new JsonObject
            {
                ["path"] = info.Path,
                ["file_bytes"] = info.FileBytes,
                ["ir_version"] = info.IrVersion,
                ["opset"] = info.Opset,
                ["producer"] = info.Producer,
                ["inputs"] = new JsonArray(info.Inputs.Select(i => (JsonNode)JsonValue.Create(i.ToString())).ToArray()),
                ["outputs"] = new JsonArray(info.Outputs.Select(i => (JsonNode)JsonValue.Create(i.ToString())).ToArray()),
                ["nodes"] = info.Nodes,
                ["op_counts"] = new JsonObject(info.OpCounts.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
                ["graph_parameters"] = info.GraphParameters,
                ["parameters"] = info.TrainedParameters,
                ["macs"] = info.Macs,
                ["metadata"] = new JsonObject(info.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            };
            console.Profile.Out.Writer.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var summary = new Table().HideHeaders().AddColumn("").AddColumn("");
        summary.AddRow("model", Markup.Escape(info.Path));
        summary.AddRow("file size", $"{info.FileBytes / 1024.0:F1} KiB");
        summary.AddRow("IR / opset", $"{info.IrVersion} / {info.Opset}");
        summary.AddRow("producer", Markup.Escape(info.Producer));
        foreach (var i in info.Inputs) summary.AddRow("input", Markup.Escape(i.ToString()));
        foreach (var o in info.Outputs) summary.AddRow("output", Markup.Escape(o.ToString()));
        summary.AddRow("nodes", N(info.Nodes));
        summary.AddRow("parameters", info.TrainedParameters == info.GraphParameters
            ? N(info.GraphParameters)
            : $"{N(info.TrainedParameters)} as trained ({N(info.GraphParameters)} in the graph after BatchNorm folding)");
        summary.AddRow("MACs (batch 1)", N(info.Macs) + (info.UnknownShapeOps.Count > 0 ? $" (shapes unknown after: {Markup.Escape(string.Join(", ", info.UnknownShapeOps))})" : ""));
        console.Write(summary);

        var ops = new Table().AddColumn("op").AddColumn(new TableColumn("count").RightAligned());
        foreach (var (op, count) in info.OpCounts.OrderByDescending(kv => kv.Value)) ops.AddRow(Markup.Escape(op), count.ToString(CultureInfo.InvariantCulture));
        console.Write(ops);

        if (info.Metadata.Count > 0)
        {
            var meta = new Table().AddColumn("metadata").AddColumn("value");
            foreach (var (k, v) in info.Metadata)
            {
                string shown = v;
                if (k == OnnxExporter.Keys.Architecture)
                {
                    try { shown = JsonNode.Parse(v)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }); } catch (JsonException) { }
                }
                meta.AddRow(Markup.Escape(k), Markup.Escape(shown));
            }
            console.Write(meta);
        }
        return 0;
    }
}
