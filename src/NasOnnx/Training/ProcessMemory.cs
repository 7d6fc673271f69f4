namespace NasOnnx.Training;

/// <summary>The process's resident memory (native allocations included), from /proc/self/status on Linux.</summary>
public static class ProcessMemory
{
    /// <summary>Current resident set size in MiB (VmRSS).</summary>
    public static double RssMb() => Read("VmRSS:") ?? Environment.WorkingSet / (1024.0 * 1024.0);

    /// <summary>Peak resident set size in MiB (VmHWM).</summary>
    public static double PeakRssMb() => Read("VmHWM:") ?? Environment.WorkingSet / (1024.0 * 1024.0);

    /// <summary>The .NET GC heap after the last collection, fragmentation included, in MiB.</summary>
    public static double ManagedHeapMb() => GC.GetGCMemoryInfo().HeapSizeBytes / (1024.0 * 1024.0);

    private static double? Read(string field)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
                }
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { }
        return null;
    }
}
