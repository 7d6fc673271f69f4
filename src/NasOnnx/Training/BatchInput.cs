using NasOnnx.Data;
using NasOnnx.Runtime;

namespace NasOnnx.Training;

/// <summary>The network input of a batch: float images [N, C, H, W] (in <see cref="ImageLayout"/>'s layout), or int64 token ids [N, L] for text.</summary>
public static class BatchInput
{
    public static Tensor Of(Batch batch) => batch.IsText
        ? torch.tensor(batch.Tokens, [batch.Count, batch.Shape.Width])
        : Images(batch);

    private static Tensor Images(Batch batch)
    {
        var x = torch.tensor(batch.Images, [batch.Count, batch.Shape.Channels, batch.Shape.Height, batch.Shape.Width]);
        if (!ImageLayout.ChannelsLast) return x;
        var converted = ImageLayout.ToChannelsLast(x);
        x.Dispose();
        return converted;
    }
}
