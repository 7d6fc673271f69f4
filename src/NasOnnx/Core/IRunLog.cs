namespace NasOnnx.Core;

/// <summary>Where stages and long loops report: plain lines and progress of counted work.</summary>
public interface IRunLog
{
    void Info(string message);
    void Warn(string message);

    /// <summary>Starts a counted task; dispose it when done.</summary>
    IProgressTask Progress(string label, long total);
}
