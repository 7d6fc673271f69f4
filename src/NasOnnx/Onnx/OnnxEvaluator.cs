using Microsoft.ML.OnnxRuntime;
using NasOnnx.Data;
using NasOnnx.Training;

namespace NasOnnx.Onnx;

/// <summary>
/// Accuracy of an exported ONNX model measured with ONNX Runtime (CPU), the way a deployment would run it. A model with
/// its preprocessing inside (metadata nasonnx.input_layout) gets the raw uint8 pixels in its layout, a plain model the
/// normalized float tensor; so evaluating both on the same images proves the preprocessing equal to the training's. A text
/// dataset's token ids go to the model's int64 "tokens" input as prepared (padded with 0).
/// </summary>
public static class OnnxEvaluator
{
    public static EvaluationResult Evaluate(string modelPath, Dataset data, int[] indices, Normalization normalization, int batchSize = 256, int threads = 1)
    {
        using var session = OnnxSessions.Open(modelPath, threads, "re-export it (nasonnx export or the export stage)");
        var layout = session.ModelMetadata.CustomMetadataMap.TryGetValue(OnnxExporter.Keys.InputLayout, out var l)
            && Enum.TryParse<PreprocessLayout>(l, ignoreCase: true, out var parsed) ? parsed : PreprocessLayout.None;
        var result = new EvaluationResult(data.Classes);
        using var runOptions = new RunOptions();
        using var loader = new BatchLoader(data, indices, new BatchLoaderOptions { BatchSize = batchSize, Shuffle = false, Normalization = normalization });
        string inputName = data.IsText ? OnnxExporter.TokensName : OnnxExporter.InputName;
        foreach (var batch in loader.Epoch(0))
        {
            using var input = data.IsText ? OrtValue.CreateTensorValueFromMemory(batch.Tokens, [batch.Count, data.SequenceLength])
                : layout == PreprocessLayout.None
                ? OrtValue.CreateTensorValueFromMemory(batch.Images, [batch.Count, data.Channels, data.Height, data.Width])
                : ImageBatch.Pixels([.. batch.Indices.Select(i => data.Image(i).ToArray())], layout, data.Channels, data.Height, data.Width);
            using var outputs = session.Run(runOptions, [inputName], [input], [OnnxExporter.OutputName]);
            var logits = outputs[0].GetTensorDataAsSpan<float>();
            var predictions = new long[batch.Count];
            double lossSum = 0;
            for (int i = 0; i < batch.Count; i++)
            {
                var row = logits.Slice(i * data.Classes, data.Classes);
                int best = 0;
                double max = row[0];
                for (int c = 1; c < row.Length; c++) if (row[c] > max) { max = row[c]; best = c; }
                double sumExp = 0;
                foreach (var v in row) sumExp += Math.Exp(v - max);
                lossSum += Math.Log(sumExp) - (row[(int)batch.Labels[i]] - max); // cross-entropy via log-sum-exp
                predictions[i] = best;
            }
            result.Add(batch.Labels, predictions, lossSum);
        }
        return result;
    }
}
