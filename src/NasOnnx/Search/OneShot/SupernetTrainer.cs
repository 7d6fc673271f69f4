using NasOnnx.Training.Optimizers;
using NasOnnx.Supernets;
using NasOnnx.Runtime;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// The steps of one-shot search on a supernet: the weight step (SGD with momentum, weight decay, clipping) and the
/// architecture step (Adam on alpha/beta), first order or second order (DARTS' unrolled gradient with a
/// finite-difference Hessian-vector product). Callers own the dispose scope of each step.
/// </summary>
public sealed class SupernetTrainer : IDisposable
{
    private readonly Supernet _net;
    private readonly Parameter[] _weights;
    private readonly Parameter[] _arch;
    private readonly OptimizerHelper _weightOpt;
    private readonly OptimizerHelper _archOpt;
    private readonly double _clip;

    public SupernetTrainer(Supernet net, OneShotSettings s)
    {
        _net = net;
        _weights = net.parameters().ToArray();
        _arch = net.Arch.All.ToArray();
        _weightOpt = new HeldScalarSgd(_weights, s.WeightLr, momentum: s.Momentum, weightDecay: s.WeightDecay);
        _archOpt = new HeldScalarAdam(_arch, s.ArchLr, beta1: 0.5, beta2: 0.999, weightDecay: s.ArchWeightDecay);
        _clip = s.GradClip;
        WeightLr = s.WeightLr;
    }

    /// <summary>The learning rate of the next weight step (the schedule sets it); also the unrolled step's rate.</summary>
    public double WeightLr { get; set; }

    /// <summary>The finite-difference step of the Hessian-vector product: R = HessianStep / ||v|| (DARTS: 0.01).</summary>
    public double HessianStep { get; set; } = 0.01;

    /// <summary>
    /// Turns the architecture step's validation cross-entropy into its full loss (the expected-latency term,
    /// <see cref="LatencyLoss"/>); null: cross-entropy alone. The weight step never uses it.
    /// </summary>
    public Func<Tensor, Tensor>? ArchLoss { get; set; }

    public OptimizerHelper WeightOptimizer => _weightOpt;
    public OptimizerHelper ArchOptimizer => _archOpt;

