using NasOnnx.Pipeline;
using NasOnnx.Pipeline.Stages;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Tests.Pipeline;

namespace NasOnnx.Tests.Search.MultiTrial;

/// <summary>The multi-trial params are read once into typed settings, checked with the stage's errors, and fingerprinted for resume.</summary>
public class MultiTrialSettingsTests
{
    private static StageContext Stage(params (string Name, object? Value)[] overrides)
    {
        var values = new SearchStage().Params.ToDictionary(p => p.Name, p => p.Default);
        foreach (var (name, value) in overrides) values[name] = value;
        return new StageContext
        {
            PipelineName = "t", PipelineFile = "t.yaml", StageName = "search", Kind = "search",
            OutputDir = "out", WorkDir = "work", ProjectRoot = ".",
            Inputs = new Dictionary<string, string>(), Params = values, Seed = 5, Log = new CollectingLog(),
        };
    }

    [Fact]
    public void Reads_every_multi_trial_param_into_typed_values()
    {
        var s = MultiTrialSettings.FromParams(Stage(("trials", 7L), ("trial_epochs", 2L), ("trial_lr", 0.1), ("population", 6L), ("sample", 2L),
            ("policy_optimizer", "sgd"), (MultiTrialSettings.RetryFailedParam, true)), hasLatencyPredictor: false);
        Assert.Equal(7, s.Trials);
        Assert.Equal(new[] { new TrialBudget(2, 0.25) }, s.Rungs);
        Assert.Equal(2, s.HalvingEta);
        Assert.Equal(0.1, s.TrialRecipe.LearningRate);
        Assert.Equal(128, s.TrialRecipe.BatchSize);
        Assert.True(s.RetryFailed);
        Assert.Equal("accuracy", s.Objective.Name);
        Assert.False(s.Latency.Active);
        Assert.Equal(new EvolutionSettings(6, 2, 0.2), s.Evolution);
        Assert.Equal("sgd", s.Reinforce.Optimizer);
    }

    [Fact]
    public void Trial_augmentations_start_at_their_rung_and_are_off_by_default()
    {
        Assert.False(MultiTrialSettings.FromParams(Stage(), hasLatencyPredictor: false).Augmentation.Any);
        var s = MultiTrialSettings.FromParams(Stage(("halving_epochs", new long[] { 1, 3, 6 }), ("trial_crop_padding", 2L), ("trial_flip", "on"),
            ("trial_random_erasing", 0.5), ("trial_label_smoothing", 0.1), ("trial_warmup_epochs", 1.0), ("trial_augment_from_rung", 2L)), hasLatencyPredictor: false);
        Assert.Equal(new TrialAugmentation(2, "on", 0, 0.5, 0.1, FromRung: 1), s.Augmentation);
        Assert.Equal([false, true, true], new[] { 0, 1, 2 }.Select(s.Augmentation.AppliesTo));
        Assert.Equal(1.0, s.TrialRecipe.WarmupEpochs);
        Assert.Equal(0.0, s.Augmentation.Apply(s.TrialRecipe, 0).LabelSmoothing);
        Assert.Equal(0.1, s.Augmentation.Apply(s.TrialRecipe, 2).LabelSmoothing);
    }

    [Theory]
    [InlineData("trial_augment_from_rung", 4L, "trial_augment_from_rung is 4, and the search has 3 rungs")]
    [InlineData("trial_augment_from_rung", 0L, "trial_augment_from_rung is 0, and the search has 3 rungs")]
    [InlineData("trial_label_smoothing", 1.0, "trial_label_smoothing must be in [0, 1)")]
    [InlineData("trial_random_erasing", 1.5, "trial_random_erasing is a probability, got 1.5")]
    [InlineData("trial_crop_padding", -1L, "trial_crop_padding must be 0 or more")]
    public void Trial_augmentation_errors_name_the_param(string name, object value, string message)
    {
        var e = Assert.Throws<NasOnnxException>(() => MultiTrialSettings.FromParams(Stage(("halving_epochs", new long[] { 1, 3, 6 }), (name, value)), hasLatencyPredictor: false));
        Assert.Equal(message, e.Message);
        Assert.Equal("search", e.Stage);
    }

    [Fact]
    public void Halving_epochs_replace_the_trial_epochs_and_must_not_decrease()
    {
        Assert.Equal(new[] { new TrialBudget(1, 0.25), new TrialBudget(2, 0.25), new TrialBudget(4, 0.25) },
            MultiTrialSettings.FromParams(Stage(("halving_epochs", new long[] { 1, 2, 4 })), false).Rungs);
        var e = Assert.Throws<NasOnnxException>(() => MultiTrialSettings.FromParams(Stage(("halving_epochs", new long[] { 2, 1 })), false));
        Assert.Equal("halving_epochs [2, 1] must not decrease", e.Message);
        Assert.Equal("search", e.Stage);
    }

