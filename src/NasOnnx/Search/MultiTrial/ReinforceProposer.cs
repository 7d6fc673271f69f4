using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// REINFORCE (Williams 1992; as in NAS with RL / ENAS) over the space's categorical decisions: one softmax over
/// logits per decision, p(a) = prod_i softmax(z_i)[a_i]. After each reward R (a new trial or a repeat of a known
/// architecture) it ascends J = (R - b) sum_i log p(a_i) + entropy * sum_i H(p_i): dJ/dz_ij = (R - b)(1[j = a_i] - p_ij)
/// - entropy * p_ij (log p_ij + H_i), with Adam or SGD on the logits, then moves the baseline b &lt;- m b + (1 - m) R
/// (b starts at the first reward). Pure C#, no tensors. Needs an <see cref="IDecisionSpace"/>.
/// </summary>
public sealed class ReinforceProposer : ITrialProposer
{
    private readonly IDecisionSpace _space;
    private readonly ReinforceOptions _o;
    private readonly double[][] _logits, _m, _v;
    private int _updates;
    private double _baseline;
    private bool _hasBaseline;
    private int[]? _pending;
    /// <summary>
    /// The choices of proposals not yet observed, by ArchId: with max_concurrent > 1 several are in flight, and each reward
    /// must go to the sample it belongs to. After a restart an in-flight trial's choices come from its architecture.
    /// </summary>
    private readonly Dictionary<string, int[]> _inFlight = new(StringComparer.Ordinal);

    public ReinforceProposer(IDecisionSpace space, ReinforceOptions? options = null)
    {
        _o = options ?? new ReinforceOptions();
        if (_o.Optimizer is not ("adam" or "sgd")) throw new NasOnnxException($"unknown policy optimizer '{_o.Optimizer}'", "use policy_optimizer: adam or sgd");
        if (_o.LearningRate <= 0) throw new NasOnnxException($"policy_lr is {_o.LearningRate}", "set a positive policy_lr (e.g. 0.1)");
        if (_o.BaselineMomentum is < 0 or >= 1) throw new NasOnnxException($"baseline_momentum {_o.BaselineMomentum} is outside [0, 1)", "set baseline_momentum: 0.99");
        if (_o.Entropy < 0) throw new NasOnnxException($"entropy weight {_o.Entropy} is negative", "set entropy: 0 or more (e.g. 0.0001)");
        if (space.Decisions.Count == 0) throw new NasOnnxException($"space '{space.Name}' has no decisions", "REINFORCE needs a space with categorical decisions");
        _space = space;
        _logits = space.Decisions.Select(d => new double[d.Choices.Count]).ToArray();
        _m = space.Decisions.Select(d => new double[d.Choices.Count]).ToArray();
        _v = space.Decisions.Select(d => new double[d.Choices.Count]).ToArray();
    }

    public double Baseline => _baseline;
    public int Updates => _updates;

    /// <summary>The policy's probabilities, one array per decision.</summary>
    public double[][] Probabilities() => _logits.Select(Softmax).ToArray();

    /// <summary>The argmax choice per decision (ties: the first).</summary>
    public int[] MostLikely() => _logits.Select(z => Array.IndexOf(z, z.Max())).ToArray();

    public Proposal Propose(Random rng)
    {
        var choices = new int[_logits.Length];
        for (int i = 0; i < choices.Length; i++)
        {
            var p = Softmax(_logits[i]);
            double u = rng.NextDouble(), acc = 0;
            int c = p.Length - 1;
            for (int j = 0; j < p.Length; j++)
            {
                acc += p[j];
                if (u < acc) { c = j; break; }
            }
            choices[i] = c;
        }
        _pending = choices;
        var architecture = _space.FromChoices(choices);
        _inFlight[architecture.ArchId] = choices;
        return new Proposal(architecture, [], _updates);
    }

    public void Observe(Trial trial, IArchitecture architecture)
    {
        _pending = _inFlight.Remove(architecture.ArchId, out var choices) ? choices : _space.ToChoices(architecture);
        Update(trial.Score);
    }

    public void ObserveRepeat(Proposal proposal, double score)
    {
        if (proposal?.Architecture is { } architecture) _inFlight.Remove(architecture.ArchId);
        Update(score);
    }

