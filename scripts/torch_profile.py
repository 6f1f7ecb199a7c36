#!/usr/bin/env python3
"""Per-layer, per-direction milliseconds per training step of the PyTorch peer's models, for `deepnets bench --profile`.

The models, optimizers and batch sizes are imported from ../shared/peers/pytorch_peer.py (unchanged); the batches are
the real training data (the peer's own loaders, the Keras split), shuffled, one step per batch as the peer trains.

Measured with torch.autograd.profiler over the timed steps:
  forward        the layer module's forward call (a record_function around it)
  backward       the autograd node of the layer as it ran in training (PyTorch computes no input gradient for the
                 first layer: its input does not require one)
  input grad /   the same layer's two backward products run alone on the step's shapes, under the profiler:
  weight grad    aten::convolution_backward with output_mask (input) and (weight, bias); for Linear the two
                 matrix products and the bias sum
  update         optimizer.step() (and the learning-rate schedule's step)

Usage:  /usr/bin/python3 scripts/torch_profile.py --models M3,M5 [--steps 30] [--warmup 5] [--threads 2]
        (DEEPNETS_DATA or ../shared/datasets; run from the repository root)
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.environ.get("DEEPNETS_PEERS", os.path.join(HERE, "..", "..", "shared", "peers"))
sys.path.insert(0, PEERS)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.autograd import profiler  # noqa: E402

import pytorch_peer as peer  # noqa: E402

BACKWARD_NODE = {nn.Conv2d: "ConvolutionBackward0", nn.Linear: "AddmmBackward0", nn.ReLU: "ReluBackward0",
                 nn.MaxPool2d: "MaxPool2DWithIndicesBackward0", nn.Dropout: "MulBackward0", nn.Flatten: "ViewBackward0"}


def real_batches(name):
    xtr, ytr, _, _ = peer.load_mnist() if name != "M5" else peer.load_cifar()
    if name in ("M1", "M2"):
        xtr = xtr.reshape(-1, 784)
    split = xtr.shape[0] - int(xtr.shape[0] * 0.2)
    return xtr[:split], ytr[:split]


def timed_forward(net):
    """Wraps every module's forward in a record_function named after its index and class."""
    for i, m in enumerate(net):
        m.register_forward_pre_hook(lambda mod, inp, i=i: setattr(mod, "_rf", torch.ops.profiler._record_function_enter(
            f"L{i} forward")))
        m.register_forward_hook(lambda mod, inp, out: torch.ops.profiler._record_function_exit(mod._rf))


def isolated_backward(net, x, reps):
    """{layer index: (input grad ms, weight grad ms)} of each Conv2d/Linear run alone on the step's shapes."""
    out = {}
    acts = []
    with torch.no_grad():
        h = x
        for m in net:
            acts.append(h)
            h = m(h)
    for i, m in enumerate(net):
        if not isinstance(m, (nn.Conv2d, nn.Linear)):
            continue
        inp = acts[i]
        with torch.no_grad():
            y = m(inp)
        g = torch.rand_like(y)
        if isinstance(m, nn.Conv2d):
            def run(mask, m=m, inp=inp, g=g):
                return torch.ops.aten.convolution_backward(g, inp, m.weight, [m.out_channels], m.stride, m.padding, m.dilation,
                                                           False, [0, 0], m.groups, mask)
            calls = (lambda: run([True, False, False]), lambda: run([False, True, True]))
        else:
            calls = (lambda m=m, g=g: g @ m.weight, lambda m=m, g=g, inp=inp: (g.t() @ inp, g.sum(0)))
        times = []
        for call in calls:
            for _ in range(3):
                call()
            t0 = time.perf_counter()
            for _ in range(reps):
                call()
            times.append(1000 * (time.perf_counter() - t0) / reps)
        out[i] = tuple(times)
    return out


