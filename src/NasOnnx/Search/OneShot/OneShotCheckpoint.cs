using System.Text.Json;
using NasOnnx.Supernets;
using NasOnnx.Core;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// The resumable state of a one-shot search in <see cref="SearchContext.StateDir"/>: supernet weights and BN statistics,
/// both optimizers' states, the architecture weights and the progress. Written to a fresh folder, then swapped in,
/// so a kill at any moment leaves the previous complete checkpoint (or the new one).
/// </summary>
public static class OneShotCheckpoint
{
    private const string Current = "ckpt", Old = "ckpt.old", Meta = "progress.json";

    public static void Save(string stateDir, OneShotProgress progress, Supernet net, SupernetTrainer trainer)
    {
        Directory.CreateDirectory(stateDir);
        string temp = Path.Combine(stateDir, $"ckpt.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        net.save(Path.Combine(temp, "supernet.pt"));
        trainer.WeightOptimizer.save_state_dict(Path.Combine(temp, "weight_opt.pt"));
        trainer.ArchOptimizer.save_state_dict(Path.Combine(temp, "arch_opt.pt"));
        File.WriteAllText(Path.Combine(temp, "arch.json"), JsonSerializer.Serialize(net.Arch.Snapshot(), SnakeJson.Options));
        File.WriteAllText(Path.Combine(temp, Meta), JsonSerializer.Serialize(progress, SnakeJson.Options)); // written last: marks a complete folder
        string current = Path.Combine(stateDir, Current), old = Path.Combine(stateDir, Old);
        if (Directory.Exists(old)) Directory.Delete(old, true);
        if (Directory.Exists(current)) Directory.Move(current, old);
        Directory.Move(temp, current);
        if (Directory.Exists(old)) Directory.Delete(old, true);
    }

    /// <summary>Restores the latest complete checkpoint into the supernet and optimizers; null when there is none.</summary>
    public static OneShotProgress? Load(string stateDir, string strategy, string space, Supernet net, SupernetTrainer trainer)
    {
        foreach (var name in new[] { Current, Old })
        {
            string dir = Path.Combine(stateDir, name);
            string meta = Path.Combine(dir, Meta);
            if (!File.Exists(meta)) continue;
            OneShotProgress progress;
            ArchSnapshot arch;
            try
            {
                progress = JsonSerializer.Deserialize<OneShotProgress>(File.ReadAllText(meta), SnakeJson.Options) ?? throw new JsonException("empty");
                arch = JsonSerializer.Deserialize<ArchSnapshot>(File.ReadAllText(Path.Combine(dir, "arch.json")), SnakeJson.Options) ?? throw new JsonException("empty");
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                throw new NasOnnxException($"the one-shot search state in {dir} is damaged ({e.Message})", "delete that folder to start the search over") { FilePath = meta };
            }
            if (progress.Strategy != strategy || progress.Space != space)
                throw new NasOnnxException($"the saved search state is from {progress.Strategy} over {progress.Space}, not {strategy} over {space}",
                    "delete the stage's state folder (or re-run with --force) to start over") { FilePath = meta };
            net.load(Path.Combine(dir, "supernet.pt"));
            net.Arch.Load(arch);
            trainer.WeightOptimizer.load_state_dict(Path.Combine(dir, "weight_opt.pt"));
            trainer.ArchOptimizer.load_state_dict(Path.Combine(dir, "arch_opt.pt"));
            return progress;
        }
        return null;
    }
}
