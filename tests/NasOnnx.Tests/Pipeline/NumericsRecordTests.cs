using System.Text.Json;

namespace NasOnnx.Tests.Pipeline;

/// <summary>Forcing the safe numerics configuration (NASONNX_NUMERICS=safe) is recorded in the lock and on the model card.</summary>
public sealed class NumericsRecordTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_forced_safe_configuration_is_in_the_lock_and_on_the_card()
    {
        LearnableData.Write(_dir["data/tiny"], train: 400, test: 100);
        var (code, output) = CliProcess.Run(_dir.Path, "sample", "--space", "nb201", "--seed", "3", "--out", _dir["arch.json"]);
        Assert.True(code == 0, output);
        _dir.Write("pipeline/safe.yaml", """
            name: safe
            seed: 3
            defaults: { threads: 1 }
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/tiny, validation_fraction: 0.2 }
              - name: retrain
                kind: retrain
                inputs: { data: data }
                params: { arch: arch.json, width: 4, cells: 1, epochs: 1, batch_size: 32, lr: 0.05 }
              - name: export
                kind: export
                inputs: { model: retrain, data: data }
              - name: evaluate-onnx
                kind: evaluate
                inputs: { data: data, model: export }
              - name: report
                kind: report
            """);
        using var p = CliProcess.Start(_dir.Path, new Dictionary<string, string> { ["NASONNX_NUMERICS"] = "safe" }, "run", "pipeline/safe.yaml");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(4)), "nasonnx run did not finish");
        string all = await stdout + await stderr;
        Assert.True(p.ExitCode == 0, all);
        Assert.DoesNotContain("NNPACK", all);

        using var lockJson = JsonDocument.Parse(File.ReadAllText(_dir["runs/safe/pipeline.lock"]));
        string retrain = lockJson.RootElement.GetProperty("stages").GetProperty("retrain").GetProperty("numerics").GetString()!;
        Assert.StartsWith("safe (oneDNN off); mode safe: forced by NASONNX_NUMERICS=safe", retrain);
        using var card = JsonDocument.Parse(File.ReadAllText(_dir["runs/safe/report/model_card.json"]));
        Assert.Contains(retrain, card.RootElement.GetProperty("numerics").GetString());
        Assert.Contains("libtorch numerics safe (oneDNN off)", File.ReadAllText(_dir["runs/safe/report/model_card.md"]));
    }
}
