using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Core;

namespace NasOnnx.Architectures;

/// <summary>
/// Base of the architectures our networks are built from: the input shape and class count travel with the
/// genome, so an architecture JSON alone rebuilds the network. Equality and <see cref="ArchId"/> follow the
/// canonical JSON (compact, fixed key order).
/// </summary>
public abstract record Architecture : IArchitecture
{
    protected Architecture(InputShape input, int classes)
    {
        Input = input;
        Classes = classes;
    }

    public abstract string Space { get; }
    public InputShape Input { get; }
    public int Classes { get; }

    /// <summary>Writes the space's network parameters (widths, depths) into <c>config</c>.</summary>
    protected abstract void WriteConfig(JsonObject config);

    /// <summary>Writes the decisions (cells, layers) at the top level.</summary>
    protected abstract void WriteGenome(JsonObject root);

    public JsonObject ToJsonObject()
    {
        var config = new JsonObject();
        WriteConfig(config);
        var root = new JsonObject
        {
            ["space"] = Space,
            ["input"] = new JsonObject { ["channels"] = Input.Channels, ["height"] = Input.Height, ["width"] = Input.Width },
            ["classes"] = Classes,
            ["config"] = config,
        };
        WriteGenome(root);
        return root;
    }

    public string ToJson(bool indented = true) => ToJsonObject().ToJsonString(new JsonSerializerOptions { WriteIndented = indented });

    public string CanonicalJson => ToJson(indented: false);

    public string ArchId => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson)))[..12];

    /// <summary>A one-line summary for logs and the CLI.</summary>
    public abstract string Describe();

    public override string ToString() => $"{Space}:{ArchId}";

    public void Save(string path) => AtomicWrite.Text(path, ToJson() + "\n");
}
