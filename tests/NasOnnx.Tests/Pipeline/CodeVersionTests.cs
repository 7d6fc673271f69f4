using System.Reflection;
using System.Reflection.PortableExecutable;
using NasOnnx.Core;
using Xunit;

namespace NasOnnx.Tests.Pipeline;

/// <summary>
/// A run's lock file names the library's code version (the assembly's module version id); a stage whose code version
/// changed re-runs. A deterministic build derives that id from everything in the binary, so the binary must not hold
/// the folder it was built in: otherwise two clones of one commit (another sitting on another machine, or a second
/// checkout on the same one) would disagree and re-run every stage of a run they share.
/// </summary>
public class CodeVersionTests
{
    [Fact]
    public void Library_binary_holds_no_path_of_the_clone_it_was_built_in()
    {
        string assembly = typeof(CodeVersion).Assembly.Location;
        using (var pe = new PEReader(File.OpenRead(assembly)))
        {
            var codeView = pe.ReadDebugDirectory().Where(e => e.Type == DebugDirectoryEntryType.CodeView).ToList();
            Assert.NotEmpty(codeView);
            foreach (var entry in codeView)
            {
                string pdbPath = pe.ReadCodeViewDebugDirectoryData(entry).Path;
                Assert.StartsWith("/_/", pdbPath);
            }
        }

        // Nothing else in the file names the clone either (embedded source paths, for instance).
        string root = ModelZooTests.RepoRoot;
        byte[] bytes = File.ReadAllBytes(assembly);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(root)));
        Assert.Matches("^[0-9a-f]{12}$", CodeVersion.Current);
    }

    [Fact]
    public void Library_binary_holds_no_commit_id()
    {
        // The SDK appends the commit to the informational version ("0.1.0+<sha>"); in the library that would make every
        // commit a new code version. The CLI's own version still names the commit.
        var library = typeof(CodeVersion).Assembly;
        string? version = library.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        Assert.NotNull(version);
        Assert.DoesNotContain("+", version);
    }
}
