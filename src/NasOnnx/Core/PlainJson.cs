using System.Text.Json;
using System.Text.Json.Serialization;

namespace NasOnnx.Core;

/// <summary>
/// Serializer options for the JSON files written with the default layout (compact, names as declared): the defaults,
/// except that NaN and infinity are written as named literals instead of throwing half-way through a stage's output.
/// Files with their own layout (lock, latency table, model card) set the same number handling on their options.
/// </summary>
public static class PlainJson
{
    public static readonly JsonSerializerOptions Options = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
