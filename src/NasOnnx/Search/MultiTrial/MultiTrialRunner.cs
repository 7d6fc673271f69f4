using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Data;
using NasOnnx.Reporting;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Runtime;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// The multi-trial loop shared by random search, evolution and REINFORCE: propose -> skip known architectures
/// (the proposer still learns from their score) -> evaluate -> score -> observe -> save state, until the budget
/// is spent; then optional successive halving. State (trials, proposal counter, the proposer's state) is written
/// atomically after every proposal, so a killed run resumes exactly where it stopped and ends with the same log.
/// With a <see cref="MultiTrialOptions.Filter"/>, a refused proposal is counted, the proposer told, and the next one
/// drawn; refusals are not saved one by one (there may be thousands): they depend only on the proposal number, the
/// proposer's state and the (deterministic) filter, so a resume from the last saved trial replays them identically.
/// A candidate whose training diverges (<see cref="DivergedException"/>) is recorded as a failed trial with its reason,
/// scored <see cref="Trial.FailedScore"/> for the proposer, never ranked, and the search goes on.
/// </summary>
public sealed class MultiTrialRunner
{
    public const string StateFile = "search_state.json";

    private readonly ISearchSpace _space;
    private readonly ITrialProposer _proposer;
    private readonly IEvaluator _evaluator;
    private readonly IObjective _objective;
    private readonly MultiTrialOptions _o;
    private readonly List<(Trial Trial, IArchitecture Architecture)> _trials = [];
    private readonly Dictionary<string, double> _searchScores = [];
    private int _proposals, _repeats, _repeatsInARow, _rejections, _rejectionsInARow;
    private bool _searchDone;

    public MultiTrialRunner(ISearchSpace space, ITrialProposer proposer, IEvaluator evaluator, IObjective objective, MultiTrialOptions options)
    {
        if (options.Trials < 1)
            throw new NasOnnxException($"the search budget is {options.Trials} trials", "set trials: 1 or more");
        if (options.HalvingEta < 2)
            throw new NasOnnxException($"halving_eta is {options.HalvingEta}", "set halving_eta: 2 or more (2 keeps the better half)");
        _space = space;
        _proposer = proposer;
        _evaluator = evaluator;
        _objective = objective;
        _o = options;
    }

    public MultiTrialResult Run()
    {
        Load();
        if (_o.RetryFailed) RetryFailedTrials();
        int trialsThisCall = 0;
        bool Interrupt() => _o.StopAfterTrials is int n && trialsThisCall >= n;

        while (!_searchDone)
        {
            _o.Cancellation.ThrowIfCancellationRequested();
            if (_searchScores.Count >= _o.Trials || _repeatsInARow >= _o.MaxRepeats)
            {
                if (_repeatsInARow >= _o.MaxRepeats)
                    _o.Log?.Warn($"{_repeatsInARow} proposals in a row named architectures evaluated before (space exhausted or strategy converged): stopping after {_searchScores.Count} of {_o.Trials} trials");
                _searchDone = true;
                Save();
                break;
            }
            var rng = new Random((int)(SplitMix64.DeriveSeed(_o.Seed, _proposals) & 0x7fffffff));
            var proposal = _proposer.Propose(rng);
            _proposals++;
            string id = proposal.Architecture.ArchId;
            if (_searchScores.TryGetValue(id, out double known))
            {
                _repeats++;
                _repeatsInARow++;
                _rejectionsInARow = 0;
                _proposer.ObserveRepeat(proposal, known);
                Save();
                continue;
            }
            if (_o.Filter?.Check(proposal.Architecture) is { } rejection)
            {
                Reject(proposal, rejection);
                continue;
            }
            _repeatsInARow = 0;
            _rejectionsInARow = 0;
            var trial = Evaluate(proposal.Architecture, 0, proposal.Parents, proposal.Generation);
            _proposer.Observe(trial, proposal.Architecture);
            Save();
            TestFaults.Reached("trial");
            trialsThisCall++;
            if (_o.StopWhen?.Invoke(trial) == true) { _searchDone = true; Save(); }
            else if (Interrupt()) return Result(interrupted: true);
        }

        for (int rung = 1; rung < _evaluator.Rungs; rung++)
        {
            var previous = Ranked(rung - 1);
            int keep = (previous.Count + _o.HalvingEta - 1) / _o.HalvingEta;
            foreach (var (t, arch) in previous.Take(keep))
            {
                if (_trials.Any(x => x.Trial.Rung == rung && x.Trial.ArchId == t.ArchId)) continue;
                _o.Cancellation.ThrowIfCancellationRequested();
                Evaluate(arch, rung, [t.ArchId], t.Generation);
                Save();
                trialsThisCall++;
                if (Interrupt()) return Result(interrupted: true);
            }
        }
        return Result(interrupted: false);
    }

