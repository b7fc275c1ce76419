#!/usr/bin/python3
"""PyTorch twin of bench/steps_test.go: one training step of three nets.

Run with Debian's python3, which has torch (not a python3 from a virtual
environment that may come first on PATH):

    /usr/bin/python3 bench/torch/steps.py [--threads 1,2] [--repeat R] [--number N]

A step is zero_grad(set_to_none=True) (what dl's ZeroGrad does), forward,
loss, backward and a plain SGD step (lr 0.01) on a fixed random batch, after a
few warm-up steps:

    Step/playground  2-8-8-1 tanh, batch 10, BCEWithLogits
    Step/mlp         784-256-128-10 ReLU, batch 128, CrossEntropy
    Step/lenet       the lecture's LeNet, batch 64 of 1x32x32, CrossEntropy

Each workload is timed at every thread count of --threads
(torch.set_num_threads) and the fastest is kept: PyTorch at its best thread
setting. It prints one line per workload, "NAME NS ns/op THREADS threads",
with the names of the Go sub-benchmarks; bench/compare reads these lines.
Each time is the fastest of R repeats of N steps divided by N (timeit's
advice: the minimum is the least disturbed by the rest of the machine).
"""

import argparse
import sys
import timeit

import torch
from torch import nn

LR = 0.01


def playground():
    net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1))
    x = torch.randn(10, 2)
    y = torch.randint(0, 2, (10, 1)).float()
    return net, x, y, nn.BCEWithLogitsLoss()


def mlp():
    net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    return net, torch.randn(128, 784), torch.randint(0, 10, (128,)), nn.CrossEntropyLoss()


def lenet():
    net = nn.Sequential(
        nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(576, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    return net, torch.randn(64, 1, 32, 32), torch.randint(0, 10, (64,)), nn.CrossEntropyLoss()


WORKLOADS = [
    ("Step/playground", playground),
    ("Step/mlp", mlp),
    ("Step/lenet", lenet),
]


def make_step(make):
    torch.manual_seed(1)
    net, x, y, loss_fn = make()
    opt = torch.optim.SGD(net.parameters(), lr=LR)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    return step


def time_step(step, repeat, number):
    timer = timeit.Timer(step)
    number = number or timer.autorange()[0]
    return min(timer.repeat(repeat=repeat, number=number)) / number


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", default="1,2",
                   help="comma-separated thread counts to try (default 1,2)")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--number", type=int, default=0,
                   help="steps per repeat (0: enough for about 0.2 s)")
    p.add_argument("--verbose", action="store_true",
                   help="also print every thread count's time to stderr")
    args = p.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    for name, make in WORKLOADS:
        best = None
        for n in threads:
            torch.set_num_threads(n)
            t = time_step(make_step(make), args.repeat, args.number)
            if args.verbose:
                print(f"  {name} {n} threads: {t * 1e9:.0f} ns/op", file=sys.stderr)
            if best is None or t < best[0]:
                best = (t, n)
        print(f"{name} {best[0] * 1e9:.1f} ns/op {best[1]} threads")


if __name__ == "__main__":
    main()
