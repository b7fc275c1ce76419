#!/usr/bin/python3
"""PyTorch reference values for dl's ops, composed into whole expressions.

How to run (from the repository root; needs Debian's python3 with torch,
which is /usr/bin/python3 on the project machines, not a python3 from a
virtual environment that may come first on PATH):

    /usr/bin/python3 dl/testdata/torchref/generate.py

It rewrites dl/testdata/torchref/reference.json next to this file. The Go
test dl/torchref_test.go reads that JSON (it never runs torch), so commit the
two together, and add a Go twin to the map in that test for every case here.

For every case the script draws its inputs and a weight W of the output's
shape from generators seeded by the case's name (so adding or reordering
cases changes no other case's numbers), evaluates the expression in float64,
and records

    inputs   name, shape, row-major data, and whether it is a variable
             (requires_grad) or a constant (class labels, masks)
    output   shape and data of f(inputs)
    weight   W
    grads    d sum(f(inputs) * W) / d input for every variable (null for a
             constant)

Ops with kinks or ties (relu, abs, clamp, maximum/minimum, max/min
reductions) are wrapped in checks that abort the script if any element comes
within MARGIN of a kink or tie, where PyTorch's and dl's conventions for the
one-sided derivative could legitimately differ. Class labels and masks are
stored as whole float numbers; the script turns labels into int64 for torch.

The output is plain JSON (floats written with Python's shortest round-trip
repr, so Go's encoding/json reads back the exact float64 values).
"""

import inspect
import json
import math
import os
import textwrap
import zlib

import torch

torch.set_default_dtype(torch.float64)
torch.use_deterministic_algorithms(True)

# Smallest distance allowed between an argument and a kink or tie.
MARGIN = 1e-3

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "reference.json")


# ---------------------------------------------------------------- inputs --

class Spec:
    """How to draw one input: kind is "var", "const" or "index"."""

    def __init__(self, name, shape, draw, kind="var"):
        self.name, self.shape, self.draw, self.kind = name, list(shape), draw, kind


def randn(name, *shape, scale=1.0, shift=0.0, grad=True):
    return Spec(name, shape, lambda g: torch.randn(shape, generator=g) * scale + shift,
                "var" if grad else "const")


def uniform(name, lo, hi, *shape, grad=True):
    return Spec(name, shape, lambda g: torch.rand(shape, generator=g) * (hi - lo) + lo,
                "var" if grad else "const")


def value(name, v, kind="var"):
    """A fixed input: a Python number (rank 0) or a nested list."""
    t = torch.tensor(v, dtype=torch.float64)
    return Spec(name, list(t.shape), lambda g: t.clone(), kind)


def labels(name, classes, *shape):
    """Whole numbers in [0, classes): torch gets them as int64."""
    return Spec(name, shape, lambda g: torch.randint(0, classes, shape, generator=g).double(),
                "index")


def mask(name, *shape):
    """A constant of zeros and ones."""
    return Spec(name, shape, lambda g: (torch.rand(shape, generator=g) < 0.5).double(),
                "const")


# ------------------------------------------------- kink and tie guards --

def away(t, *points):
    """Asserts every element of t is at least MARGIN from each point."""
    for p in points:
        d = (t.detach() - p).abs().min().item()
        assert d > MARGIN, f"element within {d:.2e} of kink at {p}"
    return t


def apart(a, b):
    """Asserts a and b (broadcast) differ by more than MARGIN everywhere."""
    d = (a.detach() - b.detach()).abs().min().item()
    assert d > MARGIN, f"operands within {d:.2e} of a tie"
    return a


def no_ties(x, dims=None):
    """Asserts the extreme over dims (all when None) is unique by MARGIN, at
    both ends, so max and min reductions over those dims have no ties."""
    x = x.detach()
    if dims is None:
        flat = x.reshape(1, -1)
    else:
        dims = [d % x.dim() for d in dims]
        keep = [d for d in range(x.dim()) if d not in dims]
        flat = x.permute(*keep, *dims).reshape(*[x.shape[d] for d in keep], -1)
    for largest in (True, False):
        top = flat.topk(2, dim=-1, largest=largest).values
        d = (top[..., 0] - top[..., 1]).abs().min().item()
        assert d > MARGIN, f"tie within {d:.2e} in a reduction"
    return x


# ----------------------------------------------------------------- cases --

CASES = []


def case(*specs):
    """Registers the decorated function, whose arguments are the inputs
    in order, as a case named after it."""
    def register(fn):
        CASES.append((fn.__name__, specs, fn))
        return fn
    return register


@case(value("x1", 2.0), value("x2", 5.0))
def lecture_f(x1, x2):
    # The lecture's f(x1, x2) = ln x1 + x1 x2 − sin x2 at (2, 5).
    return torch.log(x1) + x1 * x2 - torch.sin(x2)