    private int MaxRejectionsInARow => _o.MaxRejectionsInARow ?? (int)Math.Min(int.MaxValue, 1000L * _o.Trials);

    private void Reject(Proposal proposal, Rejection rejection)
    {
        _rejections++;
        _rejectionsInARow++;
        _proposer.ObserveRejected(proposal, rejection);
        // the first few one by one, then every 100th: a tight budget can refuse thousands
        if (_rejections <= 5 || _rejections % 100 == 0)
            _o.Log?.Info($"rejected before training: {proposal.Architecture.ArchId} predicted {rejection.PredictedMs:0.000} ms > limit {rejection.LimitMs:0.000} ms " +
                         $"({_rejections} rejected so far, {_searchScores.Count}/{_o.Trials} evaluated)");
        if (_rejectionsInARow >= MaxRejectionsInARow)
            throw new NasOnnxException(
                $"{_rejectionsInARow} proposals in a row were predicted above the latency limit of {rejection.LimitMs:0.000} ms ({_searchScores.Count} of {_o.Trials} trials done): " +
                "the target is probably unreachable for this strategy in this space",
                "raise latency_target (or latency_margin), make the networks smaller (width/depth of the profile-latency and search stages), or use a strategy that samples more widely (random)");
    }

    private Trial Evaluate(IArchitecture arch, int rung, IReadOnlyList<string> parents, int generation, int? number = null)
    {
        var trial = new Trial
        {
            Number = number ?? _trials.Count + 1,
            ArchId = arch.ArchId,
            Architecture = arch.ToJson(indented: false),
            Rung = rung,
            Generation = generation,
            Parents = parents,
            Objectives = [],
            Score = Trial.FailedScore,
        };
        try
        {
            var objectives = Sorted.Of(_evaluator.Evaluate(arch, rung, _o.Cancellation));
            trial = trial with { Objectives = objectives, Score = _objective.Score(objectives) };
        }
        catch (DivergedException e)
        {
            trial = trial with { Status = Trial.Diverged, Failure = e.Message };
        }
        if (number is int n) _trials[_trials.FindIndex(t => t.Trial.Number == n)] = (trial, arch);
        else _trials.Add((trial, arch));
        if (rung == 0) _searchScores[trial.ArchId] = trial.Score;
        if (_o.Log is not { } log) return trial; // ranking for the log line sorts every trial: not for silent runs of thousands
        string head = $"trial {trial.Number}{(rung > 0 ? $" (rung {rung})" : "")}: {arch.ArchId}";
        string progress = $"{(_trials.Any(t => !t.Trial.Failed) ? $"best {Best().Score:0.0000}" : "no successful trial yet")} | {_searchScores.Count}/{_o.Trials} evaluated";
        if (trial.Failed)
            log.Warn($"{head} FAILED, {trial.Failure}: recorded as {trial.Status} in search_log.csv, the search goes on | {progress}");
        else
            log.Info($"{head} {_objective.Name} {trial.Score:0.0000} | {progress}");
        return trial;
    }

