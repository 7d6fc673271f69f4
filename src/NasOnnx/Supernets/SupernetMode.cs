namespace NasOnnx.Supernets;

/// <summary>How a supernet's edges combine their ops in a forward pass.</summary>
public enum SupernetMode
{
    /// <summary>DARTS: every op, weighted by softmax(alpha) (PC-DARTS: times the softmax of the node's betas).</summary>
    Weighted,
    /// <summary>GDAS: one op per edge from a hard Gumbel-softmax sample; straight-through gradient to alpha.</summary>
    Gumbel,
    /// <summary>A fixed single path (SPOS training and evaluation of candidates): one op per used edge, no alpha.</summary>
    Path,
}
