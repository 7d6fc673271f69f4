namespace NasOnnx.Ops;

/// <summary>Activation after a convolution block.</summary>
public enum Activation { None, Relu, Relu6 }