    /// <summary>With <see cref="MultiTrialOptions.RetryFailed"/>: each failed trial of a resumed search is trained again under its own number.</summary>
    private void RetryFailedTrials()
    {
        foreach (var (t, arch) in _trials.Where(t => t.Trial.Failed).ToList())
        {
            _o.Cancellation.ThrowIfCancellationRequested();
            _o.Log?.Info($"retrying failed trial {t.Number} ({t.ArchId}, {t.Status}: {t.Failure})");
            (_evaluator as CachingEvaluator)?.Forget(arch, t.Rung);
            Evaluate(arch, t.Rung, t.Parents, t.Generation, t.Number);
            Save();
        }
    }

    /// <summary>Successful trials of a rung, best first (ties: earlier first). Failed trials are never ranked.</summary>
    private List<(Trial Trial, IArchitecture Architecture)> Ranked(int rung) =>
        _trials.Where(t => t.Trial.Rung == rung && !t.Trial.Failed).OrderByDescending(t => t.Trial.Score).ThenBy(t => t.Trial.Number).ToList();

    /// <summary>The best of the highest rung reached (successive halving trusts the biggest budget).</summary>
    private Trial Best()
    {
        int top = _trials.Where(t => !t.Trial.Failed).Max(t => t.Trial.Rung);
        return Ranked(top)[0].Trial;
    }

    private MultiTrialResult Result(bool interrupted)
    {
        if (_trials.Count == 0)
            throw new NasOnnxException("the search evaluated no architecture", "raise trials, or check that the space has more than one architecture");
        if (_trials.All(t => t.Trial.Failed))
            throw new NasOnnxException(
                $"all {_trials.Count} trials failed (first: trial {_trials[0].Trial.Number} {_trials[0].Trial.ArchId}, {_trials[0].Trial.Failure})",
                "lower trial_lr; if this machine's CPU is suspect, `nasonnx doctor` shows the numerics check: run again with NASONNX_NUMERICS=safe " +
                "and retry_failed: true to train the failed trials again");
        return new MultiTrialResult(_trials.Select(t => t.Trial).ToList(), Best(), _proposals, _repeats, interrupted) { Rejections = _rejections };
    }

    private sealed record State(string Fingerprint, int Proposals, int Repeats, int RepeatsInARow, bool SearchDone, List<Trial> Trials, JsonNode? Proposer,
        int Rejections = 0, int RejectionsInARow = 0);

    private string? StatePath => _o.StateDir is null ? null : Path.Combine(_o.StateDir, StateFile);

    private void Save()
    {
        if (StatePath is not { } path) return;
        var state = new State(_o.Fingerprint, _proposals, _repeats, _repeatsInARow, _searchDone, _trials.Select(t => t.Trial).ToList(), _proposer.SaveState(),
            _rejections, _rejectionsInARow);
        AtomicWrite.Text(path, JsonSerializer.Serialize(state, SnakeJson.Options));
    }

    private void Load()
    {
        if (StatePath is not { } path || !File.Exists(path)) return;
        State? state;
        try
        {
            state = JsonSerializer.Deserialize<State>(File.ReadAllText(path), SnakeJson.Options);
        }
        catch (JsonException e)
        {
            _o.Log?.Warn($"ignoring unreadable search state {path} ({e.Message}); starting over");
            return;
        }
        if (state is null) return;
        if (state.Fingerprint != _o.Fingerprint)
        {
            _o.Log?.Warn($"the saved search state in {path} belongs to other params or another seed; starting over");
            return;
        }
        foreach (var t in state.Trials)
        {
            var trial = t with { Objectives = Sorted.Of(t.Objectives) };
            _trials.Add((trial, _space.Parse(trial.Architecture)));
            if (trial.Rung == 0) _searchScores[trial.ArchId] = trial.Score;
        }
        (_proposals, _repeats, _repeatsInARow, _searchDone) = (state.Proposals, state.Repeats, state.RepeatsInARow, state.SearchDone);
        (_rejections, _rejectionsInARow) = (state.Rejections, state.RejectionsInARow);
        _proposer.LoadState(state.Proposer, _trials);
        _o.Log?.Info($"resuming the search: {_searchScores.Count} of {_o.Trials} trials done, {_proposals} proposals{(_rejections > 0 ? $", {_rejections} rejected before training" : "")}");
    }
}
