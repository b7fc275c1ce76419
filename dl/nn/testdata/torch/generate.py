#!/usr/bin/python3
"""PyTorch reference for package nn: the lecture's LeNet and a BatchNorm net.

How to run (from the repository root; needs Debian's python3 with torch,
which is /usr/bin/python3 on the project machines, not a python3 from a
virtual environment that may come first on PATH):

    /usr/bin/python3 dl/nn/testdata/torch/generate.py

It rewrites the four files below next to this script; the Go test
dl/nn/torchref_test.go reads them (it never runs torch), so commit them with
the script. The run is deterministic: the same torch gives the same bytes.

    lenet.safetensors        the state_dict of the lecture's net, built with
                             torch.manual_seed(0), float32, in the format of
                             safetensors.torch.save_file (see below)
    lenet_ref.safetensors    a fixed batch: "input" [4 1 32 32] (F32),
                             "labels" [4] (I64); and the results "logits"
                             [4 10], "loss" (cross-entropy, mean over the
                             batch) and "grad.<name>" for every parameter,
                             after loss.backward()
    batchnorm.safetensors    the state_dict of Linear(5, 8) - BatchNorm1d(8)
                             - ReLU - Linear(8, 3), with BatchNorm's weight,
                             bias and running statistics set to non-default
                             values and num_batches_tracked = 3
    batchnorm_ref.safetensors "input" [6 5], "labels" [6]; in training mode
                             "train.output", "train.loss", "grad.<name>" and
                             the buffers after that one forward pass,
                             "after.1.running_mean", "after.1.running_var",
                             "after.1.num_batches_tracked"; then in eval mode
                             (which uses the updated running statistics)
                             "eval.output"

The results are computed in float64, by a float64 copy of each net (the
float32 weights and inputs are exact in float64), so they are the exact
answers for the stored float32 weights rather than one float32 run's
rounding of them; they are stored rounded to float32 (F32), a relative
change of at most 6e-8, far below the tolerance. The script then runs the nets in float32 as well and asserts that
torch's own float32 results meet the tolerance the Go test applies,

    |got - want| <= RTOL * max(|want|, FLOOR),     RTOL = 1e-4, FLOOR = 1e-3,

a relative error of RTOL, except that values below FLOOR are held to the
absolute error RTOL * FLOOR = 1e-7 (a relative error means nothing near an
exact zero, such as the gradient of the bias of a Linear layer followed by
BatchNorm, 0 in exact arithmetic; float32 sums of many terms that cancel to
a small value have errors that scale with the terms, not with the result).
The gradients here are of the order 1e-2, so the floor still holds them to
about 1e-5 of their scale. It prints, for each tensor, the worst ratio
error/allowed that torch's float32 run reached, with the largest value and
the largest error.

ReLU and max-pooling have kinks and ties where two correct implementations
may legitimately choose differently; the script asserts that no ReLU input
is within MARGIN of zero and that the largest value of every pooling window
is ahead of the second by more than MARGIN (ties among zeros after a ReLU
do not matter: the gradient there is zero either way).

The safetensors format is written by hand (the safetensors package is not
in Debian): an 8-byte little-endian header length, the JSON header with
"__metadata__" first and the tensors in state_dict order, padded with
spaces to a multiple of 8 bytes, then the data in the same order. That is
byte for byte what gradbook's nn.Save writes, which the Go test checks. (The
safetensors library itself writes the same format but orders the data by
dtype and name; readers, gradbook's included, accept any order.) The script reads every
file back with its own reader and loads the state dicts into fresh nets
with load_state_dict(strict=True).

    /usr/bin/python3 dl/nn/testdata/torch/generate.py --check FILE

instead loads FILE (a LeNet state dict written by gradbook's nn.Save) into
the lecture's net and checks that it reproduces the stored logits.
"""

import copy
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))

RTOL = 1e-4
FLOOR = 1e-3
MARGIN = 1e-5

# ----------------------------------------------------------- safetensors --

DTYPES = {torch.float32: ("F32", "<f4"), torch.float64: ("F64", "<f8"),
          torch.int64: ("I64", "<i8")}
FROM = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}


