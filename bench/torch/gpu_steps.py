#!/usr/bin/env python3
"""PyTorch eager twin of bench/cmd/gpusteps: training steps on the GPU.

    python3 bench/torch/gpu_steps.py [--batches 128,1024] [--repeat 7] [--number 50] [--tf32]

A step is zero_grad(set_to_none=True), forward, loss, backward and an SGD
step with momentum 0.9 (PyTorch's default foreach implementation on CUDA)
on a fixed random batch already on the device. Each workload runs warm-up
steps, then R repeats of N steps with torch.cuda.synchronize() after each
repeat, and prints "NAME MS ms/step" with the median repeat's time per step.
"""

import argparse
import statistics
import time

import torch
from torch import nn


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(576, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def playground():
    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1))


def run(name, net, x, y, loss_fn, repeat, number):
    dev = torch.device("cuda")
    net = net.to(dev)
    x, y = x.to(dev), y.to(dev)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(20):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            step()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1000 / number)
    print(f"{name} {statistics.median(times):.4f} ms/step", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", default="128,1024")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--number", type=int, default=50)
    ap.add_argument("--tf32", action="store_true")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.manual_seed(1)
    suffix = "/tf32" if a.tf32 else ""
    print(f"# torch {torch.__version__} on {torch.cuda.get_device_name(0)}", flush=True)
    if not a.tf32:
        run("playground/b10", playground(), torch.randn(10, 2), torch.randint(0, 2, (10, 1)).float(),
            nn.BCEWithLogitsLoss(), a.repeat, a.number)
    for b in [int(s) for s in a.batches.split(",")]:
        run(f"mlp/b{b}{suffix}", mlp(), torch.randn(b, 784), torch.randint(0, 10, (b,)), nn.CrossEntropyLoss(), a.repeat, a.number)
        run(f"lenet/b{b}{suffix}", lenet(), torch.randn(b, 1, 32, 32), torch.randint(0, 10, (b,)), nn.CrossEntropyLoss(),
            a.repeat, a.number)


if __name__ == "__main__":
    main()