    /// <summary>
    /// A sample refused for its predicted latency gets the MnasNet hard-constraint reward ACC * (LAT/T)^-1 with the
    /// unknown accuracy replaced by the baseline (the policy's running estimate of its reward): R = b * T / LAT &lt; b.
    /// The advantage R - b = b (T/LAT - 1) is negative and grows with how far over budget the sample is, so the policy
    /// learns to leave the infeasible region (which matters: REINFORCE derives its most likely architecture, and that
    /// one must meet the budget too). Simply resampling would leave the policy unchanged and keep proposing (and
    /// deriving) infeasible architectures. The baseline is not moved by these estimates (otherwise many refusals in a
    /// row would drag it towards 0 geometrically and distort the advantages of real rewards). Before the first real
    /// reward there is no baseline: the sample is dropped without an update and another is drawn. A sample under the
    /// latency floor is penalized the same way by how far under it is: R = b * LAT / floor.
    /// </summary>
    public void ObserveRejected(Proposal proposal, Rejection rejection)
    {
        _inFlight.Remove(proposal.Architecture.ArchId);
        if (!_hasBaseline || rejection.Shortfall <= 0)
        {
            _pending = null;
            return;
        }
        Update(_baseline * rejection.Shortfall, moveBaseline: false);
    }

    private void Update(double reward, bool moveBaseline = true)
    {
        var choices = _pending ?? throw new InvalidOperationException("REINFORCE got a reward without a proposal");
        _pending = null;
        if (!_hasBaseline) { _baseline = reward; _hasBaseline = true; }
        double advantage = reward - _baseline;
        _updates++;
        for (int i = 0; i < _logits.Length; i++)
        {
            var p = Softmax(_logits[i]);
            double h = -p.Sum(x => x > 0 ? x * Math.Log(x) : 0);
            for (int j = 0; j < p.Length; j++)
            {
                double g = advantage * ((j == choices[i] ? 1 : 0) - p[j]);
                if (_o.Entropy > 0 && p[j] > 0) g -= _o.Entropy * p[j] * (Math.Log(p[j]) + h);
                if (_o.Optimizer == "sgd")
                {
                    _logits[i][j] += _o.LearningRate * g;
                    continue;
                }
                _m[i][j] = _o.Beta1 * _m[i][j] + (1 - _o.Beta1) * g;
                _v[i][j] = _o.Beta2 * _v[i][j] + (1 - _o.Beta2) * g * g;
                double mHat = _m[i][j] / (1 - Math.Pow(_o.Beta1, _updates));
                double vHat = _v[i][j] / (1 - Math.Pow(_o.Beta2, _updates));
                _logits[i][j] += _o.LearningRate * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }
        if (moveBaseline) _baseline = _o.BaselineMomentum * _baseline + (1 - _o.BaselineMomentum) * reward;
    }

    public static double[] Softmax(double[] z)
    {
        double max = z.Max();
        var e = z.Select(x => Math.Exp(x - max)).ToArray();
        double sum = e.Sum();
        return e.Select(x => x / sum).ToArray();
    }

    private static JsonArray Matrix(double[][] a) => new(a.Select(row => (JsonNode)new JsonArray(row.Select(x => (JsonNode)JsonValue.Create(x)).ToArray())).ToArray());

    private static void Fill(JsonNode? node, double[][] target)
    {
        if (node is not JsonArray rows || rows.Count != target.Length) throw new NasOnnxException("the saved REINFORCE state does not fit the space", "delete the search state or re-run with --force");
        for (int i = 0; i < target.Length; i++)
        {
            var row = rows[i] as JsonArray;
            if (row is null || row.Count != target[i].Length) throw new NasOnnxException("the saved REINFORCE state does not fit the space", "delete the search state or re-run with --force");
            for (int j = 0; j < row.Count; j++) target[i][j] = row[j]!.GetValue<double>();
        }
    }

    public JsonNode? SaveState() => new JsonObject
    {
        ["logits"] = Matrix(_logits),
        ["adam_m"] = Matrix(_m),
        ["adam_v"] = Matrix(_v),
        ["updates"] = _updates,
        ["baseline"] = _baseline,
        ["has_baseline"] = _hasBaseline,
    };

    public void LoadState(JsonNode? state, IReadOnlyList<(Trial Trial, IArchitecture Architecture)> history)
    {
        if (state is null) return;
        Fill(state["logits"], _logits);
        Fill(state["adam_m"], _m);
        Fill(state["adam_v"], _v);
        _updates = state["updates"]!.GetValue<int>();
        _baseline = state["baseline"]!.GetValue<double>();
        _hasBaseline = state["has_baseline"]!.GetValue<bool>();
    }

    /// <summary>The policy for search.json: per decision its name, choices and probabilities.</summary>
    public JsonNode PolicyJson()
    {
        var probs = Probabilities();
        return new JsonArray(_space.Decisions.Select((d, i) => (JsonNode)new JsonObject
        {
            ["decision"] = d.Name,
            ["choices"] = new JsonArray(d.Choices.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray()),
            ["probabilities"] = new JsonArray(probs[i].Select(x => (JsonNode)JsonValue.Create(Math.Round(x, 6))).ToArray()),
            ["logits"] = new JsonArray(_logits[i].Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
        }).ToArray());
    }
}
