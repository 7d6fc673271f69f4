using System.Runtime.InteropServices;
using NasOnnx.Core;

namespace NasOnnx.Runtime;

/// <summary>
/// Makes TorchSharp's native library loadable and configures libtorch once per process.
///
/// Why: TorchSharp 0.107.0's libLibTorchSharp.so was built with GCC 13 headers and so asks the loader
/// for GLIBCXX_3.4.32, but only for <c>std::ios_base_library_init</c>, a symbol those headers reference
/// and no code calls. GCC 12's libstdc++ (Debian 12, Ubuntu 22.04) stops at GLIBCXX_3.4.30, so loading
/// fails. Marking that one version need weak (VER_FLG_WEAK) in our own build output's copy of the
/// library is enough for glibc to load it. Nothing in the NuGet cache or system folders is touched,
/// and where the system libstdc++ has the version the file is left alone.
/// </summary>
public static class TorchRuntime
{
    /// <summary>Versions we know are safe to weaken: needed only by a symbol no code calls.</summary>
    private static readonly string[] WeakenableVersions = ["GLIBCXX_3.4.32"];

    private static readonly object Gate = new();
    private static bool _initialized;

    /// <summary>What the native-library check did, for `nasonnx doctor`.</summary>
    public static string NativeLibraryStatus { get; private set; } = "not checked";

    /// <summary>Threads libtorch uses for intra-op parallelism (fixed so runs are reproducible).</summary>
    public static int Threads { get; private set; }

    /// <summary>
    /// Prepares and loads libtorch. Threads: the intra-op thread count; 0 means NASONNX_THREADS or all cores.
    /// Throws <see cref="NasOnnxException"/> with the cause and the fix when libtorch cannot be loaded.
    /// </summary>
    public static void Initialize(int threads = 0)
    {
        lock (Gate)
        {
            if (!_initialized)
            {
                if (OperatingSystem.IsLinux()) PrepareNativeLibrary();
                NativeAllocator.Configure();
                try
                {
                    torch.InitializeDeviceType(DeviceType.CPU);
                }
                catch (Exception e) when (e is DllNotFoundException or NotSupportedException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
                {
                    throw new NasOnnxException(
                        $"TorchSharp's native library could not be loaded: {Innermost(e).Message}",
                        "On Linux TorchSharp 0.107.0 needs libstdc++ from GCC 13 (GLIBCXX_3.4.32) unless NasOnnx can mark that need weak " +
                        "in its build output. Check that the folder with libLibTorchSharp.so is writable once (or rebuild), " +
                        "or install a newer libstdc++6 (Debian 13, Ubuntu 24.04). `nasonnx doctor` shows what was found. " +
                        $"Native library check: {NativeLibraryStatus}");
                }
                _initialized = true;
                // NNPACK only serves some no-grad convolutions (our inference runs in ONNX Runtime); where the CPU
                // lacks it, every attempt logs "Could not initialize NNPACK!" (hundreds of lines a run).
                LibTorchSwitches.DisableNnpack();
            }
            int wanted = threads > 0 ? threads : DefaultThreads();
            if (Threads != wanted)
            {
                torch.set_num_threads(wanted);
                Threads = wanted;
            }
            // Checked before anything trains, once per machine (cached); see NumericsSelfCheck for why.
            NumericsSelfCheck.Apply();
        }
    }

    public static int DefaultThreads()
    {
        var env = Environment.GetEnvironmentVariable("NASONNX_THREADS");
        return int.TryParse(env, out var n) && n > 0 ? n : Environment.ProcessorCount;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    private static void PrepareNativeLibrary()
    {
        string? lib = FindTorchSharpNative();
        if (lib is null)
        {
            NativeLibraryStatus = "libLibTorchSharp.so not found next to the application; left to TorchSharp's own search";
            return;
        }
        string? stdcxx = FindLoadedLibrary("libstdc++.so.6");
        if (stdcxx is null)
        {
            NativeLibraryStatus = $"{lib}: system libstdc++.so.6 not found; not patched";
            return;
        }
        var provided = ElfVersionNeeds.Definitions(File.ReadAllBytes(stdcxx));
        byte[] image = File.ReadAllBytes(lib);
        var plan = PlanPatch(ElfVersionNeeds.Read(image), provided);
        switch (plan.Action)
        {
            case PatchAction.None:
                NativeLibraryStatus = $"{stdcxx} provides every version {Path.GetFileName(lib)} needs; nothing to do";
                return;
            case PatchAction.AlreadyWeak:
                NativeLibraryStatus = $"{lib}: {string.Join(", ", plan.Versions)} already marked weak";
                return;
            case PatchAction.Impossible:
                NativeLibraryStatus = $"{stdcxx} lacks {string.Join(", ", plan.Versions)}, which {lib} really uses";
                return; // loading fails next, with the message that names this status
        }
        var missing = plan.Versions;
        ElfVersionNeeds.MarkWeak(image, WeakenableVersions);
        // Atomic replace: a concurrent process either maps the old file or the new one, never half of one.
        string temp = $"{lib}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllBytes(temp, image);
            File.Move(temp, lib, overwrite: true);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException || AtomicWrite.IsFileTooLarge(e))
        {
            try { File.Delete(temp); } catch (IOException) { }
            NativeLibraryStatus = $"{lib} needs {string.Join(", ", missing)} marked weak but the file is not writable ({e.Message})";
            return;
        }
        NativeLibraryStatus = $"{lib}: marked {string.Join(", ", missing)} weak ({stdcxx} lacks it)";
    }

    public enum PatchAction { None, MarkWeak, AlreadyWeak, Impossible }

    public sealed record PatchPlan(PatchAction Action, IReadOnlyList<string> Versions);

    /// <summary>
    /// Decides what to do given the library's version needs and the versions the system libstdc++ defines:
    /// nothing when every need is met; mark weak when only known-safe versions are missing; refuse otherwise.
    /// </summary>
    public static PatchPlan PlanPatch(IReadOnlyList<ElfVersionNeeds.Requirement> needs, IReadOnlySet<string> provided)
    {
        var missing = needs.Where(r => r.File == "libstdc++.so.6" && !provided.Contains(r.Version)).ToList();
        if (missing.Count == 0) return new PatchPlan(PatchAction.None, []);
        var unsafeMissing = missing.Where(r => !WeakenableVersions.Contains(r.Version) && !r.IsWeak).Select(r => r.Version).ToList();
        if (unsafeMissing.Count > 0) return new PatchPlan(PatchAction.Impossible, unsafeMissing);
        var versions = missing.Select(r => r.Version).ToList();
        return missing.All(r => r.IsWeak) ? new PatchPlan(PatchAction.AlreadyWeak, versions) : new PatchPlan(PatchAction.MarkWeak, versions);
    }

    private static string? FindTorchSharpNative()
    {
        string arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "runtimes", arch, "native", "libLibTorchSharp.so"),
            Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Loads a library by soname and returns the file the loader picked, read from /proc/self/maps.</summary>
    private static string? FindLoadedLibrary(string soname)
    {
        if (!NativeLibrary.TryLoad(soname, out _)) return null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash < 0) continue;
                string path = line[slash..].Trim();
                if (Path.GetFileName(path).StartsWith(soname, StringComparison.Ordinal) && File.Exists(path)) return path;
            }
        }
        catch (IOException) { }
        return null;
    }
}
