using System.Text.Json;
using NasOnnx.Core;

namespace NasOnnx.Networks;

/// <summary>network.json for the fixed CNN: enough to rebuild the module before loading its weights.</summary>
public sealed record FixedCnnSpec(int Channels, int Height, int Width, int Classes, int BaseWidth)
{
    public const string FileName = "network.json";
    public string Kind => "fixed-cnn";

    public nn.Module<Tensor, Tensor> Build() => new FixedCnn(Channels, Classes, BaseWidth);

    public void Save(string dir) => AtomicWrite.Text(Path.Combine(dir, FileName), JsonSerializer.Serialize(this, SnakeJson.Options));

    public static FixedCnnSpec Load(string dir)
    {
        string path = Path.Combine(dir, FileName);
        try
        {
            return JsonSerializer.Deserialize<FixedCnnSpec>(File.ReadAllText(path), SnakeJson.Options) ?? throw new JsonException("empty document");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new NasOnnxException($"cannot read the network description: {e.Message}", "re-run the train stage with --force") { FilePath = path };
        }
    }
}
