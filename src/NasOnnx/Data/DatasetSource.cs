namespace NasOnnx.Data;

/// <summary>Which kind of place a dataset was found in.</summary>
public enum DatasetSource
{
    /// <summary>Not found anywhere.</summary>
    None,
    /// <summary>The path given in the pipeline file.</summary>
    Explicit,
    /// <summary>&lt;repoRoot&gt;/data/&lt;name&gt;/.</summary>
    Repository,
    /// <summary>A system folder such as Debian's /usr/share/datasets/fashion-mnist.</summary>
    System,
    /// <summary>Downloaded just now into &lt;repoRoot&gt;/data/&lt;name&gt;/.</summary>
    Downloaded,
}
