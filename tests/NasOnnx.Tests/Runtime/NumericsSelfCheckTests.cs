using NasOnnx.Runtime;
using NasOnnx.Training;
using TorchSharp;

namespace NasOnnx.Tests.Runtime;

public sealed class NumericsSelfCheckTests
{
    [Fact]
    public void The_configuration_in_force_passes_the_self_check()
    {
        // Whatever this CPU needed (auto), the process now computes float32 like the float64 reference.
        TorchRuntime.Initialize(1);
        var status = NumericsSelfCheck.Apply();
        Assert.Equal(status.Safe, !LibTorchSwitches.OneDnnEnabled);
        Assert.Null(NumericsSelfCheck.Run());
    }

    [Fact]
    public void The_safe_configuration_passes_on_every_CPU_and_the_switch_is_real()
    {
        TorchRuntime.Initialize(1);
        bool was = LibTorchSwitches.OneDnnEnabled;
        try
        {
            LibTorchSwitches.OneDnnEnabled = false;
            Assert.False(LibTorchSwitches.OneDnnEnabled);
            Assert.Null(NumericsSelfCheck.Run());
            LibTorchSwitches.OneDnnEnabled = true;
            Assert.True(LibTorchSwitches.OneDnnEnabled);
        }
        finally { LibTorchSwitches.OneDnnEnabled = was; }
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

    [Fact]
    public void Forcing_safe_is_reported_by_doctor_in_a_fresh_process()
    {
        using var p = CliProcess.Start(AppContext.BaseDirectory, new Dictionary<string, string> { ["NASONNX_NUMERICS"] = "safe" }, "doctor");
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)));
        Assert.Equal(0, p.ExitCode);
        Assert.Contains("safe (oneDNN off); mode safe: forced by", output);
        Assert.DoesNotContain("NNPACK", output);
    }
}
