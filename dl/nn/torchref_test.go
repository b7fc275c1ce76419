package nn_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/nn"
)

// These tests check whole networks against PyTorch: the lecture's LeNet
// (values, loss and every gradient) and a small net with BatchNorm1d
// (training and evaluation mode, running statistics). The fixtures in
// testdata/torch were written by testdata/torch/generate.py (see how to run
// it there); the tests never run torch, they only read the committed files,
// which are safetensors files, so they also check that nn.Load reads what
// PyTorch writes and that nn.Save writes what PyTorch reads.
//
// The reference results were computed by PyTorch in float64 from the same
// float32 weights and inputs. A value got of the float32 Go run matches
// PyTorch's want when
//
//	|got − want| ≤ torchRTol · max(|want|, torchFloor)
//
// that is, a relative error of 1e-4, except that values below 1e-3 are held
// to the absolute error 1e-7 (a relative error means nothing near an exact
// zero, such as the gradient of a bias followed by BatchNorm). The script
// asserts that PyTorch's own float32 run meets the same tolerance.
const (
	torchRTol  = 1e-4
	torchFloor = 1e-3
)

const torchDir = "testdata/torch"

// lenet is the lecture's net, as generate.py builds it.
func lenet() nn.Module {
	return nn.Sequential(
		nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2),
		nn.Conv2d(6, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
		nn.Flatten(), nn.Linear(576, 120), nn.ReLU(),
		nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
}

// bnNet is generate.py's BatchNorm net.
func bnNet() nn.Module {
	return nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
}

// readRef reads a reference file of generate.py.
func readRef(t *testing.T, name string) map[string]*dl.Tensor {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(torchDir, name))
	if err != nil {
		t.Fatal(err)
	}
	st, err := nn.ParseSafetensors(b)
	if err != nil {
		t.Fatal(err)
	}
	return st.Tensors
}

// checkClose compares got with PyTorch's want under the tolerance above and
// returns the worst ratio error/allowed.
func checkClose(t *testing.T, name string, got, want *dl.Tensor) float64 {
	t.Helper()
	if want == nil {
		t.Errorf("%s: the reference has no such tensor", name)
		return 0
	}
	if got == nil {
		t.Errorf("%s: missing (want shape %v)", name, want.Shape())
		return 0
	}
	if !slices.Equal(got.Shape(), want.Shape()) {
		t.Errorf("%s: shape %v, PyTorch %v", name, got.Shape(), want.Shape())
		return 0
	}
	g, w := got.Float64s(), want.Float64s()
	worst, at, bad := 0.0, 0, 0
	for i := range g {
		r := math.Abs(g[i]-w[i]) / (torchRTol * math.Max(math.Abs(w[i]), torchFloor))
		if !(r <= 1) {
			bad++
		}
		if !(r <= worst) {
			worst, at = r, i
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ from PyTorch's beyond the tolerance; the worst, element %d, is %.8g, PyTorch %.8g (error/allowed %.3g)",
			name, bad, len(g), at, g[at], w[at], worst)
	}
	return worst
}

// checkGrads compares the gradient of every parameter of m, by its
// state-dict name, with the reference's "grad.<name>", and checks that the
// reference has no gradient the model lacks.
func checkGrads(t *testing.T, m nn.Module, ref map[string]*dl.Tensor) {
	t.Helper()
	params := m.Parameters()
	n := 0
	for _, nt := range m.StateDict() {
		if !slices.Contains(params, nt.Tensor) {
			continue // a buffer
		}
		n++
		r := checkClose(t, "grad."+nt.Name, nt.Tensor.Grad(), ref["grad."+nt.Name])
		t.Logf("%-24s worst error/allowed %.3f", "grad."+nt.Name, r)
	}
	want := 0
	for name := range ref {
		if strings.HasPrefix(name, "grad.") {
			want++
		}
	}
	if n != want || n != len(params) {
		t.Errorf("checked %d gradients of %d parameters; the reference has %d", n, len(params), want)
	}
}

