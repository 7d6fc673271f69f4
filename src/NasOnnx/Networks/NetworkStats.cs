using NasOnnx.Runtime;

namespace NasOnnx.Networks;

/// <summary>Parameter and multiply-accumulate counts measured on the TorchSharp network.</summary>
public static class NetworkStats
{
    /// <summary>Trainable parameters and MACs for one input (Conv2d and Linear layers), by forward hooks.</summary>
    public static (long Parameters, long Macs) Measure(NasNetwork network)
    {
        long macs = 0;
        var removers = new List<Action>();
        foreach (var m in network.modules())
        {
            if (m is Conv2d conv)
            {
                var h = conv.register_forward_hook((mod, input, output) =>
                {
                    var w = conv.weight!.shape;
                    macs += output.numel() / output.shape[0] * w[1] * w[2] * w[3];
                    return output;
                });
                removers.Add(h.remove);
            }
            else if (m is Linear lin)
            {
                var h = lin.register_forward_hook((mod, input, output) => { macs += lin.weight!.numel(); return output; });
                removers.Add(h.remove);
            }
        }
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            bool training = network.training;
            network.eval();
            var a = network.Architecture.Input;
            network.call(torch.zeros(1, a.Channels, a.Height, a.Width));
            if (training) network.train();
        }
        finally
        {
            foreach (var r in removers) r();
        }
        return (network.ParameterCount(), macs);
    }
}
