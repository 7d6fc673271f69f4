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

    [Fact]
    public void Native_library_needs_are_satisfied_or_weakened()
    {
        TorchRuntime.Initialize(threads: 1);
        Assert.NotEqual("not checked", TorchRuntime.NativeLibraryStatus);
        string lib = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(lib)) return;
        var needs = ElfVersionNeeds.Read(File.ReadAllBytes(lib));
        Assert.Contains(needs, n => n.File == "libstdc++.so.6" && n.Version.StartsWith("GLIBCXX_", StringComparison.Ordinal));
    }

    [Fact]
    public void MarkWeak_sets_only_the_named_version_flag()
    {
        string lib = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(lib)) return;
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
