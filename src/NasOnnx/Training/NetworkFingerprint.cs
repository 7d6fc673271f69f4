using System.Security.Cryptography;
using System.Text;

namespace NasOnnx.Training;

/// <summary>
/// Identifies a network's structure: its type and every parameter and buffer name with shape and dtype. Two
/// modules with the same fingerprint can exchange weights and optimizer state; a checkpoint is only loaded
/// into a module whose fingerprint matches the one it was written from.
/// </summary>
public static class NetworkFingerprint
{
    public static string Of(nn.Module module)
    {
        var sb = new StringBuilder(module.GetType().FullName).Append('\n');
        foreach (var (name, t) in module.state_dict())
            sb.Append(name).Append(':').Append(t.dtype).Append('[').Append(string.Join(",", t.shape)).Append("]\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    /// <summary>A short human description: type, tensors and parameter count.</summary>
    public static string Describe(nn.Module module)
    {
        long count = module.parameters().Sum(p => p.numel());
        return $"{module.GetType().Name}, {module.state_dict().Count} tensors, {count:N0} parameters";
    }
}
