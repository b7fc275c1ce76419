package devicetest

import (
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// Every op computed through the device interface on the host path gives
// the CPU's values and gradients: the dispatch loses nothing.
func TestHostBackendMatchesCPU(t *testing.T) {
	for _, d := range []dl.DType{dl.Float32, dl.Float64} {
		t.Run(d.String(), func(t *testing.T) { Run(t, NewHost("host:0"), d, 1e-12) })
	}
}

// The same through the reference kernels: dl passes each kernel the
// shapes, strides and layouts its documentation promises.
func TestReferenceKernelsMatchCPU(t *testing.T) {
	for _, d := range []dl.DType{dl.Float32, dl.Float64} {
		tol := 1e-5
		if d == dl.Float64 {
			tol = 1e-12
		}
		t.Run(d.String(), func(t *testing.T) { Run(t, NewReference("ref:0"), d, tol) })
	}
}

// Training on a device: the fused optimizer steps (here computed through
// main memory), the device state, and nn.To.
func TestTrainingOnReference(t *testing.T) {
	RunTraining(t, NewReference("ref:0"), 8, 1e-4)
}

func TestDevicePlacementErrors(t *testing.T) {
	dev := NewHost("host:0")
	a := dl.Ones(2, 3).MoveTo(dev)
	b := dl.Ones(2, 3)
	err := dl.Catch(func() { a.Add(b) })
	want := "dl: Add: tensors on different devices: float32 [2 3] on host:0 and float32 [2 3] on cpu; move one with To"
	if err == nil || err.Error() != want {
		t.Errorf("mixed devices: got %v, want %q", err, want)
	}
	if got := a.Mul(dl.Scalar(2)).Device(); got != dev {
		t.Errorf("a CPU scalar times a device tensor is on %v, want %v", got, dev)
	}
	if err := dl.Catch(func() { dl.Ones(2).Named("v").MoveTo(dev).Exp().MoveTo(dl.CPU) }); err == nil {
		t.Error("MoveTo of a computed tensor did not fail")
	}
	if err := dl.Catch(func() { dl.MatMul(dl.Ones(2, 3), dl.Ones(3, 2).MoveTo(dev)) }); err == nil {
		t.Error("MatMul across devices did not fail")
	}
	x := dl.Float64.Ones(3).Named("x").MoveTo(dev)
	y := x.Mul(x).Sum()
	y.Backward()
	if x.Grad().Device() != dev || x.Grad().Float64s()[0] != 2 {
		t.Errorf("gradient on %v", x.Grad().Device())
	}
	if got := x.To(dl.CPU).Float64s(); got[0] != 1 || x.Device() != dev {
		t.Errorf("To(CPU): %v, x on %v", got, x.Device())
	}
	if s := y.String(); s != "3" {
		t.Errorf("printing a device scalar: %q", s)
	}
}

func TestFitOnReference(t *testing.T) { RunFit(t, NewReference("ref:0")) }