@case(randn("X", 4, 3), randn("W1", 3, 5), randn("b1", 5), randn("W2", 5, 2),
      randn("b2", 2), randn("Y", 4, 2))
def mlp_sigmoid_mse(X, W1, b1, W2, b2, Y):
    h = torch.sigmoid(X @ W1 + b1)
    return ((h @ W2 + b2 - Y) ** 2).mean()


@case(randn("logits", 5, 4, scale=2.0), labels("y", 4, 5, 1))
def softmax_xent_gather(logits, y):
    return -torch.log_softmax(logits, dim=1).gather(1, y.long()).mean()


@case(randn("logits", 3, 5, scale=2.0), labels("y", 5, 3))
def onehot_xent(logits, y):
    onehot = torch.nn.functional.one_hot(y.long(), 5).double()
    return -(onehot * torch.log_softmax(logits, dim=-1)).sum(-1).mean()


@case(randn("x", 3, 4), randn("b", 4))
def logsumexp_bias(x, b):
    return torch.logsumexp(x * 3 + b, dim=1) - x.mean(1)


@case(randn("x", 4, 3), value("s", 0.7))
def logsumexp_large(x, s):
    # Values near 100: a naive log Σ exp overflows in float32.
    return torch.logsumexp(x * 20 + 100, dim=0) * s


@case(randn("A", 2, 1, 3, 4), randn("B", 3, 4, 2))
def bmm_broadcast_tanh(A, B):
    return torch.tanh(A @ B)


@case(randn("v", 3), randn("M", 2, 3, 4), randn("w", 4))
def matmul_vectors(v, M, w):
    return (v @ M) @ w * (M @ w).mean(-1)


@case(randn("x", 4, 3), randn("W", 3, 3), randn("b", 3), randn("W2", 3, 2))
def tanh_relu_chain(x, W, b, W2):
    h = torch.relu(away(torch.tanh(x @ W + b) * 2 - 0.3, 0))
    return torch.relu(away(h @ W2 - 0.1, 0)) + torch.tanh(h).sum(1, keepdim=True)


@case(uniform("x", 0.5, 2.0, 3, 4), uniform("y", -1.5, 2.5, 4))
def pow_tensor_exponent(x, y):
    return torch.log((x ** y).sum(1))


@case(uniform("s", 0.5, 1.5), randn("x", 2, 3))
def pow_scalar_base(s, x):
    return s ** x + x ** 3 - x ** 2


@case(randn("x", 3, 4), randn("y", 3, 4))
def clamp_mul(x, y):
    return away(x * 1.5, -1, 1).clamp(-1, 1) * y + away(x, -0.5).clamp(min=-0.5)


@case(mask("m", 3, 4), randn("x", 3, 4), randn("y", 4))
def where_mask(m, x, y):
    c = m != 0
    return torch.where(c, torch.exp(x), torch.sin(y)) + torch.where(c, y, x) * x


@case(randn("x", 3, 4), randn("y", 4), randn("z", 3, 1))
def maximum_minimum(x, y, z):
    apart(x, y)
    apart(x * 2, z)
    return torch.maximum(x, y) * torch.minimum(x * 2, z)


@case(randn("x", 3, 4, 5))
def max_mean_keepdim(x):
    no_ties(x, [2])
    return torch.exp(x - x.amax(dim=2, keepdim=True)).mean(dim=(0, 2), keepdim=True)


@case(randn("x", 2, 3, 4))
def max_min_axes(x):
    no_ties(x, [0, 2])
    no_ties(x, [1, 2])
    no_ties(x)
    return x.amax(dim=(0, 2))[None, :] * x.amin(dim=(1, 2))[:, None] + x.max()


@case(randn("x", 2, 3, 4), randn("W", 6, 3))
def permute_reshape_matmul(x, W):
    return (x.permute(2, 0, 1).reshape(4, 6) @ W).T * x[1]


@case(randn("x", 2, 3, 4), randn("y", 4))
def transpose_reshape(x, y):
    return torch.sin(x.transpose(0, 2).reshape(-1, 4)) * y


@case(randn("a", 2, 3), randn("b", 2, 2), randn("c", 2, 5))
def concat_stack(a, b, c):
    t = torch.cat([a, b * 2], dim=1)
    s = torch.stack([t, torch.tanh(c), t * c], dim=-1)
    return torch.cat([s, torch.exp(s) * 0.5], dim=0).sum(1)


@case(randn("x", 4, 6))
def slicing(x):
    return (x[:, 1:4] * x[:, -3:] + x[2][2:5]) * x[-1, 0]


@case(randn("x", 3, 5), randn("y", 3, 5))
def softmax_weighted(x, y):
    return (torch.softmax(x, dim=0) * y).sum(1) + torch.softmax(y * 2, dim=-1)[:, 0]


@case(randn("x", 2, 3, 4))
def log_softmax_3d(x):
    return torch.log_softmax(x, dim=1) * torch.sigmoid(x)


