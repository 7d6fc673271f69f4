namespace NasOnnx.Data;

/// <summary>How a dataset's files are laid out on disk.</summary>
public enum DatasetFormat
{
    /// <summary>IDX images + labels files, gzipped or plain (MNIST, Fashion-MNIST).</summary>
    Idx,
    /// <summary>CIFAR-10 binary batches (1 label byte + 3072 pixels per record).</summary>
    Cifar10Binary,
    /// <summary>CIFAR-100 binary batches (coarse + fine label bytes + 3072 pixels per record).</summary>
    Cifar100Binary,
}
