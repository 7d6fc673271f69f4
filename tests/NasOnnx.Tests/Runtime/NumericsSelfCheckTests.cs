using NasOnnx.Runtime;
using TorchSharp;

namespace NasOnnx.Tests.Runtime;

[Collection(NumericsSwitchesCollection.Name)]
public sealed class NumericsSelfCheckTests
{
    [Fact]
    public void The_configuration_in_force_passes_the_self_check_and_is_what_the_switches_say()
    {
        // Whatever this CPU needed (auto), the process now computes float32 like the float64 reference.
        TorchRuntime.Initialize(1);
        var status = NumericsSelfCheck.Apply();
        Assert.Equal(status.Configuration != NumericsConfiguration.Safe, LibTorchSwitches.OneDnnEnabled);
        Assert.Null(NumericsSelfCheck.Run());
    }

    [Fact]
    public void The_safe_configuration_passes_on_every_CPU_and_the_switches_are_real()
    {
        TorchRuntime.Initialize(1);
        bool onednn = LibTorchSwitches.OneDnnEnabled;
        using (NumericsSelfCheck.With(NumericsConfiguration.Safe))
        {
            Assert.False(LibTorchSwitches.OneDnnEnabled);
            Assert.Null(NumericsSelfCheck.Run());
        }
        using (NumericsSelfCheck.With(NumericsConfiguration.Default)) Assert.True(LibTorchSwitches.OneDnnEnabled);
        Assert.Equal(onednn, LibTorchSwitches.OneDnnEnabled);
    }

    [Fact]
    public void Measure_reports_every_probe_within_tolerance_under_the_configuration_in_force()
    {
        TorchRuntime.Initialize(1);
        NumericsSelfCheck.Apply();
        var probes = NumericsSelfCheck.Measure(repeats: 1);
        Assert.True(probes.Count >= 15);
        Assert.Contains(probes, p => p.Probe.Contains("groups")); // depthwise
        Assert.Contains(probes, p => p.Probe.Contains("dilation"));
        Assert.Contains(probes, p => p.Probe.Contains("stride"));
        Assert.All(probes, p => Assert.True(p.Passes, $"{p.Probe}: {p.Output} {p.InputGradient} {p.WeightGradient}"));
    }

    [Theory]
    [InlineData(null, NumericsMode.Auto)]
    [InlineData("auto", NumericsMode.Auto)]
    [InlineData("SAFE", NumericsMode.Safe)]
    [InlineData(" default ", NumericsMode.Default)]
    public void Modes_parse(string? value, NumericsMode expected) => Assert.Equal(expected, NumericsSelfCheck.ParseMode(value));

    [Fact]
    public void An_unknown_mode_is_refused_with_the_fix() =>
        Assert.Contains("auto", Assert.Throws<NasOnnxException>(() => NumericsSelfCheck.ParseMode("fast")).Fix);

    [Theory]
    [InlineData("safe", "safe (oneDNN off); mode safe: forced by NASONNX_NUMERICS=safe")]
    [InlineData("default", "default (oneDNN on); mode default: forced by NASONNX_NUMERICS=default")]
    public void A_forced_configuration_is_reported_by_doctor_in_a_fresh_process(string mode, string expected)
    {
        using var p = CliProcess.Start(AppContext.BaseDirectory, new Dictionary<string, string> { ["NASONNX_NUMERICS"] = mode, ["COLUMNS"] = "400" }, "doctor");
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)));
        Assert.Equal(0, p.ExitCode);
        Assert.Contains(expected, System.Text.RegularExpressions.Regex.Replace(output, @"[│\s]+", " "));
        Assert.DoesNotContain("NNPACK", output);
    }
}
