using NasOnnx.Runtime;

namespace NasOnnx.Networks;

/// <summary>Parameter and multiply-accumulate counts measured on the TorchSharp network.</summary>
public static class NetworkStats
{
    /// <summary>Trainable parameters and MACs for one input (Conv2d, Conv1d and Linear layers; not attention's or a GRU's
    /// products), by forward hooks.</summary>
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
            else if (m is Conv1d conv1)
            {
                var h = conv1.register_forward_hook((mod, input, output) =>
                {
                    var w = conv1.weight!.shape;
                    macs += output.numel() / output.shape[0] * w[1] * w[2];
                    return output;
                });
                removers.Add(h.remove);
            }
            else if (m is Linear lin)
            {
                // once per position: a classifier on [1, C] counts its weights once, a projection on [1, L, C] L times
                var h = lin.register_forward_hook((mod, input, output) => { macs += lin.weight!.numel() * (output.numel() / output.shape[^1]); return output; });
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
            // text networks take one sequence of token ids at the reference length (id 1, <unk>: no padding)
            network.call(network is ITokenNetwork text ? torch.ones(1, text.ReferenceLength, dtype: ScalarType.Int64) : torch.zeros(1, a.Channels, a.Height, a.Width));
            if (training) network.train();
        }
        finally
        {
            foreach (var r in removers) r();
        }
        return (network.ParameterCount(), macs);
    }
}
