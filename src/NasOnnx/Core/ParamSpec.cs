namespace NasOnnx.Core;

/// <summary>One parameter a stage kind accepts: its name, type, default and what it means.</summary>
public sealed record ParamSpec(string Name, ParamType Type, object? Default, string Description, IReadOnlyList<string>? Choices = null)
{
    /// <summary>
    /// Says how a stage runs, not what it computes (where trials run, Slurm resources): left out of the lock key, so
    /// changing it does not re-run the stage, and a killed stage resumes under the new value.
    /// </summary>
    public bool ExecutionOnly { get; init; }

    public ParamSpec AsExecutionOnly() => this with { ExecutionOnly = true };

    public static ParamSpec Int(string name, long? @default, string description) => new(name, ParamType.Int, @default, description);
    public static ParamSpec Float(string name, double? @default, string description) => new(name, ParamType.Float, @default, description);
    public static ParamSpec Bool(string name, bool @default, string description) => new(name, ParamType.Bool, @default, description);
    public static ParamSpec Str(string name, string? @default, string description) => new(name, ParamType.String, @default, description);
    public static ParamSpec IntList(string name, long[]? @default, string description) => new(name, ParamType.IntList, @default, description);
    /// <summary>Names as a YAML list (<c>[a, b]</c>) or a comma-separated string (<c>a,b</c>, what --set gives); the value is
    /// the comma-joined string (no spaces), so it reads with String() and fingerprints like any string.</summary>
    public static ParamSpec NameList(string name, string? @default, string description) => new(name, ParamType.NameList, @default, description);
    public static ParamSpec Choice(string name, string @default, string description, params string[] choices) =>
        new(name, ParamType.Choice, @default, description, choices);

    /// <summary>Converts a YAML scalar (or list of scalars for IntList) to this parameter's type; null when it does not fit.</summary>
    public object? Convert(object raw, out string? problem)
    {
        problem = null;
        switch (Type)
        {
            case ParamType.IntList:
                if (raw is IReadOnlyList<string> items)
                {
                    var values = new long[items.Count];
                    for (int i = 0; i < items.Count; i++)
                        if (!long.TryParse(items[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
                        { problem = $"item {i + 1} ('{items[i]}') is not an integer"; return null; }
                    return values;
                }
                if (raw is string csv)
                    return Convert(csv.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), out problem);
                problem = "expected a list of integers";
                return null;
            case ParamType.NameList:
                IEnumerable<string>? names = raw switch
                {
                    IReadOnlyList<string> list => list,
                    string text => text.Trim().Trim('[', ']').Split(','),
                    _ => null,
                };
                if (names is null) { problem = "expected a list of names"; return null; }
                return string.Join(",", names.Select(n => n.Trim()).Where(n => n.Length > 0));
        }
        if (raw is not string s) { problem = "expected a single value, not a list or map"; return null; }
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        switch (Type)
        {
            case ParamType.Int:
                if (long.TryParse(s, System.Globalization.NumberStyles.Integer, inv, out var l)) return l;
                problem = $"'{s}' is not an integer"; return null;
            case ParamType.Float:
                if (double.TryParse(s, System.Globalization.NumberStyles.Float, inv, out var d) && double.IsFinite(d)) return d;
                problem = $"'{s}' is not a number"; return null;
            case ParamType.Bool:
                if (s is "true" or "True" or "yes") return true;
                if (s is "false" or "False" or "no") return false;
                problem = $"'{s}' is not true or false"; return null;
            case ParamType.Choice:
                if (Choices!.Contains(s)) return s;
                problem = $"'{s}' is not one of {string.Join(", ", Choices!)}"; return null;
            default:
                return s;
        }
    }

    public string TypeName => Type switch
    {
        ParamType.Int => "integer",
        ParamType.Float => "number",
        ParamType.Bool => "true/false",
        ParamType.Choice => string.Join("|", Choices!),
        ParamType.IntList => "list of integers",
        ParamType.NameList => "list of names (or comma-separated)",
        _ => "string",
    };
}