def write_safetensors(path, tensors, metadata):
    """Write [(name, tensor)] in order, atomically."""
    header = {"__metadata__": metadata} if metadata else {}
    blobs, offset = [], 0
    for name, t in tensors:
        code, np_dtype = DTYPES[t.dtype]
        b = t.detach().contiguous().cpu().numpy().astype(np_dtype).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    """Return ([(name, tensor)] in data order, metadata)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", None) or {}
    buf = data[8 + n:]
    out, end = [], 0
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, e_ = e["data_offsets"]
        assert b == end, (name, b, end)
        end = e_
        dtype = FROM[e["dtype"]]
        t = torch.frombuffer(bytearray(buf[b:e_]), dtype=dtype) if e_ > b \
            else torch.empty(0, dtype=dtype)
        out.append((name, t.reshape(e["shape"]).clone()))
    assert end == len(buf), (end, len(buf))
    return out, meta


# ------------------------------------------------------------------ nets --

def lenet():
    """The lecture's LeNet-style net."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(576, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def bnnet():
    return nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(),
                         nn.Linear(8, 3))


def forward_checked(net, x):
    """Run a Sequential layer by layer, asserting the kink margins."""
    for i, layer in enumerate(net):
        if isinstance(layer, nn.ReLU):
            m = x.abs().min().item()
            assert m > MARGIN, f"layer {i}: a ReLU input is {m:g} from 0"
        if isinstance(layer, nn.MaxPool2d):
            k = layer.kernel_size
            w = F.unfold(x.flatten(0, 1).unsqueeze(1), k, stride=k)  # [NC k*k L]
            top = w.topk(2, dim=1).values
            live = top[:, 0] > 0
            gap = (top[:, 0] - top[:, 1])[live].min().item()
            assert gap > MARGIN, f"layer {i}: a pooling window's top two are {gap:g} apart"
        x = layer(x)
    return x


def batch(net64, seed, draw, classes):
    """The inputs and labels drawn by the first generator seed, from seed on,
    whose inputs keep clear of the kinks (see MARGIN) in net64, in training
    and in eval mode. Prints the seed."""
    state = copy.deepcopy(net64.state_dict())
    while True:
        g = torch.Generator().manual_seed(seed)
        x = draw(g)
        labels = torch.randint(0, classes, (x.shape[0],), generator=g)
        try:
            with torch.no_grad():
                net64.train()
                forward_checked(net64, x.double())
                net64.eval()
                forward_checked(net64, x.double())
            print(f"  inputs from generator seed {seed}")
            net64.load_state_dict(state)
            net64.train()
            return x, labels
        except AssertionError as e:
            print(f"  generator seed {seed}: {e}; trying the next")
            net64.load_state_dict(state)
            seed += 1


def results(net, x, labels, check):
    """Output, loss and parameter gradients of one training step."""
    net.zero_grad()
    out = forward_checked(net, x) if check else net(x)
    loss = F.cross_entropy(out, labels)
    loss.backward()
    grads = [("grad." + n, p.grad.detach().clone()) for n, p in net.named_parameters()]
    return out.detach(), loss.detach(), grads


# ------------------------------------------------------------- tolerance --

def worst(got, want):
    """The largest error/allowed ratio under the Go test's rule."""
    got, want = got.double(), want.double()
    if want.numel() == 0:
        return 0.0
    allowed = RTOL * torch.clamp(want.abs(), min=FLOOR)
    return ((got - want).abs() / allowed).max().item()


def compare32(ref, run32):
    """Assert torch's float32 results meet the tolerance; print the worst."""
    worst_all = 0.0
    for (name, want), (_, got) in zip(ref, run32):
        r = worst(got, want)
        worst_all = max(worst_all, r)
        print(f"  {name:32s} torch float32 error/allowed = {r:.3f}  max|want| = {want.abs().max().item():.3g}  max err = {(got.double()-want.double()).abs().max().item():.3g}")
        assert r <= 1, f"{name}: torch's own float32 run misses the tolerance ({r:.2f})"
    return worst_all


# --------------------------------------------------------------- fixtures --

