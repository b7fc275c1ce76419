package gpu

import (
	"errors"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/devicetest"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
)

// gpuDevice returns device 0, or skips where there is none (fails with
// GRADBOOK_REQUIRE_GPU set).
func gpuDevice(t *testing.T) *GPU {
	t.Helper()
	g, err := Open(0)
	if err != nil {
		failOrSkip(t, "no GPU: %v", err)
	}
	return g
}

// Every op of dl on the GPU gives the CPU's values and gradients, on the
// shapes of devicetest (broadcasts, reductions over each kind of axis
// list, batched products, convolutions with stride and padding, pooling,
// the fused losses).
func TestOpsMatchCPU(t *testing.T) {
	g := gpuDevice(t)
	t.Run("float32", func(t *testing.T) { devicetest.Run(t, g, dl.Float32, 2e-5) })
	t.Run("float64", func(t *testing.T) { devicetest.Run(t, g, dl.Float64, 1e-12) })
}

// LeNet and the MLP train the same three steps on the GPU as on the CPU,
// with SGD (momentum, Nesterov, weight decay), Adam and AdamW (AMSGrad).
func TestTrainingMatchesCPU(t *testing.T) {
	g := gpuDevice(t)
	devicetest.RunTraining(t, g, 64, 2e-4)
}

// The device's work goes through the caching allocator: once training
// has run a while, steps take their blocks from the cache, and the memory
// held stays bounded by the collection interval.
func TestAllocatorReusesBlocks(t *testing.T) {
	g := gpuDevice(t)
	model := devicetest.LeNet(1)
	x, y := devicetest.Batch(1, 128, 1, 28, 28)
	opt := optim.SGD(model.Parameters(), 0.01, optim.Momentum(0.9))
	devicetest.TrainSteps(model, opt, x, y, g, 300)
	before := g.Stats()
	devicetest.TrainSteps(model, opt, x, y, g, 400)
	after := g.Stats()
	raw, reused := after.RawAllocs-before.RawAllocs, after.Reuses-before.Reuses
	held := after.InUse + after.Cached
	t.Logf("400 LeNet steps: %d blocks reused, %d new; %d MiB held; %+v", reused, raw, held>>20, after)
	if reused == 0 || raw*10 > reused {
		t.Errorf("400 steps made %d new device allocations and reused %d blocks (stats before %+v, after %+v)", raw, reused, before, after)
	}
	if limit := 3*g.gcEvery() + 1<<30; held > limit {
		t.Errorf("the allocator holds %d MiB, more than %d MiB", held>>20, limit>>20)
	}
}

// TF32 products are close to the FP32 ones, not equal (10-bit mantissas).
func TestTF32(t *testing.T) {
	g := gpuDevice(t)
	defer g.SetTF32(false)
	a, b := devicetest.Batch(5, 256, 512)
	w, _ := devicetest.Batch(6, 512, 256)
	_ = b
	want := a.MatMul(w)
	if err := g.SetTF32(true); err != nil {
		t.Fatal(err)
	}
	got := a.To(g).MatMul(w.To(g)).To(dl.CPU)
	devicetest.Compare(t, "TF32 product", got, want, 1e-2)
}

func TestDevicesAndErrors(t *testing.T) {
	g := gpuDevice(t)
	ds, err := Devices()
	if err != nil || len(ds) == 0 {
		t.Fatalf("Devices: %v %v", ds, err)
	}
	info := g.Info()
	if info.Name == "" || info.Memory < 1<<30 || info.Major < 3 || info.SMs < 1 {
		t.Errorf("implausible device: %+v", info)
	}
	if g.String() != "cuda:0" || Device(0) != g {
		t.Errorf("Device(0) is %v, a different value from Open(0)", Device(0))
	}
	t.Logf("%v", info)
	_, err = Open(len(ds))
	if err == nil || !strings.Contains(err.Error(), "no device") {
		t.Errorf("Open(%d): %v", len(ds), err)
	}
	err = dl.Catch(func() { dl.Ones(2, 3).To(g).Add(dl.Ones(2, 3)) })
	var de *dl.Error
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "cuda:0") || !strings.Contains(err.Error(), "cpu") {
		t.Errorf("adding tensors on cuda:0 and cpu: %v", err)
	}
	// values come back for printing and reading
	x := dl.Arange(0, 6, 1).Reshape(2, 3).To(g)
	if s := x.Square().String(); s != "[[ 0  1  4]\n [ 9 16 25]]" {
		t.Errorf("printing a GPU tensor: %q", s)
	}
	if v := x.Sum().Item(); v != 15 {
		t.Errorf("Item of a GPU sum: %v", v)
	}
}

// A network moved with nn.To before its optimizer is made, or after,
// trains on the device; its state dict stays there.
func TestModuleTo(t *testing.T) {
	g := gpuDevice(t)
	model := devicetest.MLP(2)
	opt := optim.Adam(model.Parameters(), 1e-3)
	nn.To(model, g)
	x, y := devicetest.Batch(2, 32, 784)
	losses := devicetest.TrainSteps(model, opt, x, y, g, 20)
	if !(losses[19] < losses[0]) {
		t.Errorf("loss did not fall: %v", losses)
	}
	for _, nt := range model.StateDict() {
		if nt.Tensor.Device() != g {
			t.Errorf("%s is on %v", nt.Name, nt.Tensor.Device())
		}
	}
	for name, s := range optim.State(opt, model.Parameters()[0]) {
		if s == nil {
			t.Errorf("state %s missing", name)
		}
	}
}

// train.Fit with Options.Device runs on the GPU and learns as on the CPU.
func TestFit(t *testing.T) { devicetest.RunFit(t, gpuDevice(t)) }

// The profiler times each kind of work on the device.
func TestProfile(t *testing.T) {
	g := gpuDevice(t)
	x, _ := devicetest.Batch(7, 512, 512)
	x = x.To(g)
	g.StartProfile()
	x.MatMul(x).ReLU().Sum().Item()
	entries, err := g.StopProfile()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", FormatProfile(entries))
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name] = e.Ms > 0 && e.Calls > 0
	}
	for _, want := range []string{"cublas", "unary_relu", "reduce_sum_parts"} {
		if !names[want] {
			t.Errorf("no time for %s in %+v", want, entries)
		}
	}
}
