namespace NasOnnx.Training;

/// <summary>Linear warm-up, then cosine decay from the base rate to the minimum, by optimizer step.</summary>
public sealed record CosineSchedule(double BaseRate, double MinRate, long TotalSteps, long WarmupSteps = 0)
{
    public double RateAt(long step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return BaseRate * (step + 1) / WarmupSteps;
        long span = Math.Max(1, TotalSteps - WarmupSteps);
        double t = Math.Clamp((double)(step - WarmupSteps) / span, 0, 1);
        return MinRate + 0.5 * (BaseRate - MinRate) * (1 + Math.Cos(Math.PI * t));
    }
}