@case(randn("x", 3, 4), randn("y", 4))
def sqrt_abs_div(x, y):
    return (torch.sqrt(torch.abs(away(x, 0)) + 1) / (y ** 2 + 1)
            - torch.abs(away(y, 0)) * x)


@case(uniform("x", -1.0, 1.0, 5))
def exp_log_tan(x):
    return torch.log(torch.exp(x) + 1) + torch.tan(x * 0.7) * torch.cos(x)


@case(randn("x", 3, 1), randn("y", 1, 4), value("s", 0.8))
def outer_sub_square(x, y, s):
    return torch.exp(-((x - y) ** 2) * s)


@case(randn("x", 4, 3), value("idx", [[0.0, 3.0, 1.0], [2.0, 3.0, 1.0]], kind="index"))
def gather_axis0(x, idx):
    # idx repeats rows in columns 1 and 2: their gradients must add up.
    return torch.exp(x.gather(0, idx.long())) * x[:2]


@case(randn("x", 3, 4), randn("y", 3, 4))
def cosine_similarity(x, y):
    return (x * y).sum(1) / (torch.sqrt((x * x).sum(1)) * torch.sqrt((y * y).sum(1)))


@case(randn("x", 2, 5), randn("gamma", 5, shift=1.0), randn("beta", 5))
def layer_norm_tanh(x, gamma, beta):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return torch.tanh((x - mu) / torch.sqrt(var + 1e-5) * gamma + beta)


@case(randn("Q", 2, 3, 4), randn("K", 2, 5, 4), randn("V", 2, 5, 4))
def attention(Q, K, V):
    return torch.softmax(Q @ K.transpose(-1, -2) / 2, dim=-1) @ V


@case(randn("z", 6, scale=2.0), uniform("y", 0.0, 1.0, 6))
def bce_sigmoid(z, y):
    p = torch.sigmoid(z)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


@case(randn("x", 7, scale=1.5))
def gelu_tanh(x):
    k = math.sqrt(2 / math.pi)
    return 0.5 * x * (1 + torch.tanh(k * (x + 0.044715 * x ** 3)))


@case(value("s", 1.3), randn("x", 2, 3), randn("t", 1, 3))
def scalar_broadcast(s, x, t):
    return torch.sigmoid(s * x + t).sum(0) * s


@case(randn("x", 3, 4, 2))
def batchnorm_variance(x):
    return ((x - x.mean(dim=(0, 2), keepdim=True)) ** 2).mean(dim=(0, 2)) / x.mean()


@case(randn("x", 2, 3), randn("y", 3, 2))
def div_sub_neg(x, y):
    return (-(x @ y - 1) / (torch.cos(x).sum() + 5)) @ x - y.T * x


# ------------------------------------------------------------------ main --

def seeded(name, stream):
    return torch.Generator().manual_seed(zlib.crc32(f"{name}/{stream}".encode()))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def source(fn):
    """The case's body, for readers of the JSON."""
    lines = inspect.getsource(fn).splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("def ")) + 1
    body = [l for l in lines[start:] if not l.strip().startswith("#")]
    return textwrap.dedent("\n".join(body)).strip()


def run(name, specs, fn):
    g = seeded(name, "inputs")
    values = [s.draw(g).to(torch.float64) for s in specs]
    leaves = [v.clone().requires_grad_(s.kind == "var") for s, v in zip(specs, values)]
    out = fn(*leaves)
    W = torch.randn(out.shape, generator=seeded(name, "weight"))
    (out * W).sum().backward()
    assert torch.isfinite(out).all(), name
    for s, l in zip(specs, leaves):
        assert s.kind != "var" or l.grad is not None, f"{name}: {s.name} gets no gradient"
    return {
        "name": name,
        "torch": source(fn),
        "inputs": [{"name": s.name, "shape": list(v.shape), "data": flat(v),
                    "requires_grad": s.kind == "var"} for s, v in zip(specs, values)],
        "output": {"shape": list(out.shape), "data": flat(out)},
        "weight": {"shape": list(W.shape), "data": flat(W)},
        "grads": [None if s.kind != "var" else
                  {"shape": list(l.grad.shape), "data": flat(l.grad)}
                  for s, l in zip(specs, leaves)],
    }


def main():
    names = [n for n, _, _ in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    doc = {
        "generator": "dl/testdata/torchref/generate.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "loss": "sum(output * weight); grads are its gradient for each input",
        "cases": [run(*c) for c in CASES],
    }
    # One case a line, so that a regenerated file diffs case by case.
    cases = doc.pop("cases")
    head = json.dumps(doc, indent=1)[:-2]
    body = ",\n".join("  " + json.dumps(c, allow_nan=False) for c in cases)
    with open(OUT, "w") as f:
        f.write(head + ',\n "cases": [\n' + body + "\n ]\n}\n")
    print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
