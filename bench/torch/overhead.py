#!/usr/bin/python3
"""PyTorch twin of bench/overhead_test.go: per-op overhead on one-element
tensors.

Run with Debian's python3, which has torch (not a python3 from a virtual
environment that may come first on PATH):

    /usr/bin/python3 bench/torch/overhead.py [--repeat R] [--number N]

It prints one line per workload, "NAME NS ns/op", with the names of the Go
sub-benchmarks (ScalarAdd/plain, ScalarAdd/requires_grad,
ScalarMulSumBackward); bench/compare.sh reads these lines. Each time is
the fastest of R repeats of N runs (timeit's advice: the minimum is the
least disturbed by the rest of the machine), divided by N. torch runs on
one thread, as dl's ops do.
"""

import argparse
import timeit

import torch

torch.set_num_threads(1)


def one_element(v, requires_grad):
    return torch.tensor([v], dtype=torch.float32, requires_grad=requires_grad)


def scalar_add(requires_grad):
    a, b = one_element(1.5, requires_grad), one_element(2.25, requires_grad)
    return "a + b", {"a": a, "b": b}


def scalar_mul_sum_backward():
    a, b = one_element(1.5, True), one_element(2.25, True)

    def step():
        a.grad = None  # as zero_grad(set_to_none=True)
        b.grad = None
        (a * b).sum().backward()

    step()
    assert a.grad.item() == 2.25
    return "step()", {"step": step}


WORKLOADS = [
    ("ScalarAdd/plain", lambda: scalar_add(False)),
    ("ScalarAdd/requires_grad", lambda: scalar_add(True)),
    ("ScalarMulSumBackward", scalar_mul_sum_backward),
]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--number", type=int, default=0,
                   help="runs per repeat (0: enough for about 0.2 s)")
    args = p.parse_args()
    for name, make in WORKLOADS:
        stmt, env = make()
        timer = timeit.Timer(stmt, globals=env)
        number = args.number or timer.autorange()[0]
        best = min(timer.repeat(repeat=args.repeat, number=number)) / number
        print(f"{name} {best * 1e9:.1f} ns/op")


if __name__ == "__main__":
    main()
