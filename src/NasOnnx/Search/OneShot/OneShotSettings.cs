using NasOnnx.Core;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// Search-stage params of the one-shot strategies. Names that could mean something else to multi-trial strategies
/// carry a supernet_/arch_/spos_ prefix.
/// </summary>
public sealed record OneShotSettings
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 64;
    public double DataFraction { get; init; } = 1.0;
    public double WeightLr { get; init; } = 0.025;
    public double WeightLrMin { get; init; } = 0.001;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 3e-4;
    public double GradClip { get; init; } = 5;
    public double ArchLr { get; init; } = 3e-4;
    public double ArchWeightDecay { get; init; } = 1e-3;
    public int ArchWarmupEpochs { get; init; }
    /// <summary>Partial channels K (1: all channels); 0 in the params means the strategy's default (pc: 4, others 1).</summary>
    public int PartialK { get; init; } = 1;
    public double TauMax { get; init; } = 10;
    public double TauMin { get; init; } = 0.1;
    public int SposPopulation { get; init; } = 20;
    public int SposGenerations { get; init; } = 5;
    public int SposBnBatches { get; init; } = 4;
    public int SposEvalBatches { get; init; } = 8;
    public LatencyLossKind LatencyLoss { get; init; } = LatencyLossKind.None;
    /// <summary>lambda (proxyless) or alpha (fbnet).</summary>
    public double LatencyWeight { get; init; } = 0.2;
    /// <summary>T in ms: proxyless' reference (0: the uniform supernet's expected latency); spos: hard budget of the evolution (0: none).</summary>
    public double LatencyTarget { get; init; }
    public double LatencyBeta { get; init; } = 0.6;

    public static IReadOnlyList<ParamSpec> Specs { get; } =
    [
        ParamSpec.Int("supernet_epochs", 10, "one-shot: supernet training epochs (over the weight half of the data)"),
        ParamSpec.Int("supernet_batch_size", 64, "one-shot: batch size of weight and architecture steps"),
        ParamSpec.Float("supernet_data_fraction", 1.0, "one-shot: fraction of the training images used (split 50/50 into weight and architecture halves)"),
        ParamSpec.Float("weight_lr", 0.025, "one-shot: SGD learning rate of the supernet weights (cosine to weight_lr_min)"),
        ParamSpec.Float("weight_lr_min", 0.001, "one-shot: final weight learning rate"),
        ParamSpec.Float("supernet_weight_decay", 3e-4, "one-shot: weight decay of the supernet weights"),
        ParamSpec.Float("supernet_grad_clip", 5.0, "one-shot: gradient-norm clip of the weight step (0: off)"),
        ParamSpec.Float("arch_lr", 3e-4, "one-shot: Adam learning rate of the architecture parameters (betas 0.5, 0.999)"),
        ParamSpec.Float("arch_weight_decay", 1e-3, "one-shot: weight decay of the architecture parameters"),
        ParamSpec.Int("arch_warmup_epochs", 0, "one-shot: epochs of weight-only training before architecture steps start"),
        ParamSpec.Int("partial_k", 0, "darts/darts2/pc: 1/K of the channels go through the mixed ops (0: pc uses 4, the others 1)"),
        ParamSpec.Float("tau_max", 10.0, "gdas: initial Gumbel-softmax temperature"),
        ParamSpec.Float("tau_min", 0.1, "gdas: final temperature (linear annealing over the epochs)"),
        ParamSpec.Int("spos_population", 20, "spos: evolution population size"),
        ParamSpec.Int("spos_generations", 5, "spos: evolution generations after the initial population"),
        ParamSpec.Int("spos_bn_batches", 4, "spos: training batches that recalibrate batch-norm statistics per candidate"),
        ParamSpec.Int("spos_eval_batches", 8, "spos: architecture-half batches that score a candidate"),
        ParamSpec.Choice("latency_loss", "none", "one-shot: expected-latency term of the architecture step (needs the `latency` input): none, proxyless (CE + w (E-T)/T), fbnet (CE * w * ln(E in us)^beta)",
            "none", "proxyless", "fbnet"),
        ParamSpec.Float("latency_weight", 0.2, "one-shot: lambda of proxyless / alpha of fbnet (papers: 0.2)"),
        ParamSpec.Float("latency_target", 0.0, "one-shot: T in ms; proxyless' reference (0: the uniform supernet's expected latency); spos: evolution rejects candidates predicted over T (0: no budget)"),
        ParamSpec.Float("latency_beta", 0.6, "one-shot: fbnet's exponent beta (paper: 0.6)"),
    ];

    /// <summary>Reads and checks the params; <paramref name="partialChannels"/>: the algorithm's partial_k defaults to 4, not 1.</summary>
    public static OneShotSettings Read(IParamReader c, bool partialChannels)
    {
        int Get(string name, int fallback) => c.Params.ContainsKey(name) && c.Params[name] is not null ? (int)c.Int(name) : fallback;
        double GetF(string name, double fallback) => c.Params.ContainsKey(name) && c.Params[name] is not null ? c.Float(name) : fallback;
        var d = new OneShotSettings();
        int k = Get("partial_k", 0);
        var s = new OneShotSettings
        {
            Epochs = Get("supernet_epochs", d.Epochs),
            BatchSize = Get("supernet_batch_size", d.BatchSize),
            DataFraction = GetF("supernet_data_fraction", d.DataFraction),
            WeightLr = GetF("weight_lr", d.WeightLr),
            WeightLrMin = GetF("weight_lr_min", d.WeightLrMin),
            WeightDecay = GetF("supernet_weight_decay", d.WeightDecay),
            GradClip = GetF("supernet_grad_clip", d.GradClip),
            ArchLr = GetF("arch_lr", d.ArchLr),
            ArchWeightDecay = GetF("arch_weight_decay", d.ArchWeightDecay),
            ArchWarmupEpochs = Get("arch_warmup_epochs", d.ArchWarmupEpochs),
            PartialK = k > 0 ? k : partialChannels ? 4 : 1,
            TauMax = GetF("tau_max", d.TauMax),
            TauMin = GetF("tau_min", d.TauMin),
            SposPopulation = Get("spos_population", d.SposPopulation),
            SposGenerations = Get("spos_generations", d.SposGenerations),
            SposBnBatches = Get("spos_bn_batches", d.SposBnBatches),
            SposEvalBatches = Get("spos_eval_batches", d.SposEvalBatches),
            LatencyLoss = c.Params.TryGetValue("latency_loss", out var ll) && ll is string name ? ParseLoss(c, name) : d.LatencyLoss,
            LatencyWeight = GetF("latency_weight", d.LatencyWeight),
            LatencyTarget = GetF("latency_target", d.LatencyTarget),
            LatencyBeta = GetF("latency_beta", d.LatencyBeta),
        };
        s.Validate(c);
        return s;
    }

    private static LatencyLossKind ParseLoss(IParamReader c, string name)
    {
        try
        {
            return OneShot.LatencyLoss.Parse(name);
        }
        catch (ArgumentException)
        {
            throw c.Error($"latency_loss is '{name}'", "use none, proxyless or fbnet", c.PipelineFile);
        }
    }

    private void Validate(IParamReader c)
    {
        void Check(bool ok, string message, string fix)
        {
            if (!ok) throw c.Error(message, fix, c.PipelineFile);
        }
        Check(Epochs >= 1, $"supernet_epochs is {Epochs}", "set supernet_epochs to 1 or more");
        Check(BatchSize >= 2, $"supernet_batch_size is {BatchSize}", "set supernet_batch_size to 2 or more (batch norm needs 2 images)");
        Check(DataFraction is > 0 and <= 1, $"supernet_data_fraction is {DataFraction}", "use a fraction in (0, 1]");
        Check(WeightLr > 0 && ArchLr > 0, "weight_lr and arch_lr must be positive", "set positive learning rates (DARTS: 0.025 and 3e-4)");
        Check(PartialK >= 1, $"partial_k is {PartialK}", "use 1 (all channels), 2, 4 or 8");
        Check(TauMax >= TauMin && TauMin > 0, $"tau_max {TauMax} / tau_min {TauMin}", "use tau_max >= tau_min > 0 (GDAS: 10 and 0.1)");
        Check(SposPopulation >= 2 && SposGenerations >= 0 && SposBnBatches >= 1 && SposEvalBatches >= 1,
            "spos_population must be 2 or more, spos_generations 0 or more, spos_bn_batches and spos_eval_batches 1 or more", "fix the spos_ params");
        Check(LatencyWeight >= 0 && LatencyTarget >= 0 && LatencyBeta > 0, $"latency_weight {LatencyWeight} / latency_target {LatencyTarget} / latency_beta {LatencyBeta}",
            "use latency_weight >= 0, latency_target >= 0 (ms; 0: automatic) and latency_beta > 0 (papers: 0.2 and 0.6)");
    }
}
