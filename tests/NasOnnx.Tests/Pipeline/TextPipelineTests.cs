using System.Globalization;
using System.Text;
using NasOnnx.Artifacts;
using NasOnnx.Cli;
using NasOnnx.Data;
using NasOnnx.Onnx;
using NasOnnx.Pipeline;
using NasOnnx.Tests.Cli;
using NasOnnx.Tests.Data;

namespace NasOnnx.Tests.Pipeline;

/// <summary>
/// The text route end to end on a generated review table, the shape of pipeline/imdb-latency.yaml at toy scale:
/// prepare-data (text-table) -> profile-latency (text space) -> latency-constrained evolution on cut sequences
/// (search_max_length) -> derive -> retrain -> evaluate -> export (vocab.json beside the model) -> evaluate the ONNX file
/// with ONNX Runtime -> benchmark -> report; then `nasonnx predict --text/--text-file` with the exported model.
/// </summary>
[Collection(NasOnnx.Tests.Training.TorchCollection.Name)]
public class TextPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private void WriteTable(string relative, IEnumerable<(string Text, string Label)> rows)
    {
        var sb = new StringBuilder("text,label\n");
        foreach (var (text, label) in rows) sb.Append('"').Append(text.Replace("\"", "\"\"")).Append("\",").Append(label).Append('\n');
        _dir.Write(relative, sb.ToString());
    }

    private const string Pipeline = """
        name: t
        seed: 5
        defaults: { threads: 1, latency_target: 5.0 }
        stages:
          - name: data
            kind: prepare-data
            params: { path: data/train.csv, test_path: data/test.csv, format: text-table, validation_fraction: 0.2, validation_split: contiguous, min_count: 1, max_length: 16 }
          - name: profile
            kind: profile-latency
            inputs: { data: data }
            params: { space: text, width: 8, depth: 2, batch: 1, rounds: 2, calibration_models: 3 }
          - name: search
            kind: search
            inputs: { data: data, latency: profile }
            params:
              space: text
              width: 8
              depth: 2
              strategy: evolution
              trials: 4
              population: 2
              sample: 2
              objective: accuracy-latency
              latency_constraint: hard
              latency_source: predicted
              halving_epochs: [1, 2]
              halving_data_percent: [50, 100]
              trial_batch_size: 16
              trial_optimizer: adamw
              trial_lr: 0.01
              search_max_length: 8
          - name: derive
            kind: derive
            inputs: { search: search }
          - name: retrain
            kind: retrain
            inputs: { data: data, arch: derive }
            params: { optimizer: adamw, epochs: 8, batch_size: 16, lr: 0.01, weight_decay: 0.01 }
          - name: evaluate
            kind: evaluate
            inputs: { data: data, model: retrain }
          - name: export
            kind: export
            inputs: { model: retrain, data: data, evaluation: evaluate }
          - name: evaluate-onnx
            kind: evaluate
            inputs: { data: data, model: export }
          - name: benchmark
            kind: benchmark
            inputs: { model: export }
            params: { runs: 20, warmup: 2 }
          - name: report
            kind: report
        """;

    [Fact]
    public void A_review_table_goes_from_search_to_an_onnx_model_that_predicts_texts()
    {
        WriteTable("data/train.csv", TextTableTests.ToyRows(80));
        WriteTable("data/test.csv", TextTableTests.ToyRows(25, seed: 2));
        string file = _dir.Write("pipeline/t.yaml", Pipeline);
        var registry = StageCatalog.CreateRegistry();
        var log = new CollectingLog();
        var result = new PipelineRunner(registry, log).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));
        Assert.Contains(log.Lines, l => l.Contains("first 8 of the 16 tokens", StringComparison.Ordinal));

        // Validation is one run of each class's rows in file order; successive halving promoted candidates to rung 1.
        var prepared = PreparedDataset.Load(_dir["runs/t/data"]);
        Assert.Equal(PreparedDataset.ContiguousSplit, prepared.ValidationSplit);
        var loaded = prepared.LoadData();
        Assert.Equal(DatasetSplit.ContiguousValidation(loaded.TrainImages.Labels, 0.2, prepared.SplitSeed).Validation, loaded.ValidationIndices);
        var rungs = File.ReadAllLines(_dir["runs/t/search/search_log.csv"]).Skip(1).Select(l => l.Split(',')[1]).ToList();
        Assert.Contains("0", rungs);
        Assert.Contains("1", rungs);

        // TorchSharp and ONNX Runtime (int64 ids, padding handled in the graph) agree on the 50 test texts, and they learned.
        var torch = MetricsFile.Read(_dir["runs/t/evaluate"]);
        var onnx = MetricsFile.Read(_dir["runs/t/evaluate-onnx"]);
        Assert.Equal(50, onnx.Images);
        Assert.True(torch.Accuracy >= 0.8, $"test accuracy {torch.Accuracy.ToString(CultureInfo.InvariantCulture)}");
        Assert.True(Math.Abs(torch.Accuracy - onnx.Accuracy) <= 1.0 / onnx.Images, $"TorchSharp {torch.Accuracy} vs ONNX Runtime {onnx.Accuracy}");

        // The vocabulary travels with the model: the same bytes as prepare-data's, its hash in the model and in the lock.
        string vocab = _dir["runs/t/export/vocab.json"];
        Assert.Equal(File.ReadAllBytes(_dir["runs/t/data/vocab.json"]), File.ReadAllBytes(vocab));
        var metadata = OnnxInspector.Inspect(_dir["runs/t/export/model.onnx"]).Metadata;
        Assert.Equal(TextVocabulary.FileSha256(vocab), metadata[OnnxExporter.Keys.VocabularyHash]);
        Assert.Contains($"\"vocab.json\": \"{TextVocabulary.FileSha256(vocab)}\"", File.ReadAllText(_dir["runs/t/pipeline.lock"]));
        Assert.Equal("[\"neg\",\"pos\"]", metadata[OnnxExporter.Keys.Classes]);
        Assert.True(File.Exists(_dir["runs/t/report/report.html"]));

        // predict: clear texts get their class from the model's own vocabulary, one text or a file of lines.
        string model = _dir["runs/t/export/model.onnx"];
        var (code, output) = CliTests.Run("predict", model, "--text", "great wonderful loved superb fun great!", "--json");
        Assert.True(code == 0, output);
        Assert.Contains("\"label\": \"pos\"", output);
        string lines = _dir.Write("reviews.txt", "awful boring hated dull mess awful.\n\ngreat wonderful loved superb fun great!\n");
        (code, output) = CliTests.Run("predict", model, "--text-file", lines, "--json");
        Assert.True(code == 0, output);
        var texts = System.Text.Json.Nodes.JsonNode.Parse(output[output.IndexOf('{')..])!["texts"]!.AsArray();
        Assert.Equal(["neg", "pos"], texts.Select(t => (string)t!["label"]!));
        Assert.Equal(["reviews.txt:1", "reviews.txt:3"], texts.Select(t => (string)t!["source"]!));

        // Another vocabulary is refused by its hash, naming the file and what to use instead.
        string other = _dir.Write("other/vocab.json", File.ReadAllText(vocab).Replace("great", "grand", StringComparison.Ordinal));
        (code, output) = CliTests.Run("predict", model, "--text", "great", "--vocab", other);
        Assert.NotEqual(0, code);
        Assert.Contains("not the vocabulary this model was trained with", output);

        // An image model is told apart from a text one.
        (code, output) = CliTests.Run("predict", model, _dir.Write("x.png", "not an image"));
        Assert.NotEqual(0, code);
        Assert.Contains("takes text", output);

        // Unchanged inputs: every stage is skipped on a second run.
        var again = new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(again.Stages, s => Assert.Equal(StageOutcome.Skipped, s.Outcome));
    }

    [Fact]
    public void Search_max_length_is_refused_for_image_data_before_any_candidate_trains()
    {
        LearnableData.Write(_dir["data/tiny"], train: 60, test: 20);
        string file = _dir.Write("pipeline/i.yaml", """
            name: i
            seed: 1
            defaults: { threads: 1 }
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/tiny }
              - name: search
                kind: search
                inputs: { data: data }
                params: { space: chain, strategy: random, trials: 1, search_max_length: 8 }
            """);
        var registry = StageCatalog.CreateRegistry();
        var e = Assert.Throws<NasOnnxException>(() => new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions()));
        Assert.Contains("search_max_length", e.Message);
        Assert.Contains("images", e.Message);
        Assert.False(File.Exists(_dir["runs/i/search/search.json"]));
    }

    [Fact]
    public void A_truncated_text_dataset_keeps_the_first_tokens_of_every_sequence()
    {
        int[] tokens = [5, 6, 7, 0, 8, 9, 10, 11];
        var data = Dataset.Text("toy", 4, tokens, [0, 1], ["a", "b"]);
        var cut = data.Truncated(2);
        Assert.Equal(2, cut.SequenceLength);
        Assert.Equal([5, 6], cut.Sequence(0).ToArray());
        Assert.Equal([8, 9], cut.Sequence(1).ToArray());
        Assert.Equal(data.Labels, cut.Labels);
        Assert.Same(data, data.Truncated(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Truncated(0));
    }
}
