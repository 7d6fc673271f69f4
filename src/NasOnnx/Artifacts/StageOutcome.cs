namespace NasOnnx.Artifacts;

/// <summary>What the runner did with a stage: ran it, skipped it (unchanged), or did not get to check it.</summary>
public enum StageOutcome { Ran, Skipped, NotChecked }