func TestTorchLeNet(t *testing.T) {
	net := lenet()
	if err := nn.Load(net, filepath.Join(torchDir, "lenet.safetensors")); err != nil {
		t.Fatal(err)
	}
	ref := readRef(t, "lenet_ref.safetensors")
	logits := net.Forward(ref["input"])
	loss := nn.CrossEntropy(logits, ref["labels"])
	loss.Backward()
	t.Logf("%-24s worst error/allowed %.3f", "logits", checkClose(t, "logits", logits, ref["logits"]))
	t.Logf("%-24s worst error/allowed %.3f (%.8g, PyTorch %.8g)", "loss", checkClose(t, "loss", loss, ref["loss"]),
		loss.Item(), ref["loss"].Item())
	checkGrads(t, net, ref)
}

// TestTorchSave saves the net loaded from PyTorch's file and compares: the
// tensors must be the same, and the file byte for byte the same as the one
// generate.py wrote the way safetensors.torch.save_file does (same header
// layout, metadata {"format": "pt"}, state-dict order, padding), so that
// PyTorch reads what nn.Save writes.
func TestTorchSave(t *testing.T) {
	for _, c := range []struct {
		file string
		net  nn.Module
	}{{"lenet.safetensors", lenet()}, {"batchnorm.safetensors", bnNet()}} {
		src := filepath.Join(torchDir, c.file)
		if err := nn.Load(c.net, src); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), c.file)
		if err := nn.Save(c.net, out); err != nil {
			t.Fatal(err)
		}
		torchBytes, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		goBytes, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		want, err := nn.ParseSafetensors(torchBytes)
		if err != nil {
			t.Fatal(err)
		}
		got, err := nn.ParseSafetensors(goBytes)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Names, want.Names) {
			t.Errorf("%s: nn.Save wrote %q, PyTorch %q", c.file, got.Names, want.Names)
		}
		for _, name := range want.Names {
			g, w := got.Tensors[name], want.Tensors[name]
			if g == nil || got.DTypes[name] != want.DTypes[name] || !slices.Equal(g.Shape(), w.Shape()) ||
				!slices.Equal(g.Float64s(), w.Float64s()) {
				t.Errorf("%s: tensor %q differs from PyTorch's", c.file, name)
			}
		}
		if !bytes.Equal(goBytes, torchBytes) {
			t.Errorf("%s: nn.Save wrote %d bytes that differ from PyTorch's %d", c.file, len(goBytes), len(torchBytes))
		}
	}
}

func TestTorchBatchNorm(t *testing.T) {
	net := bnNet()
	if err := nn.Load(net, filepath.Join(torchDir, "batchnorm.safetensors")); err != nil {
		t.Fatal(err)
	}
	ref := readRef(t, "batchnorm_ref.safetensors")
	x := ref["input"]

	// Training mode: batch statistics, and one update of the running ones.
	out := net.Forward(x)
	loss := nn.CrossEntropy(out, ref["labels"])
	loss.Backward()
	t.Logf("%-24s worst error/allowed %.3f", "train.output", checkClose(t, "train.output", out, ref["train.output"]))
	t.Logf("%-24s worst error/allowed %.3f", "train.loss", checkClose(t, "train.loss", loss, ref["train.loss"]))
	checkGrads(t, net, ref)
	buffers := 0
	for _, nt := range net.StateDict() {
		if want, ok := ref["after."+nt.Name]; ok {
			buffers++
			r := checkClose(t, "after."+nt.Name, nt.Tensor, want)
			t.Logf("%-24s worst error/allowed %.3f", "after."+nt.Name, r)
		}
	}
	if buffers != 3 {
		t.Errorf("checked %d buffers, want running_mean, running_var and num_batches_tracked", buffers)
	}

	// Evaluation mode: the updated running statistics.
	net.SetTraining(false)
	ev := net.Forward(x)
	t.Logf("%-24s worst error/allowed %.3f", "eval.output", checkClose(t, "eval.output", ev, ref["eval.output"]))
}