    [Fact]
    public void Halving_data_percent_gives_each_rung_its_share_of_the_data()
    {
        var s = MultiTrialSettings.FromParams(Stage(("halving_epochs", new long[] { 1, 2, 3 }), ("halving_data_percent", new long[] { 25, 50, 100 })), false);
        Assert.Equal(new[] { new TrialBudget(1, 0.25), new TrialBudget(2, 0.5), new TrialBudget(3, 1.0) }, s.Rungs);
    }

    [Theory]
    [InlineData(new long[] { 1, 2 }, new long[] { 50 }, "halving_data_percent has 1 entries and halving_epochs 2")]
    [InlineData(new long[] { 1, 2 }, new long[] { 50, 25 }, "halving_data_percent [50, 25] must be percentages (1-100) that do not decrease")]
    [InlineData(new long[] { 1, 2 }, new long[] { 50, 150 }, "halving_data_percent [50, 150] must be percentages (1-100) that do not decrease")]
    [InlineData(new long[] { 1, 2 }, new long[] { 0, 50 }, "halving_data_percent [0, 50] must be percentages (1-100) that do not decrease")]
    [InlineData(new long[0], new long[] { 50 }, "halving_data_percent is set but halving_epochs is not")]
    public void Halving_data_percent_must_match_the_rungs_and_grow(long[] epochs, long[] percent, string message)
    {
        var e = Assert.Throws<NasOnnxException>(() => MultiTrialSettings.FromParams(Stage(("halving_epochs", epochs), ("halving_data_percent", percent)), false));
        Assert.Equal(message, e.Message);
        Assert.Equal("search", e.Stage);
    }

    [Fact]
    public void Latency_floor_is_a_share_of_the_target_below_the_margin()
    {
        var s = MultiTrialSettings.FromParams(Stage(("latency_target", 1.0), ("latency_margin", 0.9), ("latency_floor", 0.6)), hasLatencyPredictor: true);
        Assert.Equal(0.6, s.Latency.FloorMs, 12);
        Assert.Equal(0.9, s.Latency.LimitMs, 12);
        Assert.Equal(0.0, MultiTrialSettings.FromParams(Stage(("latency_target", 1.0)), true).Latency.FloorMs);
    }

    [Theory]
    [InlineData(1.0, 0.9, 0.9, true, "latency_floor is 0.9 with latency_margin 0.9")]
    [InlineData(1.0, 1.0, -0.1, true, "latency_floor is -0.1 with latency_margin 1")]
    [InlineData(0.0, 1.0, 0.5, true, "latency_floor is set but latency_target is not")]
    [InlineData(1.0, 1.0, 0.5, false, "latency_floor 0.5 refuses candidates by their predicted latency, and this search stage has no `latency` input to predict it")]
    public void Latency_floor_errors_name_the_param(double target, double margin, double floor, bool predictor, string message)
    {
        var e = Assert.Throws<NasOnnxException>(() => MultiTrialSettings.FromParams(
            Stage(("latency_target", target), ("latency_margin", margin), ("latency_floor", floor), ("latency_source", "measured")), predictor));
        Assert.Equal(message, e.Message);
        Assert.Equal("search", e.Stage);
    }

    [Fact]
    public void Trial_data_fraction_outside_the_unit_interval_is_refused()
    {
        var e = Assert.Throws<NasOnnxException>(() => MultiTrialSettings.FromParams(Stage(("trial_data_fraction", 1.5)), false));
        Assert.Equal("trial_data_fraction must be in (0, 1], got 1.5", e.Message);
    }

    [Fact]
    public void Fingerprint_names_every_param_but_retry_failed_sorted_by_name()
    {
        string plain = MultiTrialSettings.FromParams(Stage(), false).ParamsFingerprint;
        string retried = MultiTrialSettings.FromParams(Stage((MultiTrialSettings.RetryFailedParam, true)), false).ParamsFingerprint;
        Assert.Equal(plain, retried);
        Assert.DoesNotContain(MultiTrialSettings.RetryFailedParam, plain);
        Assert.Contains("halving_epochs=[];halving_eta=2;", plain);
        Assert.Contains("trial_data_fraction=0.25;", plain);
        var names = plain.Split(';').Select(p => p[..p.IndexOf('=')]).ToList();
        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), names);
        Assert.NotEqual(plain, MultiTrialSettings.FromParams(Stage(("trials", 21L)), false).ParamsFingerprint);
    }
}
