#!/usr/bin/python3
"""Plain PyTorch DARTS search network (the DARTS paper's model_search.py structure) for a side-by-side
comparison with `nasonnx bench search`. Same network: stem conv 3C + BN, cells with reductions at 1/3 and 2/3,
4 nodes, 14 mixed edges over 8 ops (none computes x*0 as in DARTS; pools followed by affine-free BN), GAP, linear.

Modes (one search step = architecture step + weight step, as DARTS' train loop):
  darts  : first order, arch step = L_val.backward() on all params (as DARTS' architect with unrolled=False)
  darts2 : second order, w' = w - lr g, finite-difference Hessian-vector product (R = 0.01/||v||)
  gdas   : hard Gumbel-softmax per edge, only the sampled op runs (straight-through weight)
  pc     : PC-DARTS, 1/K channels through the ops, channel shuffle, edge normalization (betas)
  spos   : uniform single path (2 inputs per node, one op each), weight step only

Prints one JSON line: mode, config, ms per step (mean, min), peak RSS (MB).
Usage: /usr/bin/python3 tests/bench/darts_search_bench.py --mode darts --C 16 --layers 8 --batch 64 --res 28
"""
import argparse, json, resource, time, random
import torch
import torch.nn as nn
import torch.nn.functional as F

PRIMITIVES = ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5']


class ReLUConvBN(nn.Module):
    def __init__(self, cin, cout, k, s, p, affine):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout, affine=affine))

    def forward(self, x):
        return self.op(x)


class DilConv(nn.Module):
    def __init__(self, c, k, s, p, d, affine):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(c, c, k, s, p, dilation=d, groups=c, bias=False),
                                nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c, affine=affine))

    def forward(self, x):
        return self.op(x)


class SepConv(nn.Module):
    def __init__(self, c, k, s, p, affine):
        super().__init__()
        self.op = nn.Sequential(DilConv(c, k, s, p, 1, affine), DilConv(c, k, 1, p, 1, affine))

    def forward(self, x):
        return self.op(x)


