using Google.Protobuf;
using System.Globalization;
using System.Runtime.InteropServices;
using Onnx;

namespace NasOnnx.Onnx;

/// <summary>
/// Reads an ONNX model and counts, from the graph alone: op types, parameters (weights of Conv/Gemm and
/// BatchNormalization scale and bias; running statistics and constants excluded) and MACs of Conv and Gemm for
/// batch 1 (by propagating shapes through the graph). Text models (token ids): see <see cref="CountTokenModel"/>.
/// </summary>
public static class OnnxInspector
{
    public static OnnxInspection Inspect(string path)
    {
        if (!File.Exists(path)) throw new NasOnnxException("ONNX file not found.", "Check the path.") { FilePath = path };
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new NasOnnxException($"Not an ONNX model: {e.Message}", "Pass a .onnx file written by `nasonnx export` or another ONNX exporter.", e) { FilePath = path };
        }
        return Inspect(model, path, new FileInfo(path).Length);
    }

    public static OnnxInspection Inspect(ModelProto model, string path = "", long fileBytes = 0)
    {
        var g = model.Graph;
        var inits = g.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var t in g.Initializer) shapes[t.Name] = t.Dims.ToArray();
        foreach (var input in g.Input)
        {
            if (inits.ContainsKey(input.Name)) continue;
            var dims = input.Type?.TensorType?.Shape?.Dim;
            if (dims is null) continue;
            shapes[input.Name] = dims.Select((d, i) => d.HasDimValue ? d.DimValue : 1L).ToArray(); // batch 1
        }

        var opCounts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long parameters = 0, macs = 0;
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        var counted = new HashSet<string>(StringComparer.Ordinal);
        long Count(string name)
        {
            if (!inits.TryGetValue(name, out var t) || !counted.Add(name)) return 0;
            return t.Dims.Aggregate(1L, (a, b) => a * b);
        }

        foreach (var node in g.Node)
        {
            opCounts[node.OpType] = opCounts.GetValueOrDefault(node.OpType) + 1;
            switch (node.OpType)
            {
                case "Conv":
                case "Gemm":
                    for (int i = 1; i < node.Input.Count; i++) parameters += Count(node.Input[i]);
                    break;
                case "BatchNormalization":
                    parameters += Count(node.Input[1]) + Count(node.Input[2]);
                    break;
            }
            long[]? outShape = InferShape(node, shapes, inits);
            if (outShape is null)
            {
                unknown.Add(node.OpType);
                continue;
            }
            shapes[node.Output[0]] = outShape;
            if (node.OpType == "Conv" && shapes.TryGetValue(node.Input[1], out var w))
                macs += outShape.Skip(1).Aggregate(1L, (a, b) => a * b) * w.Skip(1).Aggregate(1L, (a, b) => a * b);
            else if (node.OpType == "Gemm" && shapes.TryGetValue(node.Input[1], out var gw))
                macs += gw[0] * gw[1];
        }

        var meta = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (TokenModelLength(g, inits, meta) is long length)
        {
            (parameters, macs) = CountTokenModel(g, inits, length);
            unknown.Clear();
        }
        long delta = meta.TryGetValue(OnnxExporter.Keys.FoldedParameterDelta, out var d) && long.TryParse(d, NumberStyles.Integer, CultureInfo.InvariantCulture, out var dv) ? dv : 0;
        return new OnnxInspection(path, fileBytes, model.IrVersion,
            model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max(),
            $"{model.ProducerName} {model.ProducerVersion}".Trim(),
            g.Input.Where(i => !inits.ContainsKey(i.Name)).Select(Info).ToArray(),
            g.Output.Select(Info).ToArray(),
            opCounts, g.Node.Count, parameters, parameters + delta, macs, unknown.ToArray(), meta);
    }

    /// <summary>The reference sequence length of a text model (input "tokens" [batch, seq], metadata
    /// nasonnx.sequence_length), or null for any other model.</summary>
    private static long? TokenModelLength(GraphProto g, Dictionary<string, TensorProto> inits, Dictionary<string, string> meta) =>
        g.Input.Any(i => i.Name == OnnxExporter.TokensName && !inits.ContainsKey(i.Name))
        && meta.TryGetValue(OnnxExporter.Keys.SequenceLength, out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long length) && length > 0
            ? length : null;

    /// <summary>
    /// Parameters and MACs of a NasOnnx text model for one sequence of <paramref name="length"/> tokens. The sequence
    /// axis is symbolic and the graph computes its masks and shapes at run time, so the Conv/Gemm shape walk above does
    /// not apply; instead, from how the exporter writes text networks (every sequence tensor keeps the length):
    /// parameters are the float initializers other than the graph builder's constants ("const_*": the embedding, every
    /// weight and bias, LayerNorm's scale and shift, the GRU's W, R and B); MACs are Conv weight x length, a MatMul with a
    /// weight [in, out] (Linear, attention's projections) in x out per position, Gemm (the classifier) once, a GRU's
    /// length x directions x 3 hidden x (in + hidden), and a MatMul of two activations (attention's scores and weighted
    /// values) length x length x the width of the projection before it. Lookups (the embedding's Gather), masks,
    /// normalization and pooling count as no MACs, as BatchNorm and pooling do for images.
    /// </summary>
    private static (long Parameters, long Macs) CountTokenModel(GraphProto g, Dictionary<string, TensorProto> inits, long length)
    {
        static long Size(IEnumerable<long> dims) => dims.Aggregate(1L, (a, b) => a * b);
        long parameters = g.Initializer
            .Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && !t.Name.StartsWith("const_", StringComparison.Ordinal))
            .Sum(t => Size(t.Dims));
        long macs = 0, projected = 0;
        foreach (var node in g.Node)
        {
            switch (node.OpType)
            {
                case "Conv" when node.Input.Count > 1 && inits.TryGetValue(node.Input[1], out var w):
                    macs += length * Size(w.Dims);
                    break;
                case "MatMul" when node.Input.Count > 1 && inits.TryGetValue(node.Input[1], out var m) && m.Dims.Count == 2:
                    macs += length * m.Dims[0] * m.Dims[1];
                    projected = m.Dims[1];
                    break;
                case "MatMul":
                    macs += length * length * projected;
                    break;
                case "Gemm" when node.Input.Count > 1 && inits.TryGetValue(node.Input[1], out var gw):
                    macs += Size(gw.Dims);
                    break;
                case "GRU" when node.Input.Count > 2 && inits.TryGetValue(node.Input[1], out var gruW) && inits.TryGetValue(node.Input[2], out var gruR):
                    macs += length * (Size(gruW.Dims) + Size(gruR.Dims)); // [dirs, 3H, in] + [dirs, 3H, H]
                    break;
            }
        }
        return (parameters, macs);
    }

    private static OnnxValueInfo Info(ValueInfoProto v)
    {
        var tt = v.Type?.TensorType;
        string type = tt is null ? "?" : ((TensorProto.Types.DataType)tt.ElemType).ToString().ToLowerInvariant();
        var dims = tt?.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.HasDimParam ? d.DimParam : "?").ToArray() ?? [];
        return new OnnxValueInfo(v.Name, type, dims);
    }

    private static long[] Ints(NodeProto n, string name, long[] fallback) =>
        n.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.Ints.ToArray() : fallback;

    private static long Int(NodeProto n, string name, long fallback) =>
        n.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    private static long[]? Int64Values(Dictionary<string, TensorProto> inits, string name)
    {
        if (!inits.TryGetValue(name, out var t) || t.DataType != (int)TensorProto.Types.DataType.Int64) return null;
        if (t.Int64Data.Count > 0) return t.Int64Data.ToArray();
        return MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray();
    }

    private static long[]? InferShape(NodeProto n, Dictionary<string, long[]> shapes, Dictionary<string, TensorProto> inits)
    {
        if (n.Input.Count == 0 || !shapes.TryGetValue(n.Input[0], out var x)) return null;
        switch (n.OpType)
        {
            case "Relu": case "Clip": case "BatchNormalization": case "Identity": case "Sigmoid": case "HardSigmoid": case "HardSwish": case "Dropout":
                return x;
            case "Add": case "Mul": case "Sub": case "Div":
                {
                    if (!shapes.TryGetValue(n.Input[1], out var y)) return null;
                    int rank = Math.Max(x.Length, y.Length);
                    var r = new long[rank];
                    for (int i = 0; i < rank; i++)
                    {
                        long a = i < rank - x.Length ? 1 : x[i - (rank - x.Length)];
                        long b = i < rank - y.Length ? 1 : y[i - (rank - y.Length)];
                        r[i] = Math.Max(a, b);
                    }
                    return r;
                }
            case "Conv": case "MaxPool": case "AveragePool":
                {
                    if (x.Length != 4) return null;
                    long[] kernel, weight = [];
                    if (n.OpType == "Conv")
                    {
                        if (!shapes.TryGetValue(n.Input[1], out weight!)) return null;
                        kernel = Ints(n, "kernel_shape", weight.Skip(2).ToArray());
                    }
                    else kernel = Ints(n, "kernel_shape", [1, 1]);
                    var strides = Ints(n, "strides", [1, 1]);
                    var pads = Ints(n, "pads", [0, 0, 0, 0]);
                    var dil = Ints(n, "dilations", [1, 1]);
                    bool ceil = Int(n, "ceil_mode", 0) == 1;
                    var r = new long[4];
                    r[0] = x[0];
                    r[1] = n.OpType == "Conv" ? weight[0] : x[1];
                    for (int i = 0; i < 2; i++)
                    {
                        long eff = dil[i] * (kernel[i] - 1) + 1;
                        long num = x[2 + i] + pads[i] + pads[2 + i] - eff;
                        r[2 + i] = (ceil ? (num + strides[i] - 1) / strides[i] : num / strides[i]) + 1;
                    }
                    return r;
                }
            case "GlobalAveragePool": case "GlobalMaxPool":
                return x.Length == 4 ? [x[0], x[1], 1, 1] : null;
            case "Flatten":
                {
                    long axis = Int(n, "axis", 1);
                    if (axis < 0) axis += x.Length;
                    return [x.Take((int)axis).Aggregate(1L, (a, b) => a * b), x.Skip((int)axis).Aggregate(1L, (a, b) => a * b)];
                }
            case "Gemm":
                {
                    if (!shapes.TryGetValue(n.Input[1], out var w)) return null;
                    bool transB = Int(n, "transB", 0) == 1;
                    return [x[0], transB ? w[0] : w[1]];
                }
            case "Concat":
                {
                    long axis = Int(n, "axis", 0);
                    if (axis < 0) axis += x.Length;
                    var r = (long[])x.Clone();
                    r[axis] = 0;
                    foreach (var input in n.Input)
                    {
                        if (!shapes.TryGetValue(input, out var s)) return null;
                        r[axis] += s[axis];
                    }
                    return r;
                }
            case "Slice":
                {
                    var starts = Int64Values(inits, n.Input[1]);
                    var ends = Int64Values(inits, n.Input[2]);
                    var axes = n.Input.Count > 3 ? Int64Values(inits, n.Input[3]) : Enumerable.Range(0, starts?.Length ?? 0).Select(i => (long)i).ToArray();
                    var steps = n.Input.Count > 4 ? Int64Values(inits, n.Input[4]) : null;
                    if (starts is null || ends is null || axes is null) return null;
                    var r = (long[])x.Clone();
                    for (int i = 0; i < axes.Length; i++)
                    {
                        int ax = (int)(axes[i] < 0 ? axes[i] + x.Length : axes[i]);
                        long dim = x[ax], step = steps?[i] ?? 1;
                        if (step <= 0) return null;
                        long s = Math.Clamp(starts[i] < 0 ? starts[i] + dim : starts[i], 0, dim);
                        long e = Math.Clamp(ends[i] < 0 ? ends[i] + dim : ends[i], 0, dim);
                        r[ax] = e > s ? (e - s + step - 1) / step : 0;
                    }
                    return r;
                }
            default:
                return null;
        }
    }
}
