using NasOnnx.Tests.Data;

namespace NasOnnx.Tests.Pipeline;

/// <summary>
/// Small Fashion-MNIST-shaped IDX files a CNN can learn in seconds: class c has background brightness
/// about 22c over seeded noise, plus a bright bar, so tests can assert real accuracy well above chance (10%).
/// </summary>
public static class LearnableData
{
    public static void Write(string folder, int train, int test, int seed = 1)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(seed);
        (byte[] Pixels, byte[] Labels) Make(int count)
        {
            var px = new byte[count * 784];
            var labels = new byte[count];
            for (int i = 0; i < count; i++)
            {
                int c = rng.Next(10);
                labels[i] = (byte)c;
                for (int p = 0; p < 784; p++) px[i * 784 + p] = (byte)(22 * c + rng.Next(0, 40));
                int row = 2 * c + 4, start = rng.Next(0, 8);
                for (int x = start; x < start + 20; x++) px[i * 784 + row * 28 + x] = (byte)rng.Next(180, 256);
            }
            return (px, labels);
        }
        var (trainPx, trainLabels) = Make(train);
        var (testPx, testLabels) = Make(test);
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte.gz"), TestData.Gzip(TestData.IdxImages(train, 28, 28, trainPx)));
        File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte.gz"), TestData.Gzip(TestData.IdxLabels(trainLabels)));
        File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), TestData.Gzip(TestData.IdxImages(test, 28, 28, testPx)));
        File.WriteAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), TestData.Gzip(TestData.IdxLabels(testLabels)));
    }

    /// <summary>A project folder with pipeline/NAME.yaml and data/tiny/ holding learnable data.</summary>
    public static string Project(TempDir dir, string name, int epochs, int train = 1200, int test = 300, string extra = "") =>
        Project(dir.Path, name, epochs, train, test, extra);

    /// <summary>The same in any folder.</summary>
    public static string Project(string root, string name, int epochs, int train = 1200, int test = 300, string extra = "")
    {
        Write(Path.Combine(root, "data/tiny"), train, test);
        string file = Path.Combine(root, $"pipeline/{name}.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, $"""
            name: {name}
            seed: 7
            defaults:
              threads: 1
            stages:
              - name: data
                kind: prepare-data
                params: {"{"} path: data/tiny, validation_fraction: 0.2 {"}"}
              - name: train
                kind: train
                inputs: {"{"} data: data {"}"}
                params: {"{"} width: 4, epochs: {epochs}, batch_size: 32, lr: 0.05{extra} {"}"}
              - name: evaluate
                kind: evaluate
                inputs: {"{"} data: data, model: train {"}"}
            """);
        return file;
    }
}
