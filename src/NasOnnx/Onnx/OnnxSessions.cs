using Microsoft.ML.OnnxRuntime;

namespace NasOnnx.Onnx;

/// <summary>Opens a model file in ONNX Runtime (CPU) the one way evaluation and prediction share: a file ONNX Runtime
/// cannot load is the user's error, named with its path, not a crash.</summary>
internal static class OnnxSessions
{
    public static InferenceSession Open(string modelPath, int threads, string fix)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        try
        {
            return new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new NasOnnxException($"ONNX Runtime cannot load the model: {e.Message.Split('\n')[0]}", fix) { FilePath = modelPath };
        }
    }
}
