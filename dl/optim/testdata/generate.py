#!/usr/bin/python3
"""PyTorch reference values for package optim's optimizers and schedules.

How to run (from the repository root; needs Debian's python3 with torch
1.13, which is /usr/bin/python3 on the project machines, not a python3 from
a virtual environment that may come first on PATH):

    /usr/bin/python3 dl/optim/testdata/generate.py

It rewrites dl/optim/testdata/reference.json next to this file. The Go test
dl/optim/torchref_test.go reads that JSON (it never runs torch), so commit
the two together, and add a Go twin to the maps in that test for every case
added here.

Optimizers. Two float64 parameters, a weight W of shape [3 2] and a bias b
of shape [2], start from the fixed values below and take STEPS steps of the
optimizer on the loss

    L(W, b) = mean((X @ W + b - Y)^2) + 0.05 * sum(W^4)

with the fixed X [4 3] and Y [4 2] below (a least-squares fit with a
quartic term, so that the gradient changes from step to step). The JSON
records, per case, the parameters after every step. The single-tensor
(foreach=False) implementations are used: they are PyTorch 1.13's default on
the CPU and the ones the Go code follows operation by operation.

Schedules. Each scheduler drives an SGD optimizer over one dummy
parameter for SCHED_STEPS steps; the JSON records the learning rate the
optimizer holds before each step (step t: after t calls of
scheduler.step()), and for OneCycleLR also the momentum. ReduceLROnPlateau
is fed the fixed metric sequences below, one per step, after the rate is
recorded. WarmupCosine, which PyTorch lacks, is the LambdaLR given by its
formula.

Everything is deterministic (no random numbers). Floats are written with
Python's shortest round-trip repr, so Go's encoding/json reads back the
exact float64 values.
"""

import json
import math
import os

import torch

STEPS = 3
SCHED_STEPS = 30

X = [[0.5, -1.2, 0.3],
     [1.5, 0.4, -0.7],
     [-0.8, 0.9, 1.1],
     [0.2, -0.3, 2.0]]
Y = [[1.0, -0.5],
     [0.3, 0.8],
     [-1.2, 0.4],
     [0.7, -0.9]]
W0 = [[0.8, -0.6],
      [-0.4, 1.1],
      [0.9, 0.3]]
B0 = [0.25, -0.35]

# name -> (torch optimizer class, keyword arguments). The Go test has a
# twin for every name.
OPTIMIZERS = {
    "sgd": (torch.optim.SGD, dict(lr=0.1)),
    "sgd_momentum": (torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    "sgd_dampening": (torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.5)),
    "sgd_nesterov": (torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    "sgd_weight_decay": (torch.optim.SGD, dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    "sgd_maximize": (torch.optim.SGD, dict(lr=0.01, momentum=0.9, maximize=True)),
    "adagrad": (torch.optim.Adagrad, dict(lr=0.1)),
    "adagrad_options": (torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.1, weight_decay=0.05,
                                                  initial_accumulator_value=0.5, eps=1e-6)),
    "rmsprop": (torch.optim.RMSprop, dict(lr=0.01)),
    "rmsprop_momentum": (torch.optim.RMSprop, dict(lr=0.01, momentum=0.9)),
    "rmsprop_centered": (torch.optim.RMSprop, dict(lr=0.01, centered=True)),
    "rmsprop_all": (torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1,
                                              momentum=0.5, centered=True)),
    "adam": (torch.optim.Adam, dict(lr=0.05)),
    # beta2 = 0.5 lets the second moment fall within three steps, so that
    # AMSGrad's maximum differs from Adam's average (checked below).
    "adam_amsgrad": (torch.optim.Adam, dict(lr=0.2, betas=(0.9, 0.5), amsgrad=True)),
    "adam_weight_decay": (torch.optim.Adam, dict(lr=0.05, weight_decay=0.1)),
    "adam_options": (torch.optim.Adam, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, maximize=True)),
    "adamw": (torch.optim.AdamW, dict(lr=0.05)),
    "adamw_amsgrad": (torch.optim.AdamW, dict(lr=0.2, betas=(0.9, 0.5), weight_decay=0.1, amsgrad=True)),
}


def loss_fn(W, b, X, Y):
    return ((X @ W + b - Y) ** 2).mean() + 0.05 * (W ** 4).sum()


def run_optimizer(cls, kwargs):
    X_t = torch.tensor(X, dtype=torch.float64)
    Y_t = torch.tensor(Y, dtype=torch.float64)
    W = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(B0, dtype=torch.float64, requires_grad=True)
    opt = cls([W, b], foreach=False, **kwargs)
    steps = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(W, b, X_t, Y_t).backward()
        opt.step()
        steps.append({"W": W.detach().flatten().tolist(), "b": b.detach().tolist()})
    if kwargs.get("amsgrad"):
        differs = any(
            not torch.equal(opt.state[p]["max_exp_avg_sq"], opt.state[p]["exp_avg_sq"]) for p in (W, b))
        assert differs, "AMSGrad case does not exercise the maximum"
    return steps


