#!/usr/bin/env python3
"""PyTorch peer of the digits grid (experiments/digits-grid.yaml over configs/digits-cnn.yaml), for wall-time
comparison with `./deepnets sweep experiments/digits-grid.yaml` on the same cores.

The same work per point as a deepnets sweep point: the 8x8 digits (pixels / 16), a seeded 80/20 split,
Conv2D(10, 3x3, relu) -> MaxPool 2x2 -> Flatten -> Dense(50, relu) -> Dense(10) with softmax cross-entropy, Keras
L2 on every kernel (lam * sum(w^2) in the loss, i.e. SGD weight_decay = 2 * lam on the kernels only, biases free),
plain SGD, batch 100, 100 epochs with a shuffled order each epoch, the test part evaluated after every epoch
(Keras validation_data), then test and train accuracy at the end. Weights glorot_uniform, biases 0. Points run in
--jobs worker processes of --threads threads each (default 2 x 1, the fastest arrangement measured here for such
small networks, as deepnets' own default); a point whose loss is not finite stops there ("diverged"), as a deepnets
sweep point does.

The split is numpy's permutation, not deepnets' java.util.Random one, so single accuracies differ a little;
the work (samples, steps, evaluations) is the same.

Usage (repository root; Debian's /usr/bin/python3 has python3-torch):
  /usr/bin/python3 scripts/torch_digits_grid.py [--epochs 100] [--jobs 2] [--threads 1] [--out grid.csv]
  (data: --data-dir, else $DEEPNETS_DATA, else ../shared/datasets next to the repository)
Time the whole script (process start and imports included) with /usr/bin/time -v.
"""
import argparse
import math
import multiprocessing as mp
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def load_digits(data_dir):
    import numpy as np
    rows = np.loadtxt(os.path.join(data_dir, "digits", "optdigits.tes"), delimiter=",", dtype=np.int64)
    x = (rows[:, :64].astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)
    y = rows[:, 64]
    return x, y


def split_digits(data_dir, seed):
    """The seeded 80/20 split (numpy's permutation, the first 20% test): x_train, y_train, x_test, y_test."""
    import numpy as np
    x, y = load_digits(data_dir)
    perm = np.random.RandomState(seed).permutation(len(x))
    n_test = math.ceil(0.2 * len(x))
    te, tr = perm[:n_test], perm[n_test:]
    return x[tr], y[tr], x[te], y[te]


def run_point(args):
    lr, lam, epochs, threads, data_dir, seed = args
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.set_num_threads(threads)
    xtr, ytr, xte, yte = (torch.from_numpy(a) for a in split_digits(data_dir, seed))
    torch.manual_seed(seed)
    conv = nn.Conv2d(1, 10, 3)
    d1 = nn.Linear(90, 50)
    d2 = nn.Linear(50, 10)
    for m in (conv, d1, d2):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)

    def forward(t):
        t = F.max_pool2d(F.relu(conv(t)), 2)
        return d2(F.relu(d1(t.flatten(1))))

    params = [conv, d1, d2]
    opt = torch.optim.SGD([{"params": [m.weight for m in params], "weight_decay": 2 * lam},
                           {"params": [m.bias for m in params], "weight_decay": 0.0}], lr=lr)
    gen = torch.Generator().manual_seed(seed)

    def accuracy(xs, ys):
        with torch.no_grad():
            return (forward(xs).argmax(1) == ys).float().mean().item()

    status = "completed"
    for epoch in range(epochs):
        order = torch.randperm(len(xtr), generator=gen)
        for s in range(0, len(xtr), 100):
            idx = order[s:s + 100]
            loss = F.cross_entropy(forward(xtr[idx]), ytr[idx])
            if not math.isfinite(loss.item()):
                status = "diverged"
                break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if status != "completed":
            break
        with torch.no_grad():
            F.cross_entropy(forward(xte), yte)
            accuracy(xte, yte)
    if status == "completed":
        return lr, lam, status, accuracy(xtr, ytr), accuracy(xte, yte)
    return lr, lam, status, float("nan"), float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data-dir", default=os.environ.get("DEEPNETS_DATA", os.path.join(REPO, "..", "shared", "datasets")))
    ap.add_argument("--out", default=None, help="CSV of learning_rate,l2,status,train_accuracy,test_accuracy")
    a = ap.parse_args()
    grid = [10.0 ** e for e in range(-5, 2)]   # numpy.logspace(-5, 1, 7)
    points = [(lr, lam, a.epochs, a.threads, a.data_dir, a.seed) for lr in grid for lam in grid]
    start = time.time()
    with mp.get_context("spawn").Pool(a.jobs) as pool:
        results = pool.map(run_point, points, chunksize=1)
    wall = time.time() - start
    lines = ["learning_rate,l2,status,train_accuracy,test_accuracy"]
    lines += ["%g,%g,%s,%.4f,%.4f" % r for r in results]
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    best = max((r for r in results if r[2] == "completed"), key=lambda r: r[4])
    print("%d points x %d epochs on %d processes x %d thread(s): %.1f s; best test accuracy %.4f at learning_rate=%g, l2=%g"
          % (len(points), a.epochs, a.jobs, a.threads, wall, best[4], best[0], best[1]), file=sys.stderr)


if __name__ == "__main__":
    main()
