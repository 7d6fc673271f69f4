using System.Runtime.InteropServices;

namespace NasOnnx.Runtime;

/// <summary>
/// Process-wide switches of libtorch's ATen context that TorchSharp does not expose: whether ATen may route
/// CPU ops (convolution above all) to oneDNN (mkldnn), and whether it may try NNPACK. Called through the C++
/// symbols libtorch_cpu exports (Itanium ABI: a member function takes `this` as its first argument).
///
/// Why these two: on AMD EPYC (Zen 5, family 26) with libtorch 2.10 / oneDNN 3.7.1 oneDNN's convolution kernels
/// compute wrong float32 results (input gradients mostly, some forward outputs; errors the size of the values, or
/// NaN) for many ordinary shapes, under every ISA limit tried (AVX-512, AVX2, AVX), with no shape rule that held;
/// see <see cref="NumericsSelfCheck"/>, `nasonnx bench numerics` and the README's troubleshooting section.
/// With oneDNN off, ATen uses its own im2col + GEMM convolution, which is exact here. NNPACK: on a CPU it does
/// not support, every convolution call site logs "Could not initialize NNPACK! Reason: Unsupported hardware."
/// unless ATen is told not to try it.
/// </summary>
public static class LibTorchSwitches
{
    private const string Lib = "libtorch_cpu";

    [DllImport(Lib, EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport(Lib, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport(Lib, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);

    [DllImport(Lib, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNNPACK(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    /// <summary>True when the switches can be reached (Linux/x64 or another platform whose libtorch exports them).</summary>
    public static bool Available => _available ??= Probe();
    private static bool? _available;

    private static bool Probe()
    {
        try { _ = GlobalContext(); return true; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary>Whether ATen may use oneDNN for CPU ops (libtorch's default: true).</summary>
    public static bool OneDnnEnabled
    {
        get => !Available || UserEnabledMkldnn(GlobalContext());
        set { if (Available) SetUserEnabledMkldnn(GlobalContext(), value); }
    }

    /// <summary>Tells ATen never to try NNPACK (it only helps some inference convolutions on the CPUs it supports).</summary>
    public static void DisableNnpack()
    {
        if (Available) SetUserEnabledNNPACK(GlobalContext(), false);
    }
}
