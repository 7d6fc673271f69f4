using System.Text.Json;
using System.Text.Json.Serialization;

namespace NasOnnx.Core;

/// <summary>
/// Serializer options of the files people read (the lock, search.json, checkpoints' progress): indented, snake_case names,
/// nulls left out, and NaN/Infinity (a diverged trial's loss, say) written as named literals instead of throwing.
/// </summary>
public static class SnakeJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
