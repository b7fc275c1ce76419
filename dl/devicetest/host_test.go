package devicetest

import (
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// Every op computed on a device without kernels, through dl's fallback
// adapter, gives the CPU's values, gradients and tangents: the dispatch
// loses nothing.
func TestHostBackendMatchesCPU(t *testing.T) {
	for _, d := range []dl.DType{dl.Float32, dl.Float64} {
		t.Run(d.String(), func(t *testing.T) { Run(t, NewHost("host:0"), d, 1e-12) })
	}
}

// The same through the device's kernels, the CPU's run on the Fake's own
// memory: dl passes each kernel the shapes, strides and layouts its
// documentation promises.
func TestFakeKernelsMatchCPU(t *testing.T) {
	for _, d := range []dl.DType{dl.Float32, dl.Float64} {
		t.Run(d.String(), func(t *testing.T) {
			dev := NewFake("fake:0")
			Run(t, dev, d, 1e-12)
			for _, k := range KernelNames() {
				if dev.Ran(k) == 0 {
					t.Errorf("no case calls the kernel %s", k)
				}
				if dev.Declined(k) != 0 {
					t.Errorf("%s declined %d calls of %s", dev, dev.Declined(k), k)
				}
			}
			if n := dev.Kept(); n != 0 {
				t.Errorf("%d blocks kept by Conv2d for the backward pass were not freed", n)
			}
		})
	}
}

// A device that declines every other call of each kernel: each kernel runs
// both on the device and through the fallback adapter, mixed within one
// op's forward and backward passes.
func TestFakeAlternateMatchesCPU(t *testing.T) {
	for _, d := range []dl.DType{dl.Float32, dl.Float64} {
		t.Run(d.String(), func(t *testing.T) {
			dev := NewFake("fake:1", Alternate())
			Run(t, dev, d, 1e-12)
			for _, k := range KernelNames() {
				if dev.Ran(k) == 0 || dev.Declined(k) == 0 {
					t.Errorf("%s: %d calls computed on the device, %d declined; want both", k, dev.Ran(k), dev.Declined(k))
				}
			}
		})
	}
}

// A device that lacks chosen kernels, some for one op code only.
func TestFakeDeclineMatchesCPU(t *testing.T) {
	declined := []string{"Gemm", "Conv2dGrad", "MaxPool", "SoftmaxGrad", "CrossEntropy", "ScatterAdd"}
	dev := NewFake("fake:2", Decline(append(declined, "Unary/exp", "Reduce/max", "Binary/mul")...))
	Run(t, dev, dl.Float32, 1e-12)
	for _, k := range declined {
		if dev.Ran(k) != 0 || dev.Declined(k) == 0 {
			t.Errorf("%s: %d calls computed on the device, %d declined", k, dev.Ran(k), dev.Declined(k))
		}
	}
	for _, k := range []string{"Unary", "Reduce", "Binary"} { // declined for one op code only
		if dev.Ran(k) == 0 || dev.Declined(k) == 0 {
			t.Errorf("%s: %d calls computed on the device, %d declined; want both", k, dev.Ran(k), dev.Declined(k))
		}
	}
	for _, k := range []string{"Conv2d", "MaxPoolGrad", "GemmBias"} {
		if dev.Ran(k) == 0 || dev.Declined(k) != 0 {
			t.Errorf("%s: %d calls computed on the device, %d declined", k, dev.Ran(k), dev.Declined(k))
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Decline of an unknown kernel did not panic")
			}
		}()
		Decline("Gemmm")
	}()
}

// Training on a device: the optimizer steps, the device state, and nn.To,
// with every other kernel call declined.
func TestTrainingOnFake(t *testing.T) {
	dev := NewFake("fake:0", Alternate())
	RunTraining(t, dev, 8, 1e-4)
	for _, k := range []string{"Step", "Conv2dGrad", "GemmBias"} {
		if dev.Ran(k) == 0 || dev.Declined(k) == 0 {
			t.Errorf("%s: %d calls computed on the device, %d declined; want both", k, dev.Ran(k), dev.Declined(k))
		}
	}
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

func TestFitOnFake(t *testing.T) {
	dev := NewFake("fake:0")
	RunFit(t, dev)
	if dev.Ran("Step") == 0 {
		t.Error("the optimizer's steps did not run on the device")
	}
}
