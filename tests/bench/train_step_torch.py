#!/usr/bin/python3
"""PyTorch twin of `nasonnx bench train`: the same FixedCnn, optimizer and step, timed the same way.

Run with Debian's PyTorch (apt-get install python3-torch; /usr/bin/python3, not a pyenv python):
    /usr/bin/python3 tests/bench/train_step_torch.py --width 16 --batch 128 --threads 2 --steps 30
Prints one JSON line: ms_per_step (mean), median_ms, images_per_s, threads, torch version.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn


def block(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class FixedCnn(nn.Module):
    """src/NasOnnx/Networks/FixedCnn.cs: four conv-BN-ReLU blocks (two stride 2), global average pool, linear."""

    def __init__(self, channels, classes, width):
        super().__init__()
        self.features = nn.Sequential(
            block(channels, width, 1), block(width, 2 * width, 2), block(2 * width, 2 * width, 1), block(2 * width, 4 * width, 2),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(4 * width, classes)

    def forward(self, x):
        return self.classifier(self.features(x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--size", type=int, default=28)
    p.add_argument("--classes", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = FixedCnn(a.channels, a.classes, a.width)
    model.train()
    params = list(model.parameters())
    # TrainingRecipe defaults: SGD lr 0.05, momentum 0.9, Nesterov, weight decay 5e-4, grad clip 5, no label smoothing.
    opt = torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    images = torch.rand(a.batch, a.channels, a.size, a.size).numpy()
    labels = torch.randint(0, a.classes, (a.batch,)).numpy()
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        x = torch.from_numpy(images.copy())  # the C# side copies the batch array into a tensor too
        y = torch.from_numpy(labels.copy())
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        loss.item()
        (logits.argmax(1) == y).sum().item()
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    mean = statistics.mean(times)
    print(json.dumps({"ms_per_step": mean, "median_ms": statistics.median(times), "images_per_s": a.batch * 1000 / mean,
                      "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
