namespace NasOnnx.Runtime;

/// <summary>NASONNX_NUMERICS: check and choose (auto), or force a configuration.</summary>
public enum NumericsMode { Auto, Default, Safe }