    /// <summary>One SGD step on the weights; returns the loss and the number of correct predictions. Runs in its own
    /// dispose scope, so the step's activations are freed when it returns.</summary>
    public (double Loss, long Correct) WeightStep(Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var g in _weightOpt.ParamGroups) g.LearningRate = WeightLr;
        var logits = _net.call(x);
        var loss = FiniteGuard.Loss(FiniteGuard.SupernetWeights, nn.functional.cross_entropy(logits, y));
        _weightOpt.zero_grad();
        loss.backward();
        FiniteGuard.Check(FiniteGuard.SupernetWeights, loss.ToDouble(), _weights);
        // ops off the sampled path (GDAS, SPOS) get a zero gradient rather than none, so momentum and weight decay treat
        // every weight the same whatever the sampling history (as PyTorch's zero_grad without set_to_none) and a resumed run
        // repeats an uninterrupted one
        using (torch.no_grad())
            foreach (var w in _weights)
                if (Undefined(w.grad)) w.grad = torch.zeros_like(w).DetachFromDisposeScope();
        if (_clip > 0) nn.utils.clip_grad_norm_(_weights, _clip);
        _weightOpt.step();
        return (loss.ToDouble(), logits.argmax(1).eq(y).sum().item<long>());
    }

    /// <summary>One Adam step on the architecture parameters with the first- or second-order gradient; returns the
    /// validation loss and correct count at the current weights (first order) or at the unrolled weights (second order).</summary>
    public (double Loss, long Correct) ArchStep(Tensor xTrain, Tensor yTrain, Tensor xVal, Tensor yVal, bool secondOrder)
    {
        using var scope = torch.NewDisposeScope();
        var (grads, loss, correct) = secondOrder
            ? SecondOrderGradient(xTrain, yTrain, xVal, yVal, WeightLr)
            : FirstOrderGradient(xVal, yVal);
        if (FiniteGuard.Inject is not null) loss = FiniteGuard.Loss(FiniteGuard.Architecture, torch.tensor(loss)).ToDouble();
        FiniteGuard.CheckGradients(FiniteGuard.Architecture, loss, grads);
        Apply(grads);
        return (loss, correct);
    }

    /// <summary>grad_alpha L_val(w, alpha) only (autograd skips the weight gradients).</summary>
    public (Tensor[] Grads, double Loss, long Correct) FirstOrderGradient(Tensor xVal, Tensor yVal)
    {
        var logits = _net.call(xVal);
        var loss = nn.functional.cross_entropy(logits, yVal);
        var grads = Grad(ArchLoss?.Invoke(loss) ?? loss, _arch);
        return (grads, loss.ToDouble(), logits.argmax(1).eq(yVal).sum().item<long>());
    }

    /// <summary>
    /// DARTS' second-order gradient: w' = w - lr grad_w L_train(w); g = grad_a L_val(w') - lr (grad_a L_train(w+) -
    /// grad_a L_train(w-)) / (2R), w+- = w +- R v, v = grad_w' L_val(w'), R = 0.01 / ||v||. The weights are restored.
    /// L_val includes <see cref="ArchLoss"/> (the outer objective); the inner step on L_train does not.
    /// </summary>
    public (Tensor[] Grads, double Loss, long Correct) SecondOrderGradient(Tensor xTrain, Tensor yTrain, Tensor xVal, Tensor yVal, double lr)
    {
        Tensor[] backup;
        using (torch.no_grad()) backup = _weights.Select(w => w.detach().clone()).ToArray();
        try
        {
            using (torch.NewDisposeScope())
            {
                var gTrain = Grad(nn.functional.cross_entropy(_net.call(xTrain), yTrain), _weights);
                using var step = (-lr).ToScalar(); // held: see HeldScalars
                using (torch.no_grad())
                    for (int i = 0; i < _weights.Length; i++) _weights[i].add_(gTrain[i], alpha: step);
            }
            Tensor[] dAlpha, v;
            double valLoss;
            long correct;
            using (var pass = torch.NewDisposeScope())
            {
                var logits = _net.call(xVal);
                var loss = nn.functional.cross_entropy(logits, yVal);
                var all = Grad(ArchLoss?.Invoke(loss) ?? loss, [.. _arch, .. _weights]);
                dAlpha = all.Take(_arch.Length).Select(t => t.MoveToOuterDisposeScope()).ToArray();
                v = all.Skip(_arch.Length).Select(t => t.MoveToOuterDisposeScope()).ToArray();
                valLoss = loss.ToDouble();
                correct = logits.argmax(1).eq(yVal).sum().item<long>();
            }
            double norm;
            using (torch.no_grad()) norm = Math.Sqrt(v.Sum(t => t.Squared().sum().ToDouble()));
            double r = HessianStep / Math.Max(norm, 1e-12);

            var gPlus = ArchGradAt(backup, v, r, xTrain, yTrain);
            var gMinus = ArchGradAt(backup, v, -r, xTrain, yTrain);
            var grads = new Tensor[_arch.Length];
            using var finiteDifference = (lr / (2 * r)).ToScalar();
            for (int i = 0; i < grads.Length; i++) grads[i] = dAlpha[i].sub(gPlus[i].sub(gMinus[i]).mul(finiteDifference));
            return (grads, valLoss, correct);
        }
        finally
        {
            using (torch.no_grad())
                for (int i = 0; i < _weights.Length; i++) _weights[i].copy_(backup[i]);
        }
    }

    /// <summary>grad_alpha L_train(w + scale v).</summary>
    private Tensor[] ArchGradAt(Tensor[] w, Tensor[] v, double scale, Tensor x, Tensor y)
    {
        using (torch.no_grad())
        {
            using var alpha = scale.ToScalar();
            for (int i = 0; i < _weights.Length; i++) _weights[i].copy_(w[i]).add_(v[i], alpha: alpha);
        }
        using var pass = torch.NewDisposeScope();
        var loss = nn.functional.cross_entropy(_net.call(x), y);
        return Grad(loss, _arch).Select(t => t.MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>autograd.grad that tolerates inputs the graph does not use (a group of cells the network lacks, ops no
    /// sampled path touched): their gradient is zero.</summary>
    private static Tensor[] Grad(Tensor loss, Parameter[] inputs)
    {
        var grads = torch.autograd.grad([loss], inputs, allow_unused: true).ToArray();
        for (int i = 0; i < grads.Length; i++)
            if (Undefined(grads[i])) grads[i] = torch.zeros_like(inputs[i]);
        return grads;
    }

    private static bool Undefined(Tensor? t)
    {
        if (t is null) return true;
        try
        {
            return t.Handle == IntPtr.Zero;
        }
        catch (InvalidOperationException)
        {
            return true; // TorchSharp's wrapper of an undefined tensor
        }
    }

    /// <summary>Puts <paramref name="grads"/> into the architecture parameters' .grad and steps Adam.</summary>
    private void Apply(Tensor[] grads)
    {
        _archOpt.zero_grad();
        Tensor? surrogate = null;
        for (int i = 0; i < _arch.Length; i++)
        {
            var term = _arch[i].mul(grads[i].detach()).sum();
            surrogate = surrogate is null ? term : surrogate.Plus(term);
        }
        surrogate?.backward();
        _archOpt.step();
    }

    public void Dispose()
    {
        _weightOpt.Dispose();
        _archOpt.Dispose();
    }
}
