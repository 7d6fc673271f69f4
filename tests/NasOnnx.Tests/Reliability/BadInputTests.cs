using System.Text.Json.Nodes;
using Google.Protobuf;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Reporting;
using NasOnnx.Runtime;
using NasOnnx.Spaces;
using NasOnnx.Tests.Data;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Training;
using TorchSharp;
using Xunit.Abstractions;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Reliability;

/// <summary>
/// Hundreds of seeded, damaged inputs fed to the commands that read them, in this process (NasOnnxCli.Run) for
/// speed, and a few through the real `nasonnx` process: pipeline YAML (`run`), architecture JSON of every space
/// (`export --arch`), IDX and CIFAR files (`run` with prepare-data), TorchSharp weights (`export --weights`),
/// training checkpoints (resume), ONNX files (`inspect`, `bench latency`). Every case must end with a non-zero
/// exit code and one clear message naming the file (no stack trace, no "bug" message), leaving the valid files
/// already there untouched; or, where the damage can leave a valid file (a flipped bit in a weight), succeed.
/// Counts per kind and outcome go to the test output and to artifacts/reliability.csv (see <see cref="ReliabilityReport"/>).
/// </summary>
public class BadInputTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private void Finish(IReadOnlyList<BadInputResult> results, int atLeast) => BadInputRun.Finish(output, results, atLeast);

    // ------------------------------------------------------------------ pipeline YAML

    private const string BasePipeline = """
        # the valid pipeline every YAML case starts from
        name: bad
        seed: 11
        description: base of the damaged-YAML cases
        defaults:
          threads: 1
        stages:
          - name: data
            kind: prepare-data
            params:
              path: data/tiny
              validation_fraction: 0.2
          - name: search
            kind: search
            inputs:
              data: data
            params:
              space: macro
              width: 4
              depth: 3
              strategy: evolution
              trials: 4
              population: 2
              sample: 2
              crossover: 0.5
              trial_epochs: 1
              halving_epochs: [1, 2]
              trial_lr: 0.05
          - name: derive
            kind: derive
            inputs:
              search: search
            params:
              rule: auto
          - name: retrain
            kind: retrain
            inputs:
              data: data
              arch: derive
            params:
              epochs: 2
              batch_size: 32
              lr: 0.05
              flip: on
              nesterov: true
          - name: export
            kind: export
            inputs:
              model: retrain
              data: data
            params:
              tolerance: 0.0001
          - name: benchmark
            kind: benchmark
            inputs:
              model: export
            params:
              runs: 10
              clock: wall
          - name: report
            kind: report
            params:
              title: bad inputs
        """;

    private static Mutant YamlMutant(Mutator m, string text)
    {
        byte[] bytes = Mutator.Utf8(text);
        switch (m.Rng.Next(10))
        {
            case 0: return new("byte-flip", m.FlipBits(bytes, m.Rng.Next(1, 4)), false);
            case 1: return new("truncate", m.Truncate(bytes, 0, bytes.Length - 20), false);
            case 2: return new("delete-line", Mutator.Utf8(m.DeleteLine(text)), false);
            case 3: return new("wrong-type", Mutator.Utf8(m.WrongType(text)!), true);
            case 4: return new("unknown-key", Mutator.Utf8(m.UnknownKey(text)), true);
            case 5: return new("reindent", Mutator.Utf8(m.Reindent(text)), false);
            case 6: return new("duplicate-line", Mutator.Utf8(m.DuplicateLine(text)), false);
            case 7: return new("swap-lines", Mutator.Utf8(m.SwapLines(text)), false);
            case 8: return new("random-bytes", m.RandomBytes(1, 400), true);
            default: return new("empty", [], true);
        }
    }

    [Fact]
    public void Damaged_pipeline_files_are_refused_with_the_file_and_line()
    {
        // A valid run folder that must survive every case, and a --runs-dir that is a file: a pipeline the
        // parser accepts stops at "cannot create the run folder" without running anything.
        LearnableData.Write(_dir["data/tiny"], train: 100, test: 30);
        string valid = _dir.Write("pipeline/valid.yaml", BasePipeline);
        _dir.Write("not-a-folder", "a file where the runs folder would be\n");
        var (code, text, _) = BadInputRun.Cli("run", valid, "--runs-dir", _dir["not-a-folder"]);
        Assert.True(code == 1 && text.Contains("cannot create the run folder"), text);
        string guardedLock = _dir.Write("runs/bad/pipeline.lock", "{\"format\": 1, \"pipeline\": \"bad\", \"stages\": {}}");

        var m = new Mutator(seed: 701);
        var results = new List<BadInputResult>();
        for (int i = 0; i < 170; i++)
        {
            var mutant = YamlMutant(m, BasePipeline);
            string file = _dir[$"pipeline/case-{i:000}.yaml"];
            File.WriteAllBytes(file, mutant.Bytes);
            results.Add(BadInputRun.Classify("pipeline-yaml", "run", mutant, i, file, [guardedLock, valid],
                () => BadInputRun.Cli("run", file, "--runs-dir", _dir["not-a-folder"]), acceptedMarker: "cannot create the run folder"));
        }
        Finish(results, 150);
    }

    // ------------------------------------------------------------------ architecture JSON

    private static Mutant JsonMutant(Mutator m, string json)
    {
        byte[] bytes = Mutator.Utf8(json);
        var root = JsonNode.Parse(json)!;
        switch (m.Rng.Next(8))
        {
            case 0: return new("delete-field", Mutator.Utf8(m.DeleteField(root).ToJsonString()), false);
            case 1: return new("wrong-name", Mutator.Utf8(m.WrongName(root)!.ToJsonString()), true);
            case 2: return new("wrong-count", Mutator.Utf8((m.WrongCount(root) ?? m.DeleteField(root)).ToJsonString()), false);
            case 3:
            case 4: return new("wrong-type", Mutator.Utf8(m.WrongType(root).ToJsonString()), false);
            case 5: return new("byte-flip", m.FlipBits(bytes, m.Rng.Next(1, 4)), false);
            case 6: return new("truncate", m.Truncate(bytes, 0, bytes.Length - 3), true);
            default: return new("random-bytes", m.RandomBytes(1, 300), true);
        }
    }

    [Fact]
    public void Damaged_architecture_files_of_every_space_are_refused_by_export()
    {
        TorchRuntime.Initialize(1);
        var m = new Mutator(seed: 702);
        var results = new List<BadInputResult>();
        int i = 0;
        foreach (string space in SpaceRegistry.Names)
        {
            var options = SpaceRegistry.Get(space).DefaultOptions.IsText
                ? SpaceOptions.Text(vocabulary: 40, length: 16, classes: 10, width: 4, depth: 2)
                : new SpaceOptions(Channels: 1, Resolution: 16, Classes: 10, Width: 4, Depth: 2);
            var arch = SpaceRegistry.Create(space, options).Sample(new Random(3));
            string json = arch.ToJson();
            string validArch = _dir.Write($"{space}/valid.json", json);
            string guarded = _dir[$"{space}/model.onnx"];
            var (code, text, _) = BadInputRun.Cli("export", "--arch", validArch, "--random-weights", "--out", guarded);
            Assert.True(code == 0, text);
            byte[] validModel = File.ReadAllBytes(guarded);
            for (int k = 0; k < 36; k++, i++)
            {
                var mutant = JsonMutant(m, json);
                string file = _dir[$"{space}/case-{i:000}.json"];
                File.WriteAllBytes(file, mutant.Bytes);
                // No ONNX Runtime check of the architectures that stay valid: SpaceExportTests checks 50 per space.
                var result = BadInputRun.Classify($"arch-json-{space}", "export --arch", mutant, i, file, [guarded],
                    () => BadInputRun.Cli("export", "--arch", file, "--random-weights", "--no-verify", "--out", guarded));
                results.Add(result);
                if (result.Outcome == BadInputOutcome.Accepted) File.WriteAllBytes(guarded, validModel);
            }
        }
        Finish(results, 140);
    }

    // ------------------------------------------------------------------ IDX and CIFAR through prepare-data

    private const string DataPipeline = """
        name: NAME
        seed: 1
        defaults: { threads: 1 }
        stages:
          - name: data
            kind: prepare-data
            params: { dataset: DATASET, path: data/DATASET, validation_fraction: 0.2 }
        """;

    /// <summary>A project whose prepare-data stage has completed once; returns the pipeline file and the files to guard.</summary>
    private (string Pipeline, string[] Guarded) DataProject(string dataset)
    {
        string file = _dir.Write($"pipeline/{dataset}.yaml", DataPipeline.Replace("DATASET", dataset).Replace("NAME", dataset));
        var (code, text, _) = BadInputRun.Cli("run", file);
        Assert.True(code == 0, text);
        string run = _dir[$"runs/{dataset}"];
        return (file, [Path.Combine(run, "pipeline.lock"), .. Directory.GetFiles(Path.Combine(run, "data"))]);
    }

    private static Mutant IdxMutant(Mutator m, byte[] raw, bool labels, bool gzip)
    {
        byte[] G(byte[] b) => gzip ? TestData.Gzip(b) : b;
        int header = labels ? 8 : 16;
        switch (m.Rng.Next(11))
        {
            case 0: return new("magic", G(m.FlipBits(raw, 1, 0, 4)), true);
            case 1:
            {
                var b = (byte[])raw.Clone();
                int count = (b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7];
                int wrong = m.Pick(new[] { count + 1, count - 1, 0, count * 2, int.MaxValue, -5 });
                TestData.BigEndian(wrong).CopyTo(b, 4);
                return new("count", G(b), true);
            }
            case 2:
                if (labels) goto case 3;
                {
                    var b = (byte[])raw.Clone();
                    TestData.BigEndian(m.Pick(new[] { 27, 29, 0, 1, 65536 })).CopyTo(b, m.Pick(new[] { 8, 12 }));
                    return new("image-size", G(b), true);
                }
            case 3: return new("truncate-body", G(m.Truncate(raw, header + 1, raw.Length - 1)), true);
            case 4: return new("truncate-header", G(m.Truncate(raw, 0, header)), true);
            case 5:
                if (!labels) goto case 6;
                {
                    var b = (byte[])raw.Clone();
                    b[m.Rng.Next(header, b.Length)] = (byte)m.Rng.Next(10, 256);
                    return new("label-range", G(b), true);
                }
            case 6: return new("body-flip", G(m.FlipBits(raw, 3, header)), false);
            case 7: return new("extra-bytes", G([.. raw, .. m.RandomBytes(1, 50)]), true);
            case 8: return new("random-bytes", m.RandomBytes(0, 200), true);
            case 9:
                if (!gzip) goto case 8;
                return new("gzip-flip", m.FlipBits(TestData.Gzip(raw), 2, 10), false);
            default:
                if (!gzip) goto case 7;
                { var z = TestData.Gzip(raw); return new("gzip-truncate", m.Truncate(z, 0, z.Length - 1), true); }
        }
    }

    [Fact]
    public void Damaged_idx_files_are_refused_by_prepare_data_naming_the_file()
    {
        var m = new Mutator(seed: 703);
        var results = new List<BadInputResult>();
        // Plain IDX in one project (mnist), gzipped in another (fashion-mnist): each is read in its own form.
        var projects = new[] { ("mnist", false), ("fashion-mnist", true) };
        int i = 0;
        foreach (var (dataset, gzip) in projects)
        {
            string folder = _dir[$"data/{dataset}"];
            TestData.WriteFashionFiles(folder, train: 60, test: 20, gzip: gzip);
            var (pipeline, guarded) = DataProject(dataset);
            var files = Directory.GetFiles(folder).Order().ToArray();
            for (int k = 0; k < 40; k++, i++)
            {
                string target = m.Pick(files);
                byte[] original = File.ReadAllBytes(target);
                byte[] raw = gzip ? Gunzip(original) : original;
                var mutant = IdxMutant(m, raw, labels: target.Contains("labels"), gzip);
                File.WriteAllBytes(target, mutant.Bytes);
                var result = BadInputRun.Classify($"idx{(gzip ? "-gz" : "")}", "run (prepare-data)", mutant, i, target, guarded,
                    () => BadInputRun.Cli("run", pipeline));
                results.Add(result);
                File.WriteAllBytes(target, original);
                if (result.Outcome == BadInputOutcome.Accepted) BadInputRun.Cli("run", pipeline); // back to the guarded state
            }
        }
        Finish(results, 80);
    }

    private static byte[] Gunzip(byte[] gz)
    {
        using var input = new System.IO.Compression.GZipStream(new MemoryStream(gz), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static Mutant CifarMutant(Mutator m, byte[] raw)
    {
        const int record = 3073;
        switch (m.Rng.Next(7))
        {
            case 0: return new("truncate", m.Truncate(raw, 1, raw.Length - 1), false); // a cut on a record boundary is a valid, shorter file
            case 1: return new("extra-bytes", [.. raw, .. m.RandomBytes(1, 100)], false);
            case 2:
            {
                var b = (byte[])raw.Clone();
                b[m.Rng.Next(raw.Length / record) * record] = (byte)m.Rng.Next(10, 256);
                return new("label-range", b, true);
            }
            case 3: return new("gzipped", TestData.Gzip(raw), true);
            case 4: return new("empty", [], true);
            case 5: return new("pixel-flip", m.FlipBits(raw, 5), false);
            default: return new("random-bytes", m.RandomBytes(0, 500), true);
        }
    }

    [Fact]
    public void Damaged_cifar_batches_are_refused_by_prepare_data_naming_the_file()
    {
        var m = new Mutator(seed: 704);
        string folder = _dir["data/cifar10"];
        Directory.CreateDirectory(folder);
        foreach (var f in NasOnnx.Data.DatasetCatalog.Cifar10.AllFiles) File.WriteAllBytes(Path.Combine(folder, f), TestData.Cifar(12, false, firstLabel: f.Length));
        var (pipeline, guarded) = DataProject("cifar10");
        var files = Directory.GetFiles(folder).Order().ToArray();
        var results = new List<BadInputResult>();
        for (int i = 0; i < 40; i++)
        {
            string target = m.Pick(files);
            byte[] original = File.ReadAllBytes(target);
            var mutant = CifarMutant(m, original);
            if (mutant.Mutation == "truncate" && mutant.Bytes.Length % 3073 != 0) mutant = mutant with { MustFail = true };
            if (mutant.Mutation == "extra-bytes" && mutant.Bytes.Length % 3073 != 0) mutant = mutant with { MustFail = true };
            File.WriteAllBytes(target, mutant.Bytes);
            var result = BadInputRun.Classify("cifar10", "run (prepare-data)", mutant, i, target, guarded, () => BadInputRun.Cli("run", pipeline));
            results.Add(result);
            File.WriteAllBytes(target, original);
            if (result.Outcome == BadInputOutcome.Accepted) BadInputRun.Cli("run", pipeline);
        }
        Finish(results, 40);
    }

    // ------------------------------------------------------------------ weights, checkpoints

    [Fact]
    public void Damaged_weights_files_are_refused_by_export()
    {
        TorchRuntime.Initialize(1);
        var space = SpaceRegistry.Create("macro", new SpaceOptions(Channels: 1, Resolution: 16, Classes: 10, Width: 4, Depth: 3));
        var arch = space.Sample(new Random(5));
        var other = Enumerable.Range(6, 50).Select(s => space.Sample(new Random(s))).First(a => a.ArchId != arch.ArchId);
        string weights = _dir["w/model.pt"], otherWeights = _dir["w/other.pt"];
        using (var net = NetworkFactory.Build(arch, seed: 1)) NetworkWeights.Save(net, weights);
        using (var net = NetworkFactory.Build(other, seed: 1)) NetworkWeights.Save(net, otherWeights);
        string archFile = NetworkWeights.ArchitecturePathFor(weights);
        string guarded = _dir["w/model.onnx"];
        var (code, text, _) = BadInputRun.Cli("export", "--arch", archFile, "--weights", weights, "--out", guarded);
        Assert.True(code == 0, text);
        byte[] valid = File.ReadAllBytes(weights), validModel = File.ReadAllBytes(guarded);
        int headerEnd = Math.Min(valid.Length, 400); // names, types and shapes come first; the tensor data after

        var m = new Mutator(seed: 705);
        var results = new List<BadInputResult>();
        for (int i = 0; i < 45; i++)
        {
            Mutant mutant = m.Rng.Next(6) switch
            {
                0 => new("truncate", m.Truncate(valid, 0, valid.Length - 1), true),
                1 => new("header-flip", m.FlipBits(valid, m.Rng.Next(1, 4), 0, headerEnd), false),
                2 => new("data-flip", m.FlipBits(valid, 4, headerEnd), false),
                3 => new("random-bytes", m.RandomBytes(0, 2000), true),
                4 => new("other-architecture", File.ReadAllBytes(otherWeights), true),
                _ => new("extra-bytes", [.. valid, .. m.RandomBytes(1, 64)], true),
            };
            string file = _dir[$"w/case-{i:000}.pt"];
            File.WriteAllBytes(file, mutant.Bytes);
            var result = BadInputRun.Classify("weights-pt", "export --weights", mutant, i, file, [guarded, weights],
                () => BadInputRun.Cli("export", "--arch", archFile, "--weights", file, "--out", guarded));
            results.Add(result);
            if (result.Outcome == BadInputOutcome.Accepted) File.WriteAllBytes(guarded, validModel);
        }
        Finish(results, 45);
    }

    [Fact]
    public void Damaged_checkpoints_are_refused_named_and_set_aside_and_training_starts_over()
    {
        TorchRuntime.Initialize(1);
        torch.manual_seed(1);
        using var model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 10));
        var optimizer = torch.optim.SGD(model.parameters(), 0.1, momentum: 0.9);
        string folder = _dir["ckpt"];
        var options = new CheckpointOptions { Directory = folder, Key = "k" };
        var log = new CollectingLog();
        string valid = new CheckpointStore(options, log).Save(new CheckpointHeader { Key = "", Network = NetworkFingerprint.Of(model), Epoch = 1, Batch = 0, Step = 5 }, model, [optimizer]);
        byte[] bytes = File.ReadAllBytes(valid);
        File.Delete(valid);

        var m = new Mutator(seed: 706);
        var results = new List<BadInputResult>();
        for (int i = 0; i < 40; i++)
        {
            Mutant mutant = m.Rng.Next(5) switch
            {
                0 => new("truncate", m.Truncate(bytes, 0, bytes.Length - 1), true),
                1 => new("header-flip", m.FlipBits(bytes, m.Rng.Next(1, 4), 0, Math.Min(200, bytes.Length)), true),
                2 => new("body-flip", m.FlipBits(bytes, m.Rng.Next(1, 4), 200), true),
                3 => new("random-bytes", m.RandomBytes(0, 3000), true),
                _ => new("empty", [], true),
            };
            foreach (var f in Directory.GetFiles(folder)) File.Delete(f);
            string file = Path.Combine(folder, $"ckpt-{i + 1:D9}.ckpt");
            File.WriteAllBytes(file, mutant.Bytes);
            var caseLog = new CollectingLog();
            BadInputResult Classified(BadInputOutcome outcome, string message)
            {
                var r = new BadInputResult("checkpoint", "resume (retrain/train)", mutant.Mutation, i, outcome, 0, message);
                ReliabilityReport.Add(r);
                return r;
            }
            try
            {
                var loaded = new CheckpointStore(options, caseLog).LoadLatest(model, [optimizer]);
                string warned = string.Join(" ", caseLog.Lines);
                results.Add(loaded is not null ? Classified(BadInputOutcome.AcceptedInvalid, "loaded")
                    : !warned.Contains(Path.GetFileName(file)) ? Classified(BadInputOutcome.NoFileName, warned)
                    : !File.Exists(file + ".refused") ? Classified(BadInputOutcome.Damaged, "not set aside: " + warned)
                    : Classified(BadInputOutcome.Refused, warned.Length > 300 ? warned[..300] : warned));
            }
            catch (Exception e)
            {
                results.Add(Classified(BadInputOutcome.Crash, e.GetType().Name + ": " + e.Message));
            }
        }
        Finish(results, 40);
    }

    // ------------------------------------------------------------------ ONNX

    private static Mutant OnnxMutant(Mutator m, byte[] valid)
    {
        var model = global::Onnx.ModelProto.Parser.ParseFrom(valid);
        var g = model.Graph;
        Mutant Graph(string what, Action change) { change(); return new(what, model.ToByteArray(), true); }
        switch (m.Rng.Next(13))
        {
            case 0: return new("truncate", m.Truncate(valid, 0, valid.Length - 1), true);
            case 1: return new("byte-flip", m.FlipBits(valid, m.Rng.Next(1, 6)), false);
            case 2: return new("random-bytes", m.RandomBytes(0, 1000), true);
            case 3: return Graph("remove-node", () => g.Node.RemoveAt(m.Rng.Next(g.Node.Count)));
            case 4: return Graph("dangling-input", () => { var n = m.Pick(g.Node.ToList()); n.Input[0] = "no_such_tensor"; });
            case 5: return Graph("unknown-op", () => m.Pick(g.Node.ToList()).OpType = "NoSuchOp");
            case 6: return Graph("initializer-dims", () => { var t = m.Pick(g.Initializer.ToList()); t.Dims[0] += 1; });
            case 7: return Graph("no-outputs", () => g.Output.Clear());
            case 8: return Graph("input-int64", () => g.Input[0].Type.TensorType.ElemType = 7);
            case 9: return Graph("opset-999", () => model.OpsetImport[0].Version = 999);
            case 10: return Graph("ir-version-99", () => model.IrVersion = 99);
            case 11: return Graph("no-nodes", () => g.Node.Clear());
            default: return Graph("rank-1-input", () => { var d = g.Input[0].Type.TensorType.Shape.Dim; while (d.Count > 1) d.RemoveAt(d.Count - 1); });
        }
    }

    [Fact]
    public void Damaged_onnx_files_are_refused_by_inspect_and_bench_latency()
    {
        TorchRuntime.Initialize(1);
        var arch = SpaceRegistry.Create("macro", new SpaceOptions(Channels: 1, Resolution: 16, Classes: 10, Width: 4, Depth: 3)).Sample(new Random(7));
        string validModel = _dir["onnx/valid.onnx"];
        var (code, text, _) = BadInputRun.Cli("export", "--arch", _dir.Write("onnx/arch.json", arch.ToJson()), "--random-weights", "--out", validModel);
        Assert.True(code == 0, text);
        byte[] valid = File.ReadAllBytes(validModel);
        string csv = _dir["onnx/latency.csv"];
        (code, text, _) = BadInputRun.Cli("bench", "latency", validModel, "--runs", "3", "--warmup", "1", "--csv", csv);
        Assert.True(code == 0, text);

        var m = new Mutator(seed: 707);
        var results = new List<BadInputResult>();
        for (int i = 0; i < 110; i++)
        {
            var mutant = OnnxMutant(m, valid);
            string file = _dir[$"onnx/case-{i:000}.onnx"];
            File.WriteAllBytes(file, mutant.Bytes);
            // inspect reads the graph statically: a graph ONNX Runtime would refuse may still be inspectable.
            bool inspect = i % 2 == 0;
            results.Add(inspect
                ? BadInputRun.Classify("onnx", "inspect", mutant with { MustFail = mutant.MustFail && mutant.Mutation is "truncate" or "random-bytes" }, i, file, [validModel],
                    () => BadInputRun.Cli("inspect", file))
                : BadInputRun.Classify("onnx", "bench latency", mutant, i, file, [validModel, csv],
                    () => BadInputRun.Cli("bench", "latency", file, "--runs", "3", "--warmup", "1", "--csv", csv)));
        }
        Finish(results, 100);
    }

    // ------------------------------------------------------------------ image folders through prepare-data

    /// <summary>The IDX project's pipeline, reading an image folder or manifest instead.</summary>
    private static readonly string ImagePipeline =
        DataPipeline.Replace("dataset: DATASET, path: data/DATASET, validation_fraction: 0.2", "path: PATH, resolution: 8, on_bad_image: MODE", StringComparison.Ordinal);

    private string ImageProject(string name, string path, string mode = "fail") =>
        _dir.Write($"pipeline/{name}.yaml", ImagePipeline.Replace("NAME", name).Replace("PATH", path).Replace("MODE", mode));

    /// <summary>One damage to an image folder: what it does, the file or folder the message must name, and how to undo it.</summary>
    private sealed record FolderDamage(string Mutation, string Named, Action Damage, Action Undo);

    [Fact]
    public void Damaged_image_folders_are_refused_by_prepare_data_naming_the_file()
    {
        var m = new Mutator(seed: 709);
        string root = _dir["data/imgs"];
        ImageFiles.WriteClassFolders(Path.Combine(root, "train"), ["cat", "dog"], perClass: 4, seed: 1);
        ImageFiles.WriteClassFolders(Path.Combine(root, "test"), ["cat", "dog"], perClass: 2, seed: 2);
        string manifestFolder = _dir["data/listed"];
        for (int i = 0; i < 6; i++) ImageFiles.Write(Path.Combine(manifestFolder, $"{i}.png"), i % 2, i);
        string manifest = _dir.Write("data/listed/list.csv", "path,label\n" + string.Join("\n", Enumerable.Range(0, 6).Select(i => $"{i}.png,{(i % 2 == 0 ? "a" : "b")}")) + "\n");
        string folderPipeline = ImageProject("imgs", "data/imgs"), manifestPipeline = ImageProject("listed", "data/listed/list.csv");
        var guarded = new Dictionary<string, string[]>();
        foreach (var (pipeline, name) in new[] { (folderPipeline, "imgs"), (manifestPipeline, "listed") })
        {
            var (code, text, _) = BadInputRun.Cli("run", pipeline);
            Assert.True(code == 0, text);
            string run = _dir[$"runs/{name}"];
            guarded[pipeline] = [Path.Combine(run, "pipeline.lock"), .. Directory.GetFiles(Path.Combine(run, "data"))];
        }

        string image = Path.Combine(root, "train", "cat", "02.png"), jpeg = Path.Combine(root, "train", "dog", "01.jpg");
        FolderDamage Replace(string mutation, string file, byte[] bytes)
        {
            byte[] original = File.ReadAllBytes(file);
            return new(mutation, file, () => File.WriteAllBytes(file, bytes), () => File.WriteAllBytes(file, original));
        }
        FolderDamage Create(string mutation, string file, Action write, string? named = null) =>
            new(mutation, named ?? file, write, () => { if (Directory.Exists(file)) Directory.Delete(file, true); else File.Delete(file); });
        var cases = new List<(string Pipeline, FolderDamage Damage)>
        {
            (folderPipeline, Replace("random-bytes", image, m.RandomBytes(10, 400))),
            (folderPipeline, Replace("truncated-png", image, m.Truncate(File.ReadAllBytes(image), 60, File.ReadAllBytes(image).Length - 20))),
            (folderPipeline, Replace("truncated-jpeg", jpeg, File.ReadAllBytes(jpeg)[..(File.ReadAllBytes(jpeg).Length / 2)])),
            (folderPipeline, Replace("flipped-header", image, m.FlipBits(File.ReadAllBytes(image), 8, 0, 16))),
            (folderPipeline, Replace("text-as-image", jpeg, Mutator.Utf8("this is not a picture\n"))),
            (folderPipeline, Replace("empty-file", image, [])),
            (folderPipeline, Create("empty-class-folder", Path.Combine(root, "train", "zebra"), () => Directory.CreateDirectory(Path.Combine(root, "train", "zebra")))),
            (folderPipeline, Create("class-only-in-test", Path.Combine(root, "test", "horse"), () => ImageFiles.Write(Path.Combine(root, "test", "horse", "0.png"), 2, 5))),
            (folderPipeline, Create("duplicate-across-splits", Path.Combine(root, "test", "cat", "copy.png"), () => File.Copy(image, Path.Combine(root, "test", "cat", "copy.png")))),
            (manifestPipeline, Replace("manifest-missing-file", manifest, Mutator.Utf8(File.ReadAllText(manifest) + "gone.png,a\n"))),
            (manifestPipeline, Replace("manifest-no-header", manifest, Mutator.Utf8(string.Join("\n", File.ReadAllLines(manifest).Skip(1))))),
            (manifestPipeline, Replace("manifest-random-bytes", manifest, m.RandomBytes(10, 100))),
        };
        var results = new List<BadInputResult>();
        for (int i = 0; i < cases.Count; i++)
        {
            var (pipeline, damage) = cases[i];
            damage.Damage();
            var mutant = new Mutant(damage.Mutation, File.Exists(damage.Named) ? File.ReadAllBytes(damage.Named) : [], MustFail: true);
            results.Add(BadInputRun.Classify("image-folder", "run (prepare-data)", mutant, i, damage.Named, guarded[pipeline], () => BadInputRun.Cli("run", pipeline)));
            damage.Undo();
        }
        Finish(results, cases.Count);

        // on_bad_image: skip leaves the bad images out, lists them in skipped.csv, and names them in the log.
        File.WriteAllBytes(image, m.RandomBytes(10, 40));
        File.WriteAllText(jpeg, "not a picture");
        var (exit, log, _) = BadInputRun.Cli("run", ImageProject("skipping", "data/imgs", "skip"));
        Assert.True(exit == 0, log);
        Assert.Contains("2 bad images skipped", log);
        var skipped = File.ReadAllLines(_dir["runs/skipping/data/skipped.csv"]);
        Assert.Equal(3, skipped.Length);
        Assert.Contains(skipped, line => line.Contains("02.png", StringComparison.Ordinal));
        Assert.Equal(2, NasOnnx.Data.PreparedDataset.Load(_dir["runs/skipping/data"]).SkippedCount);
    }

    // ------------------------------------------------------------------ the real process

    [Fact]
    public void Damaged_inputs_through_the_real_process_print_one_clear_message()
    {
        var m = new Mutator(seed: 708);
        string yaml = _dir.Write("pipeline/p.yaml", m.UnknownKey(BasePipeline));
        string arch = _dir.Write("a.json", "{\"space\": \"darts\", \"normal\": [");
        string onnx = _dir["m.onnx"];
        File.WriteAllBytes(onnx, m.RandomBytes(50, 60));
        LearnableData.Write(_dir["data/tiny"], train: 50, test: 20);
        File.WriteAllBytes(_dir["data/tiny/train-labels-idx1-ubyte.gz"], TestData.Gzip(TestData.IdxLabels([.. Enumerable.Repeat((byte)3, 49), 200])));
        string data = _dir.Write("pipeline/d.yaml", DataPipeline.Replace("DATASET", "tiny").Replace("NAME", "d").Replace("dataset: tiny, ", ""));

        foreach (var (args, file) in new[]
        {
            (new[] { "run", yaml }, "p.yaml"),
            (["export", "--arch", arch, "--random-weights", "--out", _dir["x.onnx"]], "a.json"),
            (["inspect", onnx], "m.onnx"),
            (["bench", "latency", onnx, "--runs", "2"], "m.onnx"),
            (["run", data], "train-labels-idx1-ubyte.gz"),
        })
        {
            var (code, text) = CliProcess.Run(_dir.Path, args);
            output.WriteLine($"nasonnx {string.Join(' ', args.Select(Path.GetFileName))} -> exit {code}: {text.Trim()}");
            Assert.Equal(NasOnnx.Cli.NasOnnxCli.ExitUserError, code);
            Assert.Contains(file, System.Text.RegularExpressions.Regex.Replace(text, @"\s+", ""));
            Assert.DoesNotContain("Unhandled", text);
            Assert.DoesNotMatch(@"(?m)^\s+at \S+", text);
        }
    }
}
