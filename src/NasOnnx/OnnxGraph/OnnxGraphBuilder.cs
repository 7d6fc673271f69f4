using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace NasOnnx.OnnxGraph;

/// <summary>
/// A small ONNX graph builder: unique value names, float and int64 initializers, nodes, and helpers for the
/// handful of layers our ops use. Weights are read from the TorchSharp modules themselves; BatchNorm is
/// folded into the preceding convolution when <see cref="FoldBatchNorm"/> is set.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(bool foldBatchNorm = true, string graphName = "nasonnx")
    {
        FoldBatchNorm = foldBatchNorm;
        Graph = new GraphProto { Name = graphName };
    }

    public bool FoldBatchNorm { get; }
    public GraphProto Graph { get; }

    /// <summary>Trainable parameters the graph does not hold because BatchNorm was folded (gamma and beta
    /// minus the bias the convolution gains). Graph parameters + this = the network's trainable parameters.</summary>
    public long FoldedParameterDelta { get; private set; }

    /// <summary>How many BatchNorm layers were folded into convolutions.</summary>
    public int FoldedBatchNorms { get; private set; }

    /// <summary>Reserves a value name that no other value uses: the hint itself, or the hint with a counter.</summary>
    public string Unique(string hint)
    {
        string baseName = string.IsNullOrEmpty(hint) ? "v" : hint;
        if (_names.Add(baseName)) return baseName;
        for (int i = 1; ; i++)
        {
            string name = $"{baseName}_{i}";
            if (_names.Add(name)) return name;
        }
    }

    public void AddInput(string name, int channels, int height, int width) =>
        AddInput(name, TensorProto.Types.DataType.Float, Dim(channels), Dim(height), Dim(width));

    /// <summary>A graph input of any element type; the batch dimension is symbolic, the others as given.</summary>
    public void AddInput(string name, TensorProto.Types.DataType elementType, params TensorShapeProto.Types.Dimension[] dimsAfterBatch)
    {
        _names.Add(name);
        Graph.Input.Add(ValueInfo(name, elementType, dimsAfterBatch));
    }

    public void AddOutput(string name, params long[] dimsAfterBatch)
    {
        Graph.Output.Add(ValueInfo(name, TensorProto.Types.DataType.Float, dimsAfterBatch.Select(Dim).ToArray()));
    }

    /// <summary>A fixed dimension.</summary>
    public static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    /// <summary>A symbolic dimension (any size at run time).</summary>
    public static TensorShapeProto.Types.Dimension Dim(string param) => new() { DimParam = param };

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType elementType, TensorShapeProto.Types.Dimension[] dimsAfterBatch)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(Dim("batch"));
        shape.Dim.AddRange(dimsAfterBatch);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = shape } },
        };
    }

    public string AddInitializer(string hint, float[] data, long[] dims)
    {
        string name = Unique(hint);
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan()));
        Graph.Initializer.Add(t);
        return name;
    }

    public string AddInitializer(string hint, Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return AddInitializer(hint, cpu.data<float>().ToArray(), cpu.shape);
    }

    /// <summary>An int64 constant, shared between nodes that need the same values.</summary>
    public string Int64s(params long[] values)
    {
        string key = "i64:" + string.Join(",", values);
        if (_constants.TryGetValue(key, out var existing)) return existing;
        string name = Unique("const_i64");
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        Graph.Initializer.Add(t);
        _constants[key] = name;
        return name;
    }

    /// <summary>A float scalar constant (rank 0), shared.</summary>
    public string FloatScalar(float value)
    {
        string key = "f32:" + BitConverter.SingleToInt32Bits(value);
        if (_constants.TryGetValue(key, out var existing)) return existing;
        string name = Unique("const_f32");
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.RawData = ByteString.CopyFrom(BitConverter.GetBytes(value));
        Graph.Initializer.Add(t);
        _constants[key] = name;
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string opType, IEnumerable<string> inputs, string hint, params AttributeProto[] attributes)
    {
        string output = Unique(hint);
        var node = new NodeProto { OpType = opType, Name = Unique("node_" + output) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>Renames the value produced by the last node (used to name the graph output).</summary>
    public void RenameLastOutput(string newName)
    {
        var last = Graph.Node[^1];
        _names.Add(newName);
        last.Output[0] = newName;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Str(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    // ---- layers ----

    /// <summary>
    /// A convolution; when <paramref name="bn"/> is given it follows the convolution and is folded into it
    /// (or emitted as a BatchNormalization node when folding is off). <paramref name="bnOffset"/> selects the
    /// BatchNorm channels that belong to this convolution (for a BatchNorm after a Concat of convolutions).
    /// <paramref name="pads"/> overrides symmetric padding: [top, left, bottom, right].
    /// </summary>
    public string Conv(string x, Conv2d conv, ConvSpec spec, string hint, BatchNorm2d? bn = null, long bnOffset = 0, long[]? pads = null)
    {
        var attrs = new[]
        {
            Ints("kernel_shape", spec.Kernel, spec.Kernel),
            Ints("strides", spec.Stride, spec.Stride),
            Ints("pads", pads ?? [spec.Padding, spec.Padding, spec.Padding, spec.Padding]),
            Ints("dilations", spec.Dilation, spec.Dilation),
            Int("group", spec.Groups),
        };
        if (bn is null || !FoldBatchNorm)
        {
            var inputs = new List<string> { x, AddInitializer(hint + ".weight", conv.weight!) };
            if (conv.bias is not null) inputs.Add(AddInitializer(hint + ".bias", conv.bias));
            string y = Node("Conv", inputs, hint, attrs);
            if (bn is not null)
            {
                if (bnOffset != 0 || bn.num_features != spec.Out)
                    throw new InvalidOperationException("An unfolded BatchNorm over several convolutions must be emitted after their Concat.");
                y = BatchNorm(y, bn, hint + ".bn");
            }
            return y;
        }

        // Fold: w' = w * g / sqrt(v + eps); b' = (b - m) * g / sqrt(v + eps) + beta. Computed in double.
        using var w = conv.weight!.detach().cpu().to_type(ScalarType.Float64).contiguous();
        double[] wd = w.data<double>().ToArray();
        long outCh = w.shape[0];
        long per = wd.Length / outCh;
        double[] mean = Doubles(bn.running_mean!, bnOffset, outCh);
        double[] var = Doubles(bn.running_var!, bnOffset, outCh);
        double[] gamma = bn.weight is null ? Enumerable.Repeat(1.0, (int)outCh).ToArray() : Doubles(bn.weight, bnOffset, outCh);
        double[] beta = bn.bias is null ? new double[outCh] : Doubles(bn.bias, bnOffset, outCh);
        double[] b0 = conv.bias is null ? new double[outCh] : Doubles(conv.bias, 0, outCh);
        var wf = new float[wd.Length];
        var bf = new float[outCh];
        for (long c = 0; c < outCh; c++)
        {
            double scale = gamma[c] / Math.Sqrt(var[c] + bn.eps);
            for (long k = 0; k < per; k++) wf[c * per + k] = (float)(wd[c * per + k] * scale);
            bf[c] = (float)((b0[c] - mean[c]) * scale + beta[c]);
        }
        FoldedBatchNorms++;
        FoldedParameterDelta += (bn.weight is null ? 0 : outCh) + (bn.bias is null ? 0 : outCh) + (conv.bias is null ? 0 : outCh) - outCh;
        string wName = AddInitializer(hint + ".weight", wf, w.shape);
        string bName = AddInitializer(hint + ".bias", bf, [outCh]);
        return Node("Conv", [x, wName, bName], hint, attrs);
    }

    private static double[] Doubles(Tensor t, long offset, long count)
    {
        using var d = t.detach().cpu().to_type(ScalarType.Float64).contiguous();
        return d.data<double>().ToArray().AsSpan((int)offset, (int)count).ToArray();
    }

    /// <summary>An inference-mode BatchNormalization node (running statistics).</summary>
    public string BatchNorm(string x, BatchNorm2d bn, string hint)
    {
        long c = bn.num_features;
        string scale = bn.weight is null ? AddInitializer(hint + ".weight", Enumerable.Repeat(1f, (int)c).ToArray(), [c]) : AddInitializer(hint + ".weight", bn.weight);
        string bias = bn.bias is null ? AddInitializer(hint + ".bias", new float[c], [c]) : AddInitializer(hint + ".bias", bn.bias);
        string mean = AddInitializer(hint + ".running_mean", bn.running_mean!);
        string var = AddInitializer(hint + ".running_var", bn.running_var!);
        return Node("BatchNormalization", [x, scale, bias, mean, var], hint, Float("epsilon", (float)bn.eps));
    }

    public string Relu(string x, string hint) => Node("Relu", [x], hint);

    public string Relu6(string x, string hint) => Node("Clip", [x, FloatScalar(0f), FloatScalar(6f)], hint);

    public string Add(string a, string b, string hint) => Node("Add", [a, b], hint);

    /// <summary>Sum of one or more values, as a chain of Adds (in list order, as the TorchSharp code adds them).</summary>
    public string Sum(IReadOnlyList<string> values, string hint)
    {
        if (values.Count == 0) throw new ArgumentException("Nothing to sum.", nameof(values));
        string acc = values[0];
        for (int i = 1; i < values.Count; i++) acc = Add(acc, values[i], hint);
        return acc;
    }

    public string Concat(IReadOnlyList<string> values, string hint) =>
        values.Count == 1 ? values[0] : Node("Concat", values, hint, Int("axis", 1));

    public string MaxPool(string x, long kernel, long stride, long padding, string hint) =>
        Node("MaxPool", [x], hint, Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride), Ints("pads", padding, padding, padding, padding));

    public string AvgPool(string x, long kernel, long stride, long padding, bool countIncludePad, string hint) =>
        Node("AveragePool", [x], hint, Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride),
            Ints("pads", padding, padding, padding, padding), Int("count_include_pad", countIncludePad ? 1 : 0));

    public string GlobalAveragePool(string x, string hint) => Node("GlobalAveragePool", [x], hint);

    public string Flatten(string x, string hint) => Node("Flatten", [x], hint, Int("axis", 1));

    public string Gemm(string x, Linear linear, string hint)
    {
        var inputs = new List<string> { x, AddInitializer(hint + ".weight", linear.weight!) };
        if (linear.bias is not null) inputs.Add(AddInitializer(hint + ".bias", linear.bias));
        return Node("Gemm", inputs, hint, Int("transB", 1));
    }

    /// <summary>x[:, :, start::step, start::step] over the spatial axes.</summary>
    public string SliceSpatial(string x, long start, long step, string hint) =>
        Node("Slice", [x, Int64s(start, start), Int64s(long.MaxValue, long.MaxValue), Int64s(2, 3), Int64s(step, step)], hint);

    /// <summary>Multiplies by a scalar.</summary>
    public string Scale(string x, float factor, string hint) => Node("Mul", [x, FloatScalar(factor)], hint);
}