def profile(name, steps, warmup):
    torch.manual_seed(0)
    net = peer.build(name)
    net.train()
    opt, sched = peer.optimizer(name, net)
    b = peer.batch_size(name)
    xt, yt = real_batches(name)
    perm = torch.randperm(xt.shape[0])
    timed_forward(net)

    def step(k):
        idx = perm[(k * b) % (xt.shape[0] - b):][:b]
        x, y = xt[idx], yt[idx]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        with profiler.record_function("loss backward"):
            loss.backward()
        with profiler.record_function("update"):
            opt.step()
            if sched is not None:
                sched.step()

    for k in range(warmup):
        step(k)
    t0 = time.perf_counter()
    with profiler.profile() as prof:
        for k in range(warmup, warmup + steps):
            step(k)
    whole = 1000 * (time.perf_counter() - t0) / steps
    # A second, unprofiled run of the same number of steps: the profiler's own overhead shows as the difference.
    t0 = time.perf_counter()
    for k in range(warmup + steps, warmup + 2 * steps):
        step(k)
    plain = 1000 * (time.perf_counter() - t0) / steps

    events = [e for e in prof.function_events]
    forward = {}
    for e in events:
        if e.name.startswith("L") and e.name.endswith(" forward"):
            i = int(e.name[1:].split()[0])
            forward[i] = forward.get(i, 0.0) + e.cpu_time_total / 1000 / steps
    # Backward nodes run in reverse layer order; the k-th node of a kind in a step belongs to the k-th layer of that
    # kind counted from the output.
    kinds = {}
    for i in reversed(range(len(net))):
        kinds.setdefault(BACKWARD_NODE.get(type(net[i]), "?"), []).append(i)
    backward = {}
    seen = {}
    for e in sorted(events, key=lambda e: e.time_range.start):
        if not e.name.startswith("autograd::engine::evaluate_function: "):
            continue
        node = e.name.split(": ", 1)[1]
        if node not in kinds:
            continue
        k = seen.get(node, 0)
        seen[node] = k + 1
        layer_list = kinds[node]
        i = layer_list[k % len(layer_list)]
        backward[i] = backward.get(i, 0.0) + e.cpu_time_total / 1000 / steps
    update = sum(e.cpu_time_total for e in events if e.name == "update") / 1000 / steps
    loss_bw = sum(e.cpu_time_total for e in events if e.name == "autograd::engine::evaluate_function: NllLossBackward0"
                  or e.name == "autograd::engine::evaluate_function: LogSoftmaxBackward0") / 1000 / steps
    x0 = xt[perm[:b]]
    split = isolated_backward(net, x0, max(5, steps // 2))

    print(f"\n{name} (real data, batch {b}, {steps} steps; torch {torch.__version__}, {torch.get_num_threads()} threads)")
    print(f"{'#':3s} {'layer':26s} {'forward ms':>10s} {'backward ms':>12s} {'input grad':>11s} {'weight grad':>12s}")
    total_f = total_b = 0.0
    for i, m in enumerate(net):
        f = forward.get(i, 0.0)
        bw = backward.get(i, 0.0)
        total_f += f
        total_b += bw
        ig, wg = split.get(i, (None, None))
        desc = type(m).__name__ + (f"({m.in_channels}->{m.out_channels})" if isinstance(m, nn.Conv2d) else
                                   f"({m.in_features}->{m.out_features})" if isinstance(m, nn.Linear) else "")
        first = " (not computed)" if i == 0 else ""
        print(f"{i:<3d} {desc:26s} {f:10.2f} {bw:12.2f} " + (f"{ig:11.2f} {wg:12.2f}{first}" if ig is not None else ""))
    print(f"{'':3s} {'loss (softmax + NLL)':26s} {'':10s} {loss_bw:12.2f}")
    print(f"{'':3s} {'all layers':26s} {total_f:10.2f} {total_b + loss_bw:12.2f}")
    print(f"update (optimizer.step): {update:.2f} ms")
    print(f"whole step: {whole:.2f} ms under the profiler, {plain:.2f} ms without it")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="M3,M5")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for name in a.models.split(","):
        profile(name.strip(), a.steps, a.warmup)


if __name__ == "__main__":
    main()
