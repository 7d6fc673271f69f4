using NasOnnx.Data;

namespace NasOnnx.Training;

/// <summary>The network input of a batch: float images [N, C, H, W], or int64 token ids [N, L] for text.</summary>
public static class BatchInput
{
    public static Tensor Of(Batch batch) => batch.IsText
        ? torch.tensor(batch.Tokens, [batch.Count, batch.Shape.Width])
        : torch.tensor(batch.Images, [batch.Count, batch.Shape.Channels, batch.Shape.Height, batch.Shape.Width]);
}
