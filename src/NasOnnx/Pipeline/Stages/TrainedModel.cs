using NasOnnx.Networks;
using NasOnnx.Spaces;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// Loads the network a train or retrain stage left behind: an architecture (model.arch.json) with its
/// weights, or the fixed CNN (network.json). Weights and architecture are checked against each other.
/// </summary>
public static class TrainedModel
{
    public const string WeightsFile = "model.pt";

    public static nn.Module<Tensor, Tensor> Load(StageContext context, string dir)
    {
        string weights = Path.Combine(dir, WeightsFile);
        if (!File.Exists(weights))
            throw context.Error($"{WeightsFile} is missing in {dir}", "the `model` input must name a train or retrain stage", weights);
        string archFile = NetworkWeights.ArchitecturePathFor(weights);
        if (File.Exists(archFile))
        {
            var arch = SpaceRegistry.Load(archFile);
            var network = NetworkFactory.Build(arch);
            NetworkWeights.Load(network, weights);
            return network;
        }
        var spec = FixedCnnSpec.Load(dir);
        var model = spec.Build();
        try
        {
            model.load(weights);
        }
        catch (Exception e) when (e is not NasOnnxException)
        {
            model.Dispose();
            throw context.Error($"the weights do not fit the network in {FixedCnnSpec.FileName}: {e.Message}", "re-run the train stage with --force", weights);
        }
        return model;
    }
}
