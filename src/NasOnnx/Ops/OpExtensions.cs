using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

internal static class OpExtensions
{
    public static Tensor Apply(this Activation act, Tensor x) => act switch
    {
        Activation.Relu => nn.functional.relu(x),
        Activation.Relu6 => nn.functional.relu6(x),
        _ => x,
    };

    public static string Emit(this Activation act, OnnxGraphBuilder g, string x, string hint) => act switch
    {
        Activation.Relu => g.Relu(x, hint + ".relu"),
        Activation.Relu6 => g.Relu6(x, hint + ".relu6"),
        _ => x,
    };
}
