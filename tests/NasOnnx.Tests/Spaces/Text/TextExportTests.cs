using NasOnnx.Architectures;
using NasOnnx.Data;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Text;
using NasOnnx.Tests.Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NasOnnx.Tests.Spaces.Text;

/// <summary>
/// The export proof of the text space: random tiny architectures, TorchSharp (eval) against ONNX Runtime on random ids with
/// random padding at the end of rows and ids past the vocabulary, at several sequence lengths; padding invariance and
/// &lt;unk&gt; handling inside the ONNX graph.
/// </summary>
public class TextExportTests(ITestOutputHelper output)
{
    [Fact]
    public void Fifty_random_architectures_match_onnx_runtime_at_several_lengths()
    {
        OnnxTestKit.Init();
        double worstAbs = 0, worstRel = 0;
        var ids = new HashSet<string>();
        var ops = new HashSet<string>();
        for (int i = 0; i < 50; i++)
        {
            var space = TextKit.Tiny(i);
            var arch = (TextArchitecture)space.Sample(new Random(2000 + i));
            ids.Add(arch.ArchId);
            foreach (var l in arch.Layers) ops.Add(l.Op);
            using var net = NetworkFactory.BuildRandom(arch, seed: i);
            byte[] bytes = TextKit.Bytes(net);
            OnnxTestKit.Keep($"rand_text_{arch.ArchId}", bytes);
            // inspect counts the trainable parameters TorchSharp has (embedding, GRU biases and LayerNorms included).
            Assert.Equal(net.ParameterCount(), OnnxInspector.Inspect(global::Onnx.ModelProto.Parser.ParseFrom(bytes)).TrainedParameters);
            var r = OnnxVerifier.CompareTokens(net, (ITokenNetwork)net, bytes, seed: i, threads: 1, batchSizes: [1, 3], lengths: [1, 7, 33]);
            OnnxTestKit.Record($"text {arch.Describe()}", r);
            Assert.True(r.MaxAbsDiff <= OnnxTestKit.Tolerance, $"{arch.Describe()}: max abs diff {r.MaxAbsDiff:G3} (rel {r.MaxRelDiff:G3}, max |out| {r.MaxAbsOutput:G3})");
            worstAbs = Math.Max(worstAbs, r.MaxAbsDiff);
            worstRel = Math.Max(worstRel, r.MaxRelDiff);
        }
        output.WriteLine($"text: 50 architectures ({ids.Count} distinct), worst abs {worstAbs:G3}, worst rel {worstRel:G3}");
        Assert.True(ids.Count >= 45, $"only {ids.Count} distinct architectures of 50");
        Assert.Equal(TextSpace.OpNames.Order(), ops.Order());
    }

    /// <summary>Every op alone (one layer, a skip from the embedding) at each pooling: each op's parity on its own.</summary>
    [Fact]
    public void Every_op_and_pooling_matches_onnx_runtime_alone()
    {
        OnnxTestKit.Init();
        var options = SpaceOptions.Text(30, 9, 3, 8, 2);
        var space = new TextSpace(options);
        foreach (var op in TextSpace.OpNames)
            foreach (var pooling in TextPoolings.All)
            {
                var arch = new TextArchitecture(options.Input, 3, space.Config, pooling, [new TextLayer(op, 0, [0]), new TextLayer(op, 1, [])]);
                using var net = NetworkFactory.BuildRandom(arch, seed: 5);
                var r = OnnxVerifier.CompareTokens(net, (ITokenNetwork)net, TextKit.Bytes(net), seed: 3, threads: 1, batchSizes: [1, 4], lengths: [1, 2, 9, 20]);
                Assert.True(r.MaxAbsDiff <= OnnxTestKit.Tolerance, $"{op} {pooling}: max abs diff {r.MaxAbsDiff:G3}");
            }
    }

