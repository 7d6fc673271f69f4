using NasOnnx.Training.Optimizers;
using NasOnnx.Data;
using NasOnnx.Runtime;
using NasOnnx.Networks;

namespace NasOnnx.Training;

/// <summary>
/// One optimizer step of the recipe on one batch: forward (with the auxiliary head when the model has one and
/// <see cref="TrainingRecipe.AuxWeight"/> &gt; 0), cross-entropy with label smoothing, backward, gradient-norm
/// clipping, SGD (momentum, Nesterov, weight decay) at the given learning rate. All tensors of a step live in one
/// dispose scope. The trainer and `nasonnx bench train` both use it.
/// </summary>
public sealed class TrainStep : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly TrainingRecipe _recipe;
    private readonly Parameter[] _parameters;

    public OptimizerHelper Optimizer { get; }

    public TrainStep(nn.Module<Tensor, Tensor> model, TrainingRecipe recipe)
    {
        _model = model;
        _recipe = recipe;
        _parameters = model.parameters().ToArray();
        Optimizer = recipe.Optimizer switch
        {
            TrainingRecipe.SgdOptimizer => new HeldScalarSgd(_parameters, recipe.LearningRate, momentum: recipe.Momentum,
                weightDecay: recipe.WeightDecay, nesterov: recipe.Nesterov && recipe.Momentum > 0),
            TrainingRecipe.AdamWOptimizer => new HeldScalarAdamW(_parameters, recipe.LearningRate, weightDecay: recipe.WeightDecay),
            _ => throw new NasOnnxException($"unknown optimizer '{recipe.Optimizer}'", $"use optimizer: {TrainingRecipe.SgdOptimizer} or {TrainingRecipe.AdamWOptimizer}"),
        };
    }

    /// <returns>The summed (not mean) loss of the batch and how many images were classified correctly.</returns>
    public (double LossSum, long Correct) Run(float[] images, long[] labels, ImageShape shape, double lr) =>
        Run(new Batch { Images = images, Labels = labels, Indices = [], Shape = shape, Epoch = 0, Number = 0 }, lr);

    /// <returns>The summed (not mean) loss of the batch and how many samples were classified correctly.</returns>
    public (double LossSum, long Correct) Run(Batch batch, double lr)
    {
        foreach (var group in Optimizer.ParamGroups) group.LearningRate = lr;
        using var scope = torch.NewDisposeScope();
        int n = batch.Count;
        var x = BatchInput.Of(batch);
        var y = torch.tensor(batch.Labels);
        Tensor logits, loss;
        if (_recipe.AuxWeight > 0 && _model.training && _model is IAuxiliaryOutput aux)
        {
            var (main, auxLogits) = aux.ForwardWithAuxiliary(x);
            logits = main;
            loss = nn.functional.cross_entropy(logits, y, label_smoothing: _recipe.LabelSmoothing);
            if (auxLogits is not null)
            {
                using var auxWeight = _recipe.AuxWeight.ToScalar(); // held: see HeldScalars
                loss = loss.Plus(nn.functional.cross_entropy(auxLogits, y, label_smoothing: _recipe.LabelSmoothing).mul(auxWeight));
            }
        }
        else
        {
            logits = _model.forward(x);
            loss = nn.functional.cross_entropy(logits, y, label_smoothing: _recipe.LabelSmoothing);
        }
        loss = FiniteGuard.Loss(FiniteGuard.Train, loss);
        Optimizer.zero_grad();
        loss.backward();
        double lossValue = loss.item<float>();
        FiniteGuard.Check(FiniteGuard.Train, lossValue, _parameters); // before the step: never apply a NaN update
        if (_recipe.GradClip > 0) nn.utils.clip_grad_norm_(_parameters, _recipe.GradClip);
        Optimizer.step();
        double lossSum = lossValue * n;
        long correct = logits.argmax(1).eq(y).sum().item<long>();
        return (lossSum, correct);
    }

    public void Dispose() => Optimizer.Dispose();
}
