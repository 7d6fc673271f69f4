namespace NasOnnx.Ops;

public enum PoolKind { Max, Avg }
