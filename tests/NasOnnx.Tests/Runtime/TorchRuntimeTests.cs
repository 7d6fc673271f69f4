using NasOnnx.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NasOnnx.Tests.Runtime;

public class TorchRuntimeTests
{
    [Fact]
    public void TorchSharp_runs_forward_and_backward_in_the_test_process()
    {
        TorchRuntime.Initialize(threads: 1);
        torch.manual_seed(1);
        var lin = nn.Linear(4, 3);
        var x = torch.randn(5, 4);
        var loss = lin.forward(x).pow(2).mean();
        loss.backward();
        var grad = lin.weight!.grad!;
        Assert.Equal(new long[] { 3, 4 }, grad.shape);
        Assert.True(grad.abs().sum().item<float>() > 0f);
        // Analytic check of one gradient: d/dW mean((Wx+b)^2) = 2/(N*3) * sum_n (Wx_n+b) x_n^T
        using var noGrad = torch.no_grad();
        var y = lin.forward(x);
        var expected = y.t().matmul(x) * (2.0f / (5 * 3));
        Assert.True(torch.allclose(grad, expected, rtol: 1e-5, atol: 1e-6));
    }

    [SkippableFact]
    public void Native_library_needs_are_satisfied_or_weakened()
    {
        TorchRuntime.Initialize(threads: 1);
        Assert.NotEqual("not checked", TorchRuntime.NativeLibraryStatus);
        string lib = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Skip.IfNot(File.Exists(lib), $"no linux-x64 libLibTorchSharp.so in the test output ({lib})");
        var needs = ElfVersionNeeds.Read(File.ReadAllBytes(lib));
        Assert.Contains(needs, n => n.File == "libstdc++.so.6" && n.Version.StartsWith("GLIBCXX_", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void MarkWeak_sets_only_the_named_version_flag()
    {
        string lib = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Skip.IfNot(File.Exists(lib), $"no linux-x64 libLibTorchSharp.so in the test output ({lib})");
        byte[] image = File.ReadAllBytes(lib);
        var before = ElfVersionNeeds.Read(image).Select(r => r with { Flags = (ushort)(r.Flags & ~2) }).ToList();
        // Clear flags first so the test does not depend on whether this output was patched already.
        foreach (var r in ElfVersionNeeds.Read(image)) { image[r.FlagsOffset] &= 0xFD; }
        int changed = ElfVersionNeeds.MarkWeak(image, ["GLIBCXX_3.4.32"]);
        Assert.Equal(1, changed);
        var after = ElfVersionNeeds.Read(image);
        Assert.Equal(before.Count, after.Count);
        Assert.All(after, r => Assert.Equal(r.Version == "GLIBCXX_3.4.32", r.IsWeak));
    }
}

public class PatchPlanTests
{
    private static ElfVersionNeeds.Requirement Need(string version, bool weak = false, string file = "libstdc++.so.6") =>
        new(file, version, (ushort)(weak ? 2 : 0), 0);

    private static readonly ElfVersionNeeds.Requirement[] Needs =
        [Need("GLIBCXX_3.4.30"), Need("GLIBCXX_3.4.32"), Need("CXXABI_1.3.13"), Need("GLIBC_2.34", file: "libc.so.6")];

    [Fact]
    public void New_enough_libstdcxx_needs_nothing()
    {
        var plan = TorchRuntime.PlanPatch(Needs, new HashSet<string> { "GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "CXXABI_1.3.13" });
        Assert.Equal(TorchRuntime.PatchAction.None, plan.Action);
    }

    [Fact]
    public void Gcc12_libstdcxx_gets_the_one_safe_version_weakened()
    {
        var plan = TorchRuntime.PlanPatch(Needs, new HashSet<string> { "GLIBCXX_3.4.30", "CXXABI_1.3.13" });
        Assert.Equal(TorchRuntime.PatchAction.MarkWeak, plan.Action);
        Assert.Equal(["GLIBCXX_3.4.32"], plan.Versions);
    }

    [Fact]
    public void Already_patched_library_is_left_alone()
    {
        ElfVersionNeeds.Requirement[] needs = [Need("GLIBCXX_3.4.30"), Need("GLIBCXX_3.4.32", weak: true)];
        var plan = TorchRuntime.PlanPatch(needs, new HashSet<string> { "GLIBCXX_3.4.30" });
        Assert.Equal(TorchRuntime.PatchAction.AlreadyWeak, plan.Action);
    }

    [Fact]
    public void Older_libstdcxx_missing_a_used_version_is_refused()
    {
        var plan = TorchRuntime.PlanPatch(Needs, new HashSet<string> { "CXXABI_1.3.13" });
        Assert.Equal(TorchRuntime.PatchAction.Impossible, plan.Action);
        Assert.Equal(["GLIBCXX_3.4.30"], plan.Versions);
    }
}
