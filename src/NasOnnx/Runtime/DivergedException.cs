namespace NasOnnx.Runtime;

/// <summary>A training loop's loss or gradients stopped being finite. Loops add where (epoch, step, lr) before it reaches the user.</summary>
public sealed class DivergedException(string loop, string what, string? where = null)
    : NasOnnxException($"{loop} diverged: {what}{(where is null ? "" : " at " + where)}",
        "Lower the learning rate (lr) or keep gradient clipping on (grad_clip); if this machine's CPU is suspect, `nasonnx doctor` shows " +
        "the numerics check, and NASONNX_NUMERICS=safe forces the safe configuration.")
{
    public string Loop { get; } = loop;
    public string What { get; } = what;
    public string? Where { get; } = where;

    public DivergedException At(string where) => new(Loop, What, where);
}