def make_lenet():
    torch.manual_seed(0)
    net = lenet()
    net64 = copy.deepcopy(net).double()
    x, labels = batch(net64, 1, lambda g: torch.randn(4, 1, 32, 32, generator=g), 10)
    out, loss, grads = results(net64, x.double(), labels, check=True)
    ref = [("logits", out), ("loss", loss)] + grads
    out32, loss32, grads32 = results(net, x, labels, check=False)
    print("LeNet:")
    compare32(ref, [("logits", out32), ("loss", loss32)] + grads32)

    state = list(net.state_dict().items())
    write_safetensors(os.path.join(HERE, "lenet.safetensors"), state, {"format": "pt"})
    write_safetensors(os.path.join(HERE, "lenet_ref.safetensors"),
                      [("input", x), ("labels", labels)] + stored(ref),
                      {"source": "dl/nn/testdata/torch/generate.py", "torch": torch.__version__})
    return net, x, out


def make_batchnorm():
    torch.manual_seed(0)
    net = bnnet()
    bn = net[1]
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.normal_(0, 0.1)
        bn.running_mean.normal_(0, 0.1)
        bn.running_var.uniform_(0.5, 2)
        bn.num_batches_tracked.fill_(3)
    x, labels = batch(copy.deepcopy(net).double(), 1, lambda g: torch.randn(6, 5, generator=g), 3)
    state = list(net.state_dict().items())  # before the forward pass
    write_safetensors(os.path.join(HERE, "batchnorm.safetensors"), state, {"format": "pt"})

    net64 = copy.deepcopy(net).double()
    net32 = net
    net64.train(), net32.train()
    out, loss, grads = results(net64, x.double(), labels, check=True)
    after = [("after." + n, t.clone()) for n, t in net64.state_dict().items()
             if n.startswith("1.running") or n.endswith("num_batches_tracked")]
    out32, loss32, grads32 = results(net32, x, labels, check=False)
    after32 = [("after." + n, t.clone()) for n, t in net32.state_dict().items()
               if n.startswith("1.running") or n.endswith("num_batches_tracked")]
    net64.eval(), net32.eval()
    with torch.no_grad():
        ev = forward_checked(net64, x.double())
        ev32 = net32(x)
    ref = [("train.output", out), ("train.loss", loss)] + grads + after + [("eval.output", ev)]
    print("BatchNorm net:")
    compare32(ref, [("train.output", out32), ("train.loss", loss32)] + grads32 + after32
              + [("eval.output", ev32)])
    write_safetensors(os.path.join(HERE, "batchnorm_ref.safetensors"),
                      [("input", x), ("labels", labels)] + stored(ref),
                      {"source": "dl/nn/testdata/torch/generate.py", "torch": torch.__version__})


def stored(ref):
    """The float64 results rounded to float32 for storing: a relative change
    of at most 6e-8, far below RTOL, for half the bytes."""
    return [(n, t.float() if t.dtype == torch.float64 else t) for n, t in ref]


def load_into(net, path):
    tensors, meta = read_safetensors(path)
    net.load_state_dict(dict(tensors), strict=True)
    return meta


def self_check(logits):
    """Read every file back and reload the state dicts into fresh nets."""
    net = lenet()
    assert load_into(net, os.path.join(HERE, "lenet.safetensors")) == {"format": "pt"}
    ref = dict(read_safetensors(os.path.join(HERE, "lenet_ref.safetensors"))[0])
    with torch.no_grad():
        assert torch.equal(net(ref["input"]), logits)
    bn = bnnet()
    load_into(bn, os.path.join(HERE, "batchnorm.safetensors"))
    assert bn[1].num_batches_tracked.item() == 3
    read_safetensors(os.path.join(HERE, "batchnorm_ref.safetensors"))


def check(path):
    """Load a LeNet state dict written elsewhere (gradbook's nn.Save)."""
    net = lenet()
    meta = load_into(net, path)
    ref = dict(read_safetensors(os.path.join(HERE, "lenet_ref.safetensors"))[0])
    with torch.no_grad():
        out = net(ref["input"]).double()
    r = worst(out, ref["logits"])
    print(f"{path}: metadata {meta}, logits error/allowed = {r:.3f}")
    assert r <= 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
        return
    net, x, _ = make_lenet()
    with torch.no_grad():
        logits = net(x)
    make_batchnorm()
    self_check(logits)
    print("wrote", ", ".join(sorted(f for f in os.listdir(HERE) if f.endswith(".safetensors"))))


if __name__ == "__main__":
    main()