def warmup_cosine(lr, warmup, total, min_lr):
    def factor(t):
        if t < warmup:
            return t / warmup
        if t >= total:
            return min_lr / lr
        p = (t - warmup) / (total - warmup)
        return min_lr / lr + (1 - min_lr / lr) * (1 + math.cos(math.pi * p)) / 2
    return factor


S = torch.optim.lr_scheduler

# name -> (base lr given to SGD, function making the scheduler). The Go test
# has a twin for every name.
SCHEDULES = {
    "step": (0.1, lambda o: S.StepLR(o, step_size=7, gamma=0.5)),
    "multistep": (0.1, lambda o: S.MultiStepLR(o, milestones=[5, 12, 12, 20], gamma=0.3)),
    "exponential": (0.1, lambda o: S.ExponentialLR(o, gamma=0.9)),
    "cosine": (0.1, lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
    "cosine_zero_min": (0.1, lambda o: S.CosineAnnealingLR(o, T_max=12)),
    "warmup_cosine": (0.1, lambda o: S.LambdaLR(o, warmup_cosine(0.1, 5, 25, 0.002))),
    "onecycle": (0.1, lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=SCHED_STEPS)),
    "onecycle_options": (0.1, lambda o: S.OneCycleLR(
        o, max_lr=0.2, total_steps=SCHED_STEPS, pct_start=0.25, anneal_strategy="linear",
        div_factor=10.0, final_div_factor=100.0, base_momentum=0.8, max_momentum=0.9)),
    "onecycle_three_phase": (0.1, lambda o: S.OneCycleLR(
        o, max_lr=0.1, total_steps=SCHED_STEPS, three_phase=True)),
}

# ReduceLROnPlateau: name -> (base lr, keyword arguments, metric per step).
PLATEAU_MIN_METRICS = [1.0, 0.9, 0.85, 0.85, 0.86, 0.8499, 0.84992, 0.7, 0.71, 0.72, 0.73, 0.74,
                       0.69, 0.69, 0.69, 0.69, 0.6, 0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67,
                       0.68, 0.69, 0.7, 0.71, 0.72, 0.73]
PLATEAU_MAX_METRICS = [0.1, 0.2, 0.25, 0.26, 0.255, 0.27, 0.28, 0.28, 0.28, 0.28, 0.28, 0.5,
                       0.49, 0.48, 0.47, 0.46, 0.45, 0.44, 0.43, 0.42, 0.41, 0.40, 0.39, 0.38,
                       0.37, 0.36, 0.35, 0.34, 0.33, 0.32]
PLATEAUS = {
    "plateau": (0.1, dict(factor=0.5, patience=2), PLATEAU_MIN_METRICS),
    "plateau_options": (0.1, dict(mode="max", factor=0.3, patience=1, threshold=0.015,
                                  threshold_mode="abs", cooldown=2, min_lr=0.002),
                        PLATEAU_MAX_METRICS),
}


def run_schedule(lr, make):
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    sched = make(opt)
    lrs, momenta = [], []
    for t in range(SCHED_STEPS):
        lrs.append(opt.param_groups[0]["lr"])
        momenta.append(opt.param_groups[0]["momentum"])
        p.grad = torch.zeros_like(p)
        opt.step()
        if t < SCHED_STEPS - 1:
            sched.step()
    out = {"lr": lrs}
    if isinstance(sched, S.OneCycleLR):
        out["momentum"] = momenta
    return out


def run_plateau(lr, kwargs, metrics):
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = S.ReduceLROnPlateau(opt, **kwargs)
    lrs = []
    for m in metrics:
        lrs.append(opt.param_groups[0]["lr"])
        p.grad = torch.zeros_like(p)
        opt.step()
        sched.step(m)
    return {"lr": lrs, "metrics": metrics, "kwargs": kwargs}


def main():
    torch.set_default_dtype(torch.float64)
    ref = {
        "torch_version": torch.__version__,
        "X": X, "Y": Y, "W0": W0, "b0": B0,
        "optimizers": {},
        "schedules": {},
    }
    for name, (cls, kwargs) in OPTIMIZERS.items():
        kw = {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}
        ref["optimizers"][name] = {"class": cls.__name__, "kwargs": kw,
                                   "steps": run_optimizer(cls, kwargs)}
    for name, (lr, make) in SCHEDULES.items():
        ref["schedules"][name] = run_schedule(lr, make)
    for name, (lr, kwargs, metrics) in PLATEAUS.items():
        ref["schedules"][name] = run_plateau(lr, kwargs, metrics)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
    with open(path, "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
