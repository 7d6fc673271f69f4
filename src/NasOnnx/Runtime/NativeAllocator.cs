using System.Runtime.InteropServices;

namespace NasOnnx.Runtime;

/// <summary>
/// Keeps glibc's malloc from handing libtorch's large tensors back to the kernel after every step. glibc serves an
/// allocation above its mmap threshold (at most 32 MB) with a fresh mmap and unmaps it on free; a training step of a
/// MobileNet-style network at batch 128 allocates dozens of such activations (128 x 144 x 28 x 28 floats is 58 MB), so
/// every step paid for page faults and zeroing of fresh pages: 6.2 s of system time in 8 steps. With mmap off
/// (M_MMAP_MAX 0) and a 1 GiB trim threshold the freed blocks stay in the heap and are reused: the searched network's
/// step went from 977 to 566 ms and 809 to 530 ms (README, "Training throughput"), for about 50% more resident memory. This is what
/// MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1073741824 would do, applied from inside the process.
/// NASONNX_MALLOC=system leaves glibc's defaults; other C libraries (no mallopt) are left alone.
/// </summary>
public static class NativeAllocator
{
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_MAX = -4;
    private const int TrimThreshold = 1 << 30;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    /// <summary>
    /// Hands the free memory in the middle of the heap back to the kernel (glibc malloc_trim(0)). With mmap off, freed
    /// blocks stay in the heap for reuse, which is the point within a training run; but networks of different shapes
    /// leave it fragmented, and a multi-trial search grew to 17.5 GB resident over 7 trials and was killed for memory.
    /// Called between trials and after each epoch's validation: a page fault per page on the next step, once.
    /// </summary>
    public static void Trim()
    {
        if (!_keepsBlocks) return;
        try { MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    /// <summary>What is in force, in words, for `doctor` and the lock: "heap (mmap off)", "system", or why not.</summary>
    public static string Describe() => _state;
    private static string _state = "system (not configured)";
    /// <summary>Whether mallopt turned mmap off: only then is there a heap to trim.</summary>
    private static bool _keepsBlocks;

    /// <summary>Once per process, before libtorch allocates much. Safe to call again.</summary>
    public static void Configure()
    {
        if (!OperatingSystem.IsLinux() || _state != "system (not configured)") return;
        if (Environment.GetEnvironmentVariable("NASONNX_MALLOC") == "system")
        {
            _state = "system (NASONNX_MALLOC=system)";
            return;
        }
        try
        {
            bool mmapOff = Mallopt(M_MMAP_MAX, 0) == 1;
            bool trimRaised = Mallopt(M_TRIM_THRESHOLD, TrimThreshold) == 1;
            _keepsBlocks = mmapOff && trimRaised;
            _state = _keepsBlocks ? "heap: large blocks kept for reuse (glibc mmap off, trim threshold 1 GiB)" : "system (mallopt refused)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _state = "system (no glibc mallopt)";
        }
    }
}