    [Fact]
    public void Onnx_output_does_not_change_with_extra_padding_and_reads_unknown_ids_as_unk()
    {
        OnnxTestKit.Init();
        for (int i = 0; i < 12; i++)
        {
            var space = TextKit.Tiny(i);
            var arch = (TextArchitecture)space.Sample(new Random(300 + i));
            using var net = NetworkFactory.BuildRandom(arch, seed: i);
            using var session = TextKit.Session(TextKit.Bytes(net));
            int vocabulary = arch.Config.Vocabulary;
            var rng = new Random(i);
            // 3 rows of 1..6 real tokens, padded to 6, then to 6 + 11
            int[] real = [6, 1 + rng.Next(6), 1 + rng.Next(6)];
            long[] Rows(int length, Func<int, int, long> token)
            {
                var ids = new long[3 * length];
                for (int r = 0; r < 3; r++)
                    for (int t = 0; t < real[r]; t++) ids[r * length + t] = token(r, t);
                return ids;
            }
            var words = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 6).Select(_ => (long)rng.Next(1, vocabulary + 40)).ToArray()).ToArray();
            float[] shortPad = TextKit.Run(session, Rows(6, (r, t) => words[r][t]), 3);
            float[] longPad = TextKit.Run(session, Rows(17, (r, t) => words[r][t]), 3);
            float[] unk = TextKit.Run(session, Rows(6, (r, t) => words[r][t] >= vocabulary ? TokenIds.Unknown : words[r][t]), 3);
            for (int k = 0; k < shortPad.Length; k++)
            {
                Assert.True(Math.Abs(shortPad[k] - longPad[k]) <= 1e-5, $"{arch.Describe()}: output {k} moves by {Math.Abs(shortPad[k] - longPad[k]):G3} with extra padding");
                Assert.Equal(unk[k], shortPad[k]);
            }
            // TorchSharp agrees on the padded form, and is padding invariant too
            using (torch.no_grad())
            using (var scope = torch.NewDisposeScope())
            {
                float[] torchShort = net.call(torch.tensor(Rows(6, (r, t) => words[r][t]), [3, 6])).data<float>().ToArray();
                float[] torchLong = net.call(torch.tensor(Rows(17, (r, t) => words[r][t]), [3, 17])).data<float>().ToArray();
                for (int k = 0; k < torchShort.Length; k++)
                {
                    Assert.True(Math.Abs(torchShort[k] - torchLong[k]) <= 1e-5, $"{arch.Describe()}: TorchSharp output {k} moves with extra padding");
                    Assert.True(Math.Abs(torchShort[k] - shortPad[k]) <= OnnxTestKit.Tolerance);
                }
            }
        }
    }

    /// <summary>inspect's MACs of a text model at its reference length, against the count by hand.</summary>
    [Fact]
    public void Inspect_counts_macs_of_convolutions_projections_attention_and_the_gru_at_the_reference_length()
    {
        const int L = 50, W = 8, V = 30;
        string json = $$"""
            {"space": "text", "input": {"channels": 1, "height": 1, "width": {{L}}}, "classes": 3,
             "config": {"vocabulary": {{V}}, "embed": 6, "width": {{W}}, "max_depth": 3, "window": 3, "heads": 2, "bidirectional": true, "dropout": 0.1},
             "pooling": "max_mean",
             "layers": [{"op": "conv_k5", "input": 0, "skips": []}, {"op": "attention", "input": 1, "skips": [0]}, {"op": "gru", "input": 2, "skips": []}]}
            """;
        var arch = SpaceRegistry.Parse(json);
        using var net = NetworkFactory.BuildRandom(arch, seed: 1);
        var info = OnnxInspector.Inspect(global::Onnx.ModelProto.Parser.ParseFrom(TextKit.Bytes(net)));
        long projection = L * 6 * W;                       // embedding 6 -> width 8, per position
        long conv = L * W * W * 5;                         // conv_k5, 8 -> 8
        long attention = 4 * L * W * W + 2 * L * L * W;    // q, k, v, o projections; scores and weighted values
        long gru = L * 2 * 3 * (W / 2) * (W + W / 2);      // 2 directions, hidden 4, input 8
        long classifier = 2 * W * 3;                       // max and mean pooled (16) -> 3 classes
        Assert.Equal(projection + conv + attention + gru + classifier, info.Macs);
        Assert.Empty(info.UnknownShapeOps);
        Assert.Equal(net.ParameterCount(), info.TrainedParameters);
    }

    [Fact]
    public void Export_writes_token_metadata_and_the_architecture_parses_back_from_it()
    {
        OnnxTestKit.Init();
        using var dir = new TempDir();
        var space = TextKit.Tiny(3);
        var arch = space.Sample(new Random(1));
        string path = Path.Combine(dir.Path, "text.onnx");
        var result = ArchitectureExporter.ExportRandom(arch, seed: 1, path, new ExportOptions { Verify = true });
        Assert.True(result.Verification!.MaxAbsDiff <= OnnxTestKit.Tolerance);
        Assert.True(result.Parameters > 0 && result.Macs > 0);
        var info = OnnxInspector.Inspect(path);
        Assert.Equal("tokens", info.Metadata[OnnxExporter.Keys.InputType]);
        Assert.Equal(space.Config.Vocabulary.ToString(System.Globalization.CultureInfo.InvariantCulture), info.Metadata[OnnxExporter.Keys.Vocabulary]);
        Assert.Equal("int64", info.Inputs.Single().ElementType);
        Assert.Equal(arch.ArchId, SpaceRegistry.Parse(info.Metadata[OnnxExporter.Keys.Architecture]).ArchId);
        OnnxTestKit.Keep($"text_export_{arch.ArchId}", File.ReadAllBytes(path));
    }
}
