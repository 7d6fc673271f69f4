using Microsoft.ML.OnnxRuntime;
using NasOnnx.Data;

namespace NasOnnx.Onnx;

/// <summary>
/// Packs images (uint8, CHW, as <see cref="ImageDecoder"/> returns them) into the tensor a model takes: the raw pixels
/// in the model's layout for a model with preprocessing inside, the normalized float NCHW tensor for a plain one.
/// The verifier and the classifier share it, so both feed a model the same way.
/// </summary>
public static class ImageBatch
{
    public static OrtValue Pixels(IReadOnlyList<byte[]> images, PreprocessLayout layout, int channels, int height, int width)
    {
        int size = channels * height * width, plane = height * width;
        var data = new byte[images.Count * size];
        for (int i = 0; i < images.Count; i++)
        {
            var chw = Checked(images[i], size);
            if (layout == PreprocessLayout.Nhwc)
                for (int ch = 0; ch < channels; ch++)
                    for (int p = 0; p < plane; p++) data[i * size + p * channels + ch] = chw[ch * plane + p];
            else chw.CopyTo(data, i * size);
        }
        long[] shape = layout == PreprocessLayout.Nhwc ? [images.Count, height, width, channels] : [images.Count, channels, height, width];
        return OrtValue.CreateTensorValueFromMemory(data, shape);
    }

    /// <summary>The float input of a plain model: <see cref="Normalization.Apply"/> per pixel (the training code's formula).</summary>
    public static OrtValue Normalized(IReadOnlyList<byte[]> images, Normalization normalization, int channels, int height, int width)
    {
        int size = channels * height * width, plane = height * width;
        float[] table = normalization.LookupTable();
        var data = new float[images.Count * size];
        for (int i = 0; i < images.Count; i++)
        {
            var chw = Checked(images[i], size);
            for (int k = 0; k < size; k++) data[i * size + k] = table[k / plane * 256 + chw[k]];
        }
        return OrtValue.CreateTensorValueFromMemory(data, [images.Count, channels, height, width]);
    }

    private static byte[] Checked(byte[] image, int size) =>
        image.Length == size ? image : throw new ArgumentException($"an image has {image.Length} values, the model's input {size}");
}
