namespace NasOnnx.Runtime;

/// <summary>
/// Stops a training loop the moment its loss or gradient norm stops being finite, instead of training on with NaN
/// to the end (what happened on CPUs whose kernels misbehave; see Runtime/NumericsSelfCheck). Every loop that
/// trains calls <see cref="Check"/> after its backward pass. Tests make a loop diverge on purpose through
/// <see cref="Inject"/>.
/// </summary>
public static class FiniteGuard
{
    /// <summary>Loop kinds, as named in messages and by <see cref="Inject"/>.</summary>
    public const string Train = "training", SupernetWeights = "supernet weight step", Architecture = "architecture step", SposScoring = "SPOS scoring";

    /// <summary>
    /// Test hook: (loop, call number of that loop since the hook was set, from 1) -> turn its loss into NaN. Never set in
    /// real runs. Async-local: it reaches only the test (and the tasks it starts) that set it, never tests training in parallel.
    /// </summary>
    public static Func<string, long, bool>? Inject
    {
        get => Current.Value?.Decide;
        set => Current.Value = value is null ? null : new Injection(value);
    }

    private sealed record Injection(Func<string, long, bool> Decide)
    {
        public Dictionary<string, long> Calls { get; } = new(StringComparer.Ordinal);
    }

    private static readonly AsyncLocal<Injection?> Current = new();

    /// <summary>The loss a loop back-propagates: <paramref name="loss"/> itself, or NaN where a test injects a divergence.</summary>
    public static Tensor Loss(string loop, Tensor loss)
    {
        if (Current.Value is not { } injection) return loss;
        long call;
        lock (injection.Calls) { injection.Calls[loop] = call = injection.Calls.GetValueOrDefault(loop) + 1; }
        return injection.Decide(loop, call) ? loss * double.NaN : loss;
    }

    /// <summary>For loops without a loss (SPOS scoring): <paramref name="output"/> itself, or NaN where a test injects a divergence.</summary>
    public static Tensor Output(string loop, Tensor output) => Loss(loop, output);

    /// <summary>Throws <see cref="DivergedException"/> when any value of a network's output is NaN or infinite.</summary>
    public static void CheckOutput(string loop, Tensor output, string what)
    {
        if (!output.isfinite().all().item<bool>()) throw new DivergedException(loop, $"{what} is not finite");
    }

    /// <summary>Throws <see cref="DivergedException"/> when the loss or the total gradient norm is NaN or infinite.</summary>
    public static void Check(string loop, double loss, IEnumerable<Tensor> parameters) =>
        CheckGradients(loop, loss, parameters.Select(p => p.grad).Where(g => g is not null && !g.IsInvalid).Select(g => g!));

    /// <summary>As <see cref="Check"/>, for gradients held apart from their parameters (the architecture step's).</summary>
    public static void CheckGradients(string loop, double loss, IEnumerable<Tensor> gradients)
    {
        if (!double.IsFinite(loss)) throw new DivergedException(loop, $"the loss became {loss}");
        double norm = Norm(gradients);
        if (!double.IsFinite(norm)) throw new DivergedException(loop, $"the gradient norm became {norm} (loss {loss:g4})");
    }

    private static double Norm(IEnumerable<Tensor> gradients)
    {
        using var scope = torch.NewDisposeScope();
        Tensor? total = null;
        foreach (var g in gradients)
        {
            var sq = g.detach().to_type(ScalarType.Float64).Squared().sum();
            total = total is null ? sq : total.Plus(sq);
        }
        return total is null ? 0 : Math.Sqrt(total.item<double>());
    }

    /// <summary>False when any parameter or buffer holds NaN or infinity: such weights are never published.</summary>
    public static bool AllFinite(nn.Module module)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (_, t) in module.state_dict())
            if (t.is_floating_point() && !t.isfinite().all().item<bool>()) return false;
        return true;
    }
}
