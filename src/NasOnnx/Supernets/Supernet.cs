using NasOnnx.Runtime;
using NasOnnx.Architectures;

namespace NasOnnx.Supernets;

/// <summary>
/// A supernet over a cell or chain space: mixed edges built from the same op modules as the discrete networks, and
/// architecture parameters (<see cref="Arch"/>) kept apart from the weights. The forward pass follows <see cref="Mode"/>.
/// </summary>
public abstract class Supernet : nn.Module<Tensor, Tensor>
{
    private Dictionary<string, int[]>? _path;

    protected Supernet(string name, ISearchSpace space) : base(name)
    {
        Space = space;
    }

    public ISearchSpace Space { get; }

    public ArchParameters Arch { get; } = new();

    public SupernetMode Mode { get; set; } = SupernetMode.Weighted;

    /// <summary>Gumbel-softmax temperature (GDAS anneals it from 10 to 0.1).</summary>
    public double Tau { get; set; } = 10;

    /// <summary>The generator Gumbel noise is drawn from (seeded by the search, so resumed runs repeat).</summary>
    public Generator? Noise { get; set; }

    /// <summary>The op index chosen per row of each group by the last Gumbel forward (for logs and tests).</summary>
    public IReadOnlyDictionary<string, int[]> LastSample { get; private set; } = new Dictionary<string, int[]>();

    /// <summary>The single path of an architecture of the space: per alpha group and row, the op index or -1 (edge unused).</summary>
    public abstract Dictionary<string, int[]> PathOf(IArchitecture architecture);

    /// <summary>Runs only the ops of <paramref name="architecture"/> from now on (mode <see cref="SupernetMode.Path"/>).</summary>
    public void UsePath(IArchitecture architecture) => UsePath(PathOf(architecture));

    public void UsePath(Dictionary<string, int[]> path)
    {
        foreach (var g in Arch.Alphas)
            if (!path.TryGetValue(g.Name, out var rows) || rows.Length != g.Rows.Count || rows.Any(r => r < -1 || r >= g.Choices.Count))
                throw new ArgumentException($"path has no valid entry for group '{g.Name}'", nameof(path));
        _path = path;
        Mode = SupernetMode.Path;
    }

    /// <summary>Moves weights and architecture parameters to <paramref name="dtype"/>.</summary>
    public Supernet ToDType(ScalarType dtype)
    {
        this.to(dtype);
        Arch.To(dtype);
        return this;
    }

    /// <summary>The weight parameters (everything trainable except the architecture parameters).</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> Weights() => parameters();

    /// <summary>Per alpha group, what each row (edge) computes in this forward pass. Call once per forward.</summary>
    protected Dictionary<string, EdgeSelection[]> Select()
    {
        var result = new Dictionary<string, EdgeSelection[]>();
        var sample = new Dictionary<string, int[]>();
        foreach (var g in Arch.Alphas)
        {
            int rows = g.Rows.Count;
            var sel = new EdgeSelection[rows];
            switch (Mode)
            {
                case SupernetMode.Weighted:
                    {
                        var w = nn.functional.softmax(g.Logits, -1);
                        for (int r = 0; r < rows; r++) sel[r] = new EdgeSelection(w[r], -1, null);
                        break;
                    }
                case SupernetMode.Gumbel:
                    {
                        Tensor u;
                        using var low = 1e-10.ToScalar(); // held: see HeldScalars
                        using var high = (1 - 1e-10).ToScalar();
                        using var tau = Tau.ToScalar();
                        using (torch.no_grad())
                            u = torch.rand(g.Logits.shape, generator: Noise, dtype: g.Logits.dtype).clamp_(low, high);
                        var gumbel = u.log().neg_().log().neg_();
                        var soft = nn.functional.softmax(nn.functional.log_softmax(g.Logits, -1).Plus(gumbel).div(tau), -1);
                        var index = soft.detach().argmax(-1).data<long>().ToArray();
                        var hard = nn.functional.one_hot(torch.tensor(index), g.Choices.Count).to_type(soft.dtype);
                        var st = hard.sub(soft.detach()).Plus(soft); // value: one-hot; gradient: softmax's
                        var idx = new int[rows];
                        for (int r = 0; r < rows; r++)
                        {
                            idx[r] = (int)index[r];
                            sel[r] = new EdgeSelection(null, idx[r], st[r, index[r]]);
                        }
                        sample[g.Name] = idx;
                        break;
                    }
                default:
                    {
                        var path = _path ?? throw new InvalidOperationException("Path mode needs UsePath first");
                        for (int r = 0; r < rows; r++) sel[r] = path[g.Name][r] < 0 ? EdgeSelection.Off : new EdgeSelection(null, path[g.Name][r], null);
                        break;
                    }
            }
            result[g.Name] = sel;
        }
        if (Mode == SupernetMode.Gumbel) LastSample = sample;
        return result;
    }

    /// <summary>Adds <paramref name="y"/> into a running sum, disposing handles no longer needed (never in place: the
    /// first term may alias a cell state).</summary>
    internal static Tensor? Accumulate(Tensor? sum, Tensor? y)
    {
        if (y is null) return sum;
        if (sum is null) return y;
        var next = sum.Plus(y);
        sum.Dispose();
        y.Dispose();
        return next;
    }

    /// <summary>Output size of a 3x3 op with padding 1 and the given stride.</summary>
    internal static long Out(long size, long stride) => (size - 1) / stride + 1;
}
