#!/usr/bin/python3
"""PyTorch twin of `nasonnx bench train`: the same network (FixedCnn, or a chain or macro architecture JSON with --arch),
optimizer and step, timed the same way.

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


def conv_bn(cin, cout, k, stride=1, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class MBConv(nn.Module):
    """src/NasOnnx/Ops/MBConv.cs: 1x1 expand (unless e=1), depthwise kxk, 1x1 project (no activation), residual when shape is kept."""

    def __init__(self, cin, cout, kernel, expansion, stride):
        super().__init__()
        mid = cin * expansion
        self.expand = conv_bn(cin, mid, 1) if expansion != 1 else nn.Identity()
        self.dw = conv_bn(mid, mid, kernel, stride, groups=mid)
        self.project = conv_bn(mid, cout, 1, act=False)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.project(self.dw(self.expand(x)))
        return y + x if self.residual else y


class ChainNetwork(nn.Module):
    """src/NasOnnx/Spaces/Chain/ChainNetwork.cs: stem 3x3 + BN + ReLU6, one MBConv or skip per layer, 1x1 head, GAP, linear."""

    def __init__(self, arch, channels, classes):
        super().__init__()
        cfg = arch["config"]
        width = cfg["stem_width"]
        self.stem = conv_bn(channels, width, 3)
        layers, names = [], iter(arch["layers"])
        for stage in cfg["stages"]:
            for i in range(stage["depth"]):
                stride = stage["stride"] if i == 0 else 1
                name = next(names)
                if name == "skip":
                    layers.append(nn.Identity())
                else:
                    k, e = (int(part[1:]) for part in name.split("_")[1:])
                    layers.append(MBConv(width, stage["width"], k, e, stride))
                width = stage["width"]
        self.layers = nn.Sequential(*layers)
        self.head = conv_bn(width, cfg["head_width"], 1)
        self.classifier = nn.Linear(cfg["head_width"], classes)

    def forward(self, x):
        x = self.head(self.layers(self.stem(x)))
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class MacroLayer(nn.Module):
    """src/NasOnnx/Spaces/Macro/MacroLayerModule.cs: y = op(x) + sum of the skips, each projected unless shapes match."""

    def __init__(self, op, projections, sources):
        super().__init__()
        self.op = op
        self.skips = nn.ModuleList(projections)
        self.sources = sources

    def forward(self, x, outputs):
        y = self.op(x)
        for proj, j in zip(self.skips, self.sources):
            y = y + proj(outputs[j])
        return y


class MacroNetwork(nn.Module):
    """src/NasOnnx/Spaces/Macro/MacroNetwork.cs and MacroLayout.cs: stem 3x3 + BN + ReLU; per layer a k x k conv + BN + ReLU
    or a 3x3 pooling (padding 1; average without the padding), layers depth/3 and 2*depth/3 with stride 2; a skip from
    layer j adds layer j's output, through a strided 1x1 conv + BN (no activation) when width or resolution differ; GAP, linear."""

    def __init__(self, arch, channels, classes):
        super().__init__()
        layers_json = arch["layers"]
        depth = len(layers_json)
        reductions = {depth // 3, 2 * depth // 3}
        prev = arch["config"]["stem_width"]
        self.stem = nn.Sequential(nn.Conv2d(channels, prev, 3, padding=1, bias=False), nn.BatchNorm2d(prev), nn.ReLU(inplace=True))
        widths, reduced_by, reduced, layers = [], [], 0, []
        for i, layer in enumerate(layers_json):
            stride = 2 if i in reductions else 1
            reduced += stride == 2
            name = layer["op"]
            if name.startswith("conv_"):
                k = int(name.split("_")[1].split("x")[0])
                width = layer["width"]
                op = nn.Sequential(nn.Conv2d(prev, width, k, stride=stride, padding=k // 2, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True))
            elif name == "max_pool_3x3":
                width, op = prev, nn.MaxPool2d(3, stride, 1)
            elif name == "avg_pool_3x3":
                width, op = prev, nn.AvgPool2d(3, stride, 1, count_include_pad=False)
            else:
                raise SystemExit(f"unknown macro op {name}")
            projections = []
            for j in layer.get("skips", []):
                steps = reduced - reduced_by[j]
                if widths[j] != width or steps != 0:
                    projections.append(nn.Sequential(nn.Conv2d(widths[j], width, 1, stride=1 << steps, bias=False), nn.BatchNorm2d(width)))
                else:
                    projections.append(nn.Identity())
            layers.append(MacroLayer(op, projections, list(layer.get("skips", []))))
            widths.append(width)
            reduced_by.append(reduced)
            prev = width
        self.layers = nn.ModuleList(layers)
        self.classifier = nn.Linear(prev, classes)

    def forward(self, x):
        x = self.stem(x)
        outputs = []
        for layer in self.layers:
            x = layer(x, outputs)
            outputs.append(x)
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def build(a):
    if a.arch is None:
        return FixedCnn(a.channels, a.classes, a.width)
    with open(a.arch) as f:
        arch = json.load(f)
    if arch.get("space") == "chain":
        return ChainNetwork(arch, a.channels, a.classes)
    if arch.get("space") == "macro":
        return MacroNetwork(arch, a.channels, a.classes)
    raise SystemExit(f"{a.arch}: only chain and macro architectures have a PyTorch twin here (space: {arch.get('space')})")


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
    p.add_argument("--channels-last", action="store_true", help="feed channels-last batches (as nasonnx does while oneDNN is on)")
    p.add_argument("--arch", default=None, help="chain or macro architecture JSON (default: FixedCnn of --width)")
    p.add_argument("--print-params", action="store_true", help="print the network's parameter count and exit (checks the twin)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = build(a)
    if a.print_params:
        print(json.dumps({"parameters": sum(p.numel() for p in model.parameters())}))
        return
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
        if a.channels_last:
            # NHWC strides set explicitly, as nasonnx does: for one-channel images contiguous(memory_format=...) keeps the
            # NCHW strides (the tensor already counts as channels-last contiguous) and convolutions stay on NCHW kernels.
            n, c, h, w = x.shape
            x = x.permute(0, 2, 3, 1).contiguous().as_strided((n, c, h, w), (h * w * c, 1, w * c, c))
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
