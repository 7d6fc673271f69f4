namespace NasOnnx.Core;

/// <summary>Where a pipeline's relative paths start.</summary>
public static class ProjectRoot
{
    /// <summary>The folder that relative paths resolve against: the parent of pipeline/ when the file lives there, else the current folder.</summary>
    public static string Of(string pipelineFile)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(pipelineFile))!;
        return Path.GetFileName(dir) == "pipeline" ? Path.GetDirectoryName(dir)! : Directory.GetCurrentDirectory();
    }
}
