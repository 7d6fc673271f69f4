namespace NasOnnx.Data;

/// <summary>
/// Labelled texts split into train and test, before tokenization: what prepare-data reads from IMDB or a user's text
/// tables, and hands to <see cref="TextPreparer"/>.
/// </summary>
public sealed record TextCorpus
{
    public required string Name { get; init; }
    /// <summary>Where the texts came from, in words (e.g. "npm", "path", "repository", "file").</summary>
    public required string Source { get; init; }
    /// <summary>The file the texts were read from (the training file of a text table).</summary>
    public required string SourcePath { get; init; }
    /// <summary>How train and test were separated: <see cref="OfficialSplit"/>, <see cref="SeededSplit"/> or <see cref="GivenSplit"/>.</summary>
    public required string Split { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public required IReadOnlyList<string> TrainTexts { get; init; }
    public required byte[] TrainLabels { get; init; }
    public required IReadOnlyList<string> TestTexts { get; init; }
    public required byte[] TestLabels { get; init; }
    /// <summary>The source files with their SHA-256.</summary>
    public required IReadOnlyDictionary<string, string> SourceHashes { get; init; }
    /// <summary>Whether the source matched a published checksum (IMDB); null when there is none to match.</summary>
    public bool? Verified { get; init; }

    /// <summary>The dataset's own train/test split, verified to be it.</summary>
    public const string OfficialSplit = "official";
    /// <summary>A seeded draw of test_fraction of each class.</summary>
    public const string SeededSplit = "seeded-stratified";
    /// <summary>Separate train and test files given by the user.</summary>
    public const string GivenSplit = "given";

    /// <summary>Labels are bytes: at most this many classes.</summary>
    public const int MaxClasses = 256;

    /// <summary>
    /// A corpus from a user's text tables: <paramref name="train"/> rows and either <paramref name="test"/> rows or, when
    /// null, a seeded stratified <paramref name="testFraction"/> of each class drawn from the training rows. Class names
    /// are the training labels sorted ordinally; a test label that no training row has, a single class or more than
    /// <see cref="MaxClasses"/> stop with a message naming the file and line.
    /// </summary>
    public static TextCorpus FromTables(string name, IReadOnlyList<TextExample> train, IReadOnlyList<TextExample>? test, double testFraction, long seed,
        IReadOnlyDictionary<string, string> sourceHashes)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new ArgumentException("no training rows", nameof(train));
        string trainFile = train[0].File;
        var classNames = train.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (classNames.Count < 2)
            throw new NasOnnxException($"the text table {trainFile} has a single label, \"{classNames[0]}\": a classifier needs at least two classes",
                "add rows of the other classes, or check `label_column:` names the right column") { FilePath = trainFile };
        if (classNames.Count > MaxClasses)
            throw new NasOnnxException($"the text table {trainFile} has {classNames.Count} different labels; at most {MaxClasses} are supported",
                "check `label_column:` names the label column (not an id or the text)") { FilePath = trainFile };
        var ids = classNames.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (byte)p.i, StringComparer.Ordinal);
        byte[] Labels(IReadOnlyList<TextExample> rows) => rows.Select(r => ids.TryGetValue(r.Label, out byte id) ? id : throw new NasOnnxException(
            $"the test table {r.File} line {r.Line} has the label \"{r.Label}\", which no training row has (training labels: {string.Join(", ", classNames.Take(20))}{(classNames.Count > 20 ? ", ..." : "")})",
            "fix the label, or add training rows with it") { FilePath = r.File }).ToArray();

        byte[] trainLabels = Labels(train);
        if (test is not null)
        {
            if (test.Count == 0) throw new ArgumentException("no test rows", nameof(test));
            return new TextCorpus
            {
                Name = name, Source = "file", SourcePath = trainFile, Split = GivenSplit, ClassNames = classNames,
                TrainTexts = train.Select(r => r.Text).ToList(), TrainLabels = trainLabels,
                TestTexts = test.Select(r => r.Text).ToList(), TestLabels = Labels(test),
                SourceHashes = sourceHashes,
            };
        }
        var (trainIdx, testIdx) = DatasetSplit.TrainValidation(trainLabels, testFraction, seed, stratified: true);
        if (testIdx.Length == 0)
            throw new NasOnnxException($"the text table {trainFile} gives no test rows (test_fraction {testFraction})",
                "set test_fraction above 0 (e.g. 0.2), or give a separate test file with `test_path:`") { FilePath = trainFile };
        if (trainIdx.Length == 0)
            throw new NasOnnxException($"the text table {trainFile} leaves no training rows (test_fraction {testFraction})",
                "lower test_fraction, or add rows") { FilePath = trainFile };
        return new TextCorpus
        {
            Name = name, Source = "file", SourcePath = trainFile, Split = SeededSplit, ClassNames = classNames,
            TrainTexts = trainIdx.Select(i => train[i].Text).ToList(), TrainLabels = trainIdx.Select(i => trainLabels[i]).ToArray(),
            TestTexts = testIdx.Select(i => train[i].Text).ToList(), TestLabels = testIdx.Select(i => trainLabels[i]).ToArray(),
            SourceHashes = sourceHashes,
        };
    }
}
