namespace NasOnnx.Supernets;

/// <summary>
/// The architecture parameters of a supernet, kept apart from its weights: they are not registered in the module,
/// so <c>supernet.parameters()</c> are the weights only and <see cref="All"/> the architecture only.
/// </summary>
public sealed class ArchParameters : IDisposable
{
    public List<AlphaGroup> Alphas { get; } = [];
    public List<BetaGroup> Betas { get; } = [];

    public IEnumerable<Parameter> All => Alphas.Select(a => a.Logits).Concat(Betas.Select(b => b.Logits));

    public AlphaGroup Alpha(string name) => Alphas.First(a => a.Name == name);
    public BetaGroup? Beta(string name) => Betas.FirstOrDefault(b => b.Name == name);

    private static readonly Scalar InitialScale = 1e-3.ToScalar(); // held: see Runtime.HeldScalars

    /// <summary>Adds a group initialized as DARTS does: 1e-3 * N(0, 1), from a private generator.</summary>
    public AlphaGroup AddAlpha(string name, IReadOnlyList<string> rows, IReadOnlyList<string> choices, Generator gen)
    {
        using var _ = torch.no_grad();
        var g = new AlphaGroup(name, rows, choices, new Parameter(torch.randn([rows.Count, choices.Count], generator: gen).mul_(InitialScale)));
        Alphas.Add(g);
        return g;
    }

    public BetaGroup AddBeta(string name, IReadOnlyList<string> rows, Generator gen)
    {
        using var _ = torch.no_grad();
        var g = new BetaGroup(name, rows, new Parameter(torch.randn([rows.Count], generator: gen).mul_(InitialScale)));
        Betas.Add(g);
        return g;
    }

    /// <summary>Converts every group to <paramref name="dtype"/> (e.g. float64 for gradient checks).</summary>
    public void To(ScalarType dtype)
    {
        foreach (var a in Alphas) a.Logits = Convert(a.Logits, dtype);
        foreach (var b in Betas) b.Logits = Convert(b.Logits, dtype);
    }

    private static Parameter Convert(Parameter p, ScalarType dtype)
    {
        using var _ = torch.no_grad();
        var next = new Parameter(p.to_type(dtype).detach().clone());
        p.Dispose();
        return next;
    }

    public ArchSnapshot Snapshot()
    {
        using var _ = torch.no_grad();
        var s = new ArchSnapshot();
        foreach (var a in Alphas)
        {
            var flat = a.Logits.to_type(ScalarType.Float64).data<double>().ToArray();
            int k = a.Choices.Count;
            s.Alphas[a.Name] = Enumerable.Range(0, a.Rows.Count).Select(r => flat.AsSpan(r * k, k).ToArray()).ToArray();
        }
        foreach (var b in Betas) s.Betas[b.Name] = b.Logits.to_type(ScalarType.Float64).data<double>().ToArray();
        return s;
    }

    public void Load(ArchSnapshot snapshot)
    {
        using var _ = torch.no_grad();
        foreach (var a in Alphas)
        {
            if (!snapshot.Alphas.TryGetValue(a.Name, out var rows) || rows.Length != a.Rows.Count || rows.Any(r => r.Length != a.Choices.Count))
                throw new NasOnnxException($"the saved architecture weights do not match group '{a.Name}' ({a.Rows.Count}x{a.Choices.Count})",
                    "the search state belongs to another space or configuration; delete the stage's state folder or re-run with --force");
            a.Logits.copy_(torch.tensor(rows.SelectMany(r => r).ToArray(), [a.Rows.Count, a.Choices.Count]).to_type(a.Logits.dtype));
        }
        foreach (var b in Betas)
        {
            if (!snapshot.Betas.TryGetValue(b.Name, out var values) || values.Length != b.Rows.Count)
                throw new NasOnnxException($"the saved edge weights do not match group '{b.Name}'",
                    "the search state belongs to another configuration; delete the stage's state folder or re-run with --force");
            b.Logits.copy_(torch.tensor(values).to_type(b.Logits.dtype));
        }
    }

    public void Dispose()
    {
        foreach (var p in All) p.Dispose();
    }
}
