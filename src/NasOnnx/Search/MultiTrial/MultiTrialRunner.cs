using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Data;
using NasOnnx.Reporting;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Runtime;
using NasOnnx.Search.Execution;

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
    // where each trial number sits in _trials: a retried trial replaces its record, and a scan per trial made
    // searches of many cheap trials (a proxy objective, the strategy tests' fake space) quadratic
    private readonly Dictionary<int, int> _trialIndex = [];
    private readonly Dictionary<string, double> _searchScores = [];
    private readonly Execution.ITrialExecutor _executor;
    /// <summary>Trials in flight, in proposal order.</summary>
    private readonly List<PendingTrial> _pending = [];
    private readonly List<TrialTiming> _timings = [];
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
        if (options.MaxConcurrent < 1)
            throw new NasOnnxException($"max_concurrent is {options.MaxConcurrent}", "set max_concurrent: 1 or more (trials in flight at once)");
        if (options.Retries < 0)
            throw new NasOnnxException($"retries is {options.Retries}", "set retries: 0 or more (how often a failed job is submitted again)");
        _executor = options.Executor ?? new Execution.LocalExecutor(evaluator);
    }

    public MultiTrialResult Run()
    {
        Load();
        try
        {
            return RunLoaded();
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: what was submitted is cancelled; on resume those trials are submitted afresh (not counted as failures)
            _executor.CancelAll(_o.Log);
            foreach (var p in _pending) (p.JobId, p.Submitted) = (null, null);
            Save();
            throw;
        }
    }

    private MultiTrialResult RunLoaded()
    {
        foreach (var p in _pending.Where(p => p.JobId is null))
        {
            p.Submitted = DateTimeOffset.UtcNow;
            p.JobId = _executor.Submit(p.Task);
        }
        if (_pending.Count > 0)
        {
            _o.Log?.Info($"resuming with {_pending.Count} trial{(_pending.Count == 1 ? "" : "s")} in flight ({_executor.Name}: " +
                         $"{string.Join(", ", _pending.Select(p => $"trial {p.Number}{(p.JobId is null ? "" : $" job {p.JobId}")}"))})");
            Save();
        }
        if (_o.RetryFailed) RetryFailedTrials();
        int trialsThisCall = 0;
        bool Interrupt() => _o.StopAfterTrials is int n && trialsThisCall >= n;

        while (!_searchDone)
        {
            _o.Cancellation.ThrowIfCancellationRequested();
            FillWindow();
            if (_pending.Count == 0)
            {
                if (_repeatsInARow >= _o.MaxRepeats)
                    _o.Log?.Warn($"{_repeatsInARow} proposals in a row named architectures evaluated before (space exhausted or strategy converged): stopping after {_searchScores.Count} of {_o.Trials} trials");
                _searchDone = true;
                Save();
                break;
            }
            // observed in proposal order: what comes next never depends on which trial finished first
            var head = _pending[0];
            var trial = Complete(head);
            _pending.RemoveAt(0);
            _proposer.Observe(trial, head.Arch);
            Save();
            TestFaults.Reached("trial");
            trialsThisCall++;
            if (_o.StopWhen?.Invoke(trial) == true)
            {
                if (_pending.Count > 0) _executor.CancelAll(null);
                _pending.Clear();
                _searchDone = true;
                Save();
            }
            else if (Interrupt()) return Result(interrupted: true);
        }

        for (int rung = 1; rung < _evaluator.Rungs; rung++)
        {
            var previous = Ranked(rung - 1);
            int keep = (previous.Count + _o.HalvingEta - 1) / _o.HalvingEta;
            var todo = previous.Take(keep).Where(t => !HasTrial(rung, t.Trial.ArchId)).ToList();
            int next = 0;
            while (true)
            {
                while (_pending.Count < _o.MaxConcurrent && next < todo.Count)
                {
                    var (t, arch) = todo[next++];
                    // A resumed run enters this loop with the trial that was in flight when it stopped: it is in `todo` too,
                    // and once observed it is in _trials, not _pending, so both are checked or it would be trained twice.
                    if (_pending.Any(p => p.Rung == rung && p.ArchId == t.ArchId) || HasTrial(rung, t.ArchId)) continue;
                    Submit(arch, rung, [t.ArchId], t.Generation);
                }
                if (_pending.Count == 0) break;
                _o.Cancellation.ThrowIfCancellationRequested();
                Complete(_pending[0]);
                _pending.RemoveAt(0);
                Save();
                trialsThisCall++;
                if (Interrupt()) return Result(interrupted: true);
            }
        }
        return Result(interrupted: false);
    }

    private bool HasTrial(int rung, string archId) => _trials.Any(x => x.Trial.Rung == rung && x.Trial.ArchId == archId);

    /// <summary>Proposes until max_concurrent new architectures are in flight (or the budget is handed out).</summary>
    private void FillWindow()
    {
        while (_pending.Count < _o.MaxConcurrent)
        {
            if (_searchScores.Count + _pending.Count(p => p.Rung == 0) >= _o.Trials || _repeatsInARow >= _o.MaxRepeats) return;
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
            if (_pending.Any(p => p.Rung == 0 && p.ArchId == id))
            {
                // in flight already: not trained twice; its score is not known yet, so the proposer learns it when it is observed
                _repeats++;
                _repeatsInARow++;
                _rejectionsInARow = 0;
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
            Submit(proposal.Architecture, 0, proposal.Parents, proposal.Generation);
        }
    }

    private void Submit(IArchitecture arch, int rung, IReadOnlyList<string> parents, int generation)
    {
        var p = new PendingTrial
        {
            Number = _trials.Count + _pending.Count + 1,
            ArchId = arch.ArchId,
            Architecture = arch.ToJson(indented: false),
            Rung = rung,
            Generation = generation,
            Parents = [.. parents],
            Arch = arch,
        };
        _pending.Add(p);
        p.Submitted = DateTimeOffset.UtcNow;
        p.JobId = _executor.Submit(p.Task);
        Save();
    }

    /// <summary>Waits for a trial; a job that ended without a result is submitted again up to `retries` times, then recorded as failed.</summary>
    private Trial Complete(PendingTrial p)
    {
        while (true)
        {
            var outcome = _executor.Wait(p.Task, p.JobId, _o.Cancellation);
            if (outcome.Status == Trial.JobFailed)
            {
                p.Attempts++;
                p.Failures.Add(outcome.Failure ?? "no reason given");
                if (p.Attempts <= _o.Retries)
                {
                    _o.Log?.Warn($"trial {p.Number} ({p.ArchId}): {outcome.Failure}; submitting it again (retry {p.Attempts} of {_o.Retries})");
                    p.JobId = null;
                    p.JobId = _executor.Submit(p.Task);
                    p.Submitted = DateTimeOffset.UtcNow;
                    Save();
                    continue;
                }
                outcome = outcome with { Failure = $"{p.Attempts} attempt{(p.Attempts == 1 ? "" : "s")} failed; last: {outcome.Failure}" };
            }
            _timings.Add(new TrialTiming(p.Number, p.Rung, p.ArchId, _executor.Name, p.JobId, p.Attempts + 1, p.Submitted ?? DateTimeOffset.UtcNow,
                outcome.Started, outcome.Finished, DateTimeOffset.UtcNow, outcome.Host));
            return Record(p.Arch, p.Rung, p.Parents, p.Generation, outcome, p.Number);
        }
    }

    private int MaxRejectionsInARow => _o.MaxRejectionsInARow ?? (int)Math.Min(int.MaxValue, 1000L * _o.Trials);

    private void Reject(Proposal proposal, Rejection rejection)
    {
        _rejections++;
        _rejectionsInARow++;
        _proposer.ObserveRejected(proposal, rejection);
        // the first few one by one, then every 100th: a tight budget can refuse thousands
        if (_rejections <= 5 || _rejections % 100 == 0)
            _o.Log?.Info($"rejected before training: {proposal.Architecture.ArchId} {rejection} " +
                         $"({_rejections} rejected so far, {_searchScores.Count}/{_o.Trials} evaluated)");
        if (_rejectionsInARow < MaxRejectionsInARow) return;
        if (rejection.BelowFloor)
            throw new NasOnnxException(
                $"{_rejectionsInARow} proposals in a row were predicted under the latency floor of {rejection.LimitMs:0.000} ms ({_searchScores.Count} of {_o.Trials} trials done): " +
                "the floor is probably above what this strategy reaches in this space",
                "lower latency_floor (or set it to 0), or make the networks larger (width/depth of the profile-latency and search stages)");
        throw new NasOnnxException(
            $"{_rejectionsInARow} proposals in a row were predicted above the latency limit of {rejection.LimitMs:0.000} ms ({_searchScores.Count} of {_o.Trials} trials done): " +
            "the target is probably unreachable for this strategy in this space",
            "raise latency_target (or latency_margin), make the networks smaller (width/depth of the profile-latency and search stages), or use a strategy that samples more widely (random)");
    }

    private Trial Record(IArchitecture arch, int rung, IReadOnlyList<string> parents, int generation, TrialOutcome outcome, int number)
    {
        var trial = new Trial
        {
            Number = number,
            ArchId = arch.ArchId,
            Architecture = arch.ToJson(indented: false),
            Rung = rung,
            Generation = generation,
            Parents = parents,
            Objectives = outcome.Objectives ?? [],
            Score = outcome.Status == Trial.Ok ? _objective.Score(outcome.Objectives!) : Trial.FailedScore,
            Status = outcome.Status,
            Failure = outcome.Failure,
        };
        Keep(trial, arch);
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

    /// <summary>Adds a trial's record, or replaces the record of the same number (a retried trial).</summary>
    private void Keep(Trial trial, IArchitecture arch)
    {
        if (_trialIndex.TryGetValue(trial.Number, out int at))
        {
            _trials[at] = (trial, arch);
            return;
        }
        _trialIndex[trial.Number] = _trials.Count;
        _trials.Add((trial, arch));
    }

    /// <summary>With <see cref="MultiTrialOptions.RetryFailed"/>: each failed trial of a resumed search is trained again under its own number.</summary>
    private void RetryFailedTrials()
    {
        foreach (var (t, arch) in _trials.Where(t => t.Trial.Failed).ToList())
        {
            _o.Cancellation.ThrowIfCancellationRequested();
            _o.Log?.Info($"retrying failed trial {t.Number} ({t.ArchId}, {t.Status}: {t.Failure})");
            (_evaluator as CachingEvaluator)?.Forget(arch, t.Rung);
            var p = new PendingTrial { Number = t.Number, ArchId = t.ArchId, Architecture = t.Architecture, Rung = t.Rung, Generation = t.Generation, Parents = [.. t.Parents], Arch = arch, Submitted = DateTimeOffset.UtcNow };
            p.JobId = _executor.Submit(p.Task);
            Complete(p);
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
        return new MultiTrialResult(_trials.Select(t => t.Trial).ToList(), Best(), _proposals, _repeats, interrupted) { Rejections = _rejections, Timings = [.. _timings] };
    }

    private sealed record State(string Fingerprint, int Proposals, int Repeats, int RepeatsInARow, bool SearchDone, List<Trial> Trials, JsonNode? Proposer,
        int Rejections = 0, int RejectionsInARow = 0, List<PendingTrial>? Pending = null, List<TrialTiming>? Timings = null);

    /// <summary>A trial proposed and handed to the executor, not yet observed; saved with its job id so a restarted driver re-attaches.</summary>
    private sealed class PendingTrial
    {
        public required int Number { get; init; }
        public required string ArchId { get; init; }
        public required string Architecture { get; init; }
        public int Rung { get; init; }
        public int Generation { get; init; }
        public List<string> Parents { get; init; } = [];
        /// <summary>The executor's id of the running attempt (pid, Slurm job id); null: in this process, or not submitted.</summary>
        public string? JobId { get; set; }
        /// <summary>Attempts that ended without a result so far, and why.</summary>
        public int Attempts { get; set; }
        public List<string> Failures { get; init; } = [];
        /// <summary>When the running attempt was handed to the executor.</summary>
        public DateTimeOffset? Submitted { get; set; }

        [System.Text.Json.Serialization.JsonIgnore]
        public IArchitecture Arch { get; set; } = null!;

        [System.Text.Json.Serialization.JsonIgnore]
        public TrialTask Task => new(Number, Arch, Rung, Attempts + 1);
    }

    private string? StatePath => _o.StateDir is null ? null : Path.Combine(_o.StateDir, StateFile);

    private void Save()
    {
        if (StatePath is not { } path) return;
        var state = new State(_o.Fingerprint, _proposals, _repeats, _repeatsInARow, _searchDone, _trials.Select(t => t.Trial).ToList(), _proposer.SaveState(),
            _rejections, _rejectionsInARow, _pending.Count > 0 ? _pending : null, _timings);
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
            Keep(trial, _space.Parse(trial.Architecture));
            if (trial.Rung == 0) _searchScores[trial.ArchId] = trial.Score;
        }
        (_proposals, _repeats, _repeatsInARow, _searchDone) = (state.Proposals, state.Repeats, state.RepeatsInARow, state.SearchDone);
        (_rejections, _rejectionsInARow) = (state.Rejections, state.RejectionsInARow);
        _timings.AddRange(state.Timings ?? []);
        foreach (var p in state.Pending ?? [])
        {
            p.Arch = _space.Parse(p.Architecture);
            _pending.Add(p);
        }
        _proposer.LoadState(state.Proposer, _trials);
        _o.Log?.Info($"resuming the search: {_searchScores.Count} of {_o.Trials} trials done, {_proposals} proposals{(_rejections > 0 ? $", {_rejections} rejected before training" : "")}");
    }
}