class Zero(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.s = s

    def forward(self, x):
        return x.mul(0.) if self.s == 1 else x[:, :, ::self.s, ::self.s].mul(0.)


class FactorizedReduce(nn.Module):
    def __init__(self, cin, cout, affine):
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.c1 = nn.Conv2d(cin, cout // 2, 1, 2, bias=False)
        self.c2 = nn.Conv2d(cin, cout // 2, 1, 2, bias=False)
        self.bn = nn.BatchNorm2d(cout, affine=affine)

    def forward(self, x):
        x = self.relu(x)
        shifted = F.pad(x[:, :, 1:, 1:], (0, 1, 0, 1))
        return self.bn(torch.cat([self.c1(x), self.c2(shifted)], 1))


def make_op(name, c, s):
    if name == 'none': return Zero(s)
    if name == 'max_pool_3x3': return nn.Sequential(nn.MaxPool2d(3, s, 1), nn.BatchNorm2d(c, affine=False))
    if name == 'avg_pool_3x3': return nn.Sequential(nn.AvgPool2d(3, s, 1, count_include_pad=False), nn.BatchNorm2d(c, affine=False))
    if name == 'skip_connect': return nn.Identity() if s == 1 else FactorizedReduce(c, c, False)
    if name == 'sep_conv_3x3': return SepConv(c, 3, s, 1, False)
    if name == 'sep_conv_5x5': return SepConv(c, 5, s, 2, False)
    if name == 'dil_conv_3x3': return DilConv(c, 3, s, 2, 2, False)
    if name == 'dil_conv_5x5': return DilConv(c, 5, s, 4, 2, False)
    raise ValueError(name)


def shuffle(x, g):
    n, c, h, w = x.shape
    return x.view(n, g, c // g, h, w).transpose(1, 2).contiguous().view(n, c, h, w)


class MixedOp(nn.Module):
    def __init__(self, c, s, k):
        super().__init__()
        self.k, self.s = k, s
        self.ops = nn.ModuleList([make_op(p, c // k, s) for p in PRIMITIVES])

    def mix(self, x, w, index):
        if index is None:
            return sum(wi * op(x) for wi, op in zip(w, self.ops))
        return self.ops[index](x) * w[index]

    def forward(self, x, w, index=None):
        if self.k == 1:
            return self.mix(x, w, index)
        part = x.shape[1] // self.k
        xa, xb = x[:, :part], x[:, part:]
        ya = self.mix(xa, w, index)
        yb = xb if self.s == 1 else F.max_pool2d(xb, 3, 2, 1)
        return shuffle(torch.cat([ya, yb], 1), self.k)


class Cell(nn.Module):
    def __init__(self, cpp, cp, c, reduction, reduction_prev, k):
        super().__init__()
        self.reduction = reduction
        self.pre0 = FactorizedReduce(cpp, c, False) if reduction_prev else ReLUConvBN(cpp, c, 1, 1, 0, False)
        self.pre1 = ReLUConvBN(cp, c, 1, 1, 0, False)
        self.ops = nn.ModuleList()
        for i in range(4):
            for j in range(2 + i):
                self.ops.append(MixedOp(c, 2 if reduction and j < 2 else 1, k))

    def forward(self, s0, s1, weights, betas=None, path=None):
        states = [self.pre0(s0), self.pre1(s1)]
        offset = 0
        for i in range(4):
            terms = []
            for j, h in enumerate(states):
                e = offset + j
                if path is not None:
                    if path[e] < 0: continue
                    terms.append(self.ops[e](h, weights[e], path[e]))
                else:
                    y = self.ops[e](h, weights[e])
                    terms.append(y * betas[e] if betas is not None else y)
            offset += len(states)
            states.append(sum(terms))
        return torch.cat(states[-4:], 1)


class Network(nn.Module):
    def __init__(self, c, layers, classes=10, cin=1, k=1):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(cin, 3 * c, 3, padding=1, bias=False), nn.BatchNorm2d(3 * c))
        cpp, cp, cur = 3 * c, 3 * c, c
        self.cells = nn.ModuleList()
        rp = False
        for i in range(layers):
            red = i in (layers // 3, 2 * layers // 3)
            if red: cur *= 2
            cell = Cell(cpp, cp, cur, red, rp, k)
            rp = red
            self.cells.append(cell)
            cpp, cp = cp, 4 * cur
        self.classifier = nn.Linear(cp, classes)
        self.alphas_normal = nn.Parameter(1e-3 * torch.randn(14, 8))
        self.alphas_reduce = nn.Parameter(1e-3 * torch.randn(14, 8))
        self.betas_normal = nn.Parameter(1e-3 * torch.randn(14))
        self.betas_reduce = nn.Parameter(1e-3 * torch.randn(14))
        self.k = k
        self.mode = 'darts'
        self.tau = 10.0
        self.path = None

    def arch_parameters(self):
        ps = [self.alphas_normal, self.alphas_reduce]
        return ps + [self.betas_normal, self.betas_reduce] if self.k > 1 else ps

    def weights(self):
        ids = {id(p) for p in [self.alphas_normal, self.alphas_reduce, self.betas_normal, self.betas_reduce]}
        return [p for p in self.parameters() if id(p) not in ids]

    @staticmethod
    def node_betas(b):
        out, start = [], 0
        for n in range(4):
            out.append(F.softmax(b[start:start + n + 2], dim=-1))
            start += n + 2
        return torch.cat(out)

    def forward(self, x):
        s0 = s1 = self.stem(x)
        if self.mode == 'gdas':
            sel = {}
            for name, a in (('normal', self.alphas_normal), ('reduce', self.alphas_reduce)):
                g = -torch.empty_like(a).exponential_().log()
                soft = F.softmax((a.log_softmax(-1) + g) / self.tau, -1)
                idx = soft.max(-1, keepdim=True)[1]
                hard = torch.zeros_like(soft).scatter_(-1, idx, 1.0)
                sel[name] = (hard - soft.detach() + soft, idx.view(-1).tolist())
        for cell in self.cells:
            name = 'reduce' if cell.reduction else 'normal'
            if self.mode == 'gdas':
                w, idx = sel[name]
                s0, s1 = s1, cell(s0, s1, w, path=idx)
            elif self.mode == 'spos':
                ones = torch.ones(14, 8)
                s0, s1 = s1, cell(s0, s1, ones, path=self.path[name])
            else:
                a = self.alphas_reduce if cell.reduction else self.alphas_normal
                b = (self.betas_reduce if cell.reduction else self.betas_normal) if self.k > 1 else None
                s0, s1 = s1, cell(s0, s1, F.softmax(a, -1), betas=self.node_betas(b) if b is not None else None)
        return self.classifier(F.adaptive_avg_pool2d(s1, 1).flatten(1))


def sample_path(rng):
    path = [-1] * 14
    offset = 0
    for n in range(4):
        for j in rng.sample(range(n + 2), 2):
            path[offset + j] = rng.randrange(1, 8)
        offset += n + 2
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mode', default='darts', choices=['darts', 'darts2', 'gdas', 'pc', 'spos'])
    ap.add_argument('--C', type=int, default=16)
    ap.add_argument('--layers', type=int, default=8)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--res', type=int, default=28)
    ap.add_argument('--channels', type=int, default=1)
    ap.add_argument('--partial-k', type=int, default=4)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rng = random.Random(0)
    k = a.partial_k if a.mode == 'pc' else 1
    net = Network(a.C, a.layers, 10, a.channels, k)
    net.mode = {'gdas': 'gdas', 'spos': 'spos'}.get(a.mode, 'darts')
    net.train()
    wopt = torch.optim.SGD(net.weights(), 0.025, momentum=0.9, weight_decay=3e-4)
    aopt = torch.optim.Adam(net.arch_parameters(), 3e-4, betas=(0.5, 0.999), weight_decay=1e-3)
    xt = torch.randn(a.batch, a.channels, a.res, a.res); yt = torch.randint(0, 10, (a.batch,))
    xv = torch.randn(a.batch, a.channels, a.res, a.res); yv = torch.randint(0, 10, (a.batch,))
    lr = 0.025

    def arch_step():
        aopt.zero_grad()
        if a.mode == 'darts2':
            ws = net.weights()
            backup = [w.detach().clone() for w in ws]
            g = torch.autograd.grad(F.cross_entropy(net(xt), yt), ws)
            with torch.no_grad():
                for w, gi in zip(ws, g): w.sub_(lr * gi)
            lv = F.cross_entropy(net(xv), yv)
            grads = torch.autograd.grad(lv, net.arch_parameters() + ws)
            da, v = grads[:len(net.arch_parameters())], grads[len(net.arch_parameters()):]
            r = 0.01 / torch.cat([x.view(-1) for x in v]).norm()
            def at(sign):
                with torch.no_grad():
                    for w, b, vi in zip(ws, backup, v): w.copy_(b + sign * r * vi)
                return torch.autograd.grad(F.cross_entropy(net(xt), yt), net.arch_parameters())
            gp, gm = at(1), at(-1)
            with torch.no_grad():
                for w, b in zip(ws, backup): w.copy_(b)
            for p, d, x1, x2 in zip(net.arch_parameters(), da, gp, gm):
                p.grad = d - lr * (x1 - x2) / (2 * r)
        else:
            F.cross_entropy(net(xv), yv).backward()
        aopt.step()

    def weight_step():
        wopt.zero_grad()
        F.cross_entropy(net(xt), yt).backward()
        nn.utils.clip_grad_norm_(net.weights(), 5.0)
        wopt.step()

    times, cpu = [], []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        c0 = time.process_time()
        if a.mode == 'spos':
            net.path = {'normal': sample_path(rng), 'reduce': sample_path(rng)}
        else:
            arch_step()
        weight_step()
        dt = time.perf_counter() - t0
        if i >= a.warmup:
            times.append(dt * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({'impl': 'pytorch', 'torch': torch.__version__, 'mode': a.mode, 'C': a.C, 'layers': a.layers, 'batch': a.batch,
                      'res': a.res, 'threads': a.threads, 'ms_per_step': round(sum(times) / len(times), 1),
                      'ms_min': round(min(times), 1), 'cpu_ms_per_step': round(sum(cpu) / len(cpu), 1), 'peak_rss_mb': round(rss, 1)}))


if __name__ == '__main__':
    main()
