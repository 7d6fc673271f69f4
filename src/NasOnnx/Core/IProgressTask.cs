namespace NasOnnx.Core;

public interface IProgressTask : IDisposable
{
    /// <summary>Advance by <paramref name="amount"/> units; <paramref name="status"/> is a short text such as the running loss.</summary>
    void Advance(long amount, string? status = null);
}
