package dl

import (
	"slices"
	"unsafe"

	"github.com/gradbook/gradbook/dl/cpu"
)

// Device is where a tensor's values live: CPU (main memory) or a device
// that a backend such as package gpu provides. Tensor.To moves values
// between them.
type Device interface {
	// String names the device as errors and summaries show it, e.g. "cpu"
	// or "cuda:0".
	String() string
}

// Memory is a tensor's storage: Len elements of DType, reserved by and
// owned by Backend. Main memory keeps the values in a Go slice that the
// garbage collector sees, F32 or F64 as the dtype says; a device keeps
// them at its address Ptr, with Handle for its own bookkeeping. Backends
// make Memory; dl only passes it back to them.
type Memory struct {
	Backend Backend
	DType   DType
	Len     int
	F32     []float32 // a Float32 tensor's values in main memory, or nil
	F64     []float64 // a Float64 tensor's values in main memory, or nil
	Ptr     uintptr   // a device address, or 0
	Handle  any
}

// Values returns the values in main memory, F32 or F64 as the dtype
// says, as Upload and Download take them.
func (m *Memory) Values() any {
	if m.DType == Float32 {
		return m.F32
	}
	return m.F64
}

// addr identifies m's storage for the aliasing checks of backward, nil
// when it is empty.
func (m *Memory) addr() *byte {
	if m.Len == 0 {
		return nil
	}
	switch {
	case len(m.F32) > 0:
		return (*byte)(unsafe.Pointer(&m.F32[0]))
	case len(m.F64) > 0:
		return (*byte)(unsafe.Pointer(&m.F64[0]))
	}
	return (*byte)(unsafe.Pointer(m))
}

// isCPU reports whether b is the CPU. It and same are the comparisons of
// the hot paths: a type check, not the general comparison of interfaces.
func isCPU(b Backend) bool {
	_, ok := b.(CPUBackend)
	return ok
}

// same reports whether a and b are one backend.
func same(a, b Backend) bool {
	if isCPU(a) {
		return isCPU(b)
	}
	return a == b
}

// backend returns the backend holding t's values.
func (t *Tensor) backend() Backend { return t.data.Backend }

// onCPU reports whether t's values are in main memory.
func (t *Tensor) onCPU() bool { return isCPU(t.data.Backend) }

// Device returns where t's values live.
func (t *Tensor) Device() Device { return t.data.Backend }

// OnDevice reports whether t's values live on a device other than the CPU.
func (t *Tensor) OnDevice() bool { return !t.onCPU() }

// To returns t with its values on dev: t itself when they are there
// already, otherwise a copy there. The copy is differentiable, as
// PyTorch's to: the gradient flows back to t's device. Reading the values
// of a device tensor (Item, Float64s, printing) copies them to main memory
// each time; To(dl.CPU) brings them back once.
func (t *Tensor) To(dev Device) *Tensor {
	dst := backendOf("To", dev)
	if same(t.backend(), dst) {
		return t
	}
	out := moveData(t, dst)
	if !tracking(t) {
		return out
	}
	back := t.Device()
	return record(out, opTo, []*Tensor{t}, dev.String(),
		func(g *Tensor) []*Tensor { return []*Tensor{g.To(back)} },
		func(td []*Tensor) *Tensor { return td[0].To(dev) })
}

var opTo = &opDef{"To", "{0}", []string{"{g}"}, []string{"{d0}"}, false}

// MoveTo moves a leaf tensor's values (and its gradient, if any) to dev in
// place and returns t: what nn moves a network's parameters with, so that
// the same tensors, and an optimizer holding them, follow.
func (t *Tensor) MoveTo(dev Device) *Tensor {
	if t.node != nil {
		panicf("MoveTo", "tensor of shape %v was computed by %s; only leaves move in place (use To)", t.shape, t.node.op.name)
	}
	b := backendOf("MoveTo", dev)
	if same(t.backend(), b) {
		return t
	}
	t.data = moveData(t, b).data
	if t.grad != nil {
		t.grad = moveData(t.grad, b)
	}
	return t
}

// backendOf returns dev's backend.
func backendOf(op string, dev Device) Backend {
	switch d := dev.(type) {
	case nil:
		panicf(op, "no device given (use dl.CPU or a device of package gpu)")
	case Backend:
		return d
	}
	panicf(op, "device %v has no backend", dev)
	return nil
}

// moveData returns a new leaf holding a copy of t's values on b.
func moveData(t *Tensor, b Backend) *Tensor {
	out := newOn(b, t.dtype, slices.Clone(t.shape), false)
	out.name = t.name
	if out.Len() == 0 {
		return out
	}
	switch {
	case t.onCPU():
		b.Upload(out.data, t.data.Values())
	case isCPU(b):
		t.backend().Download(out.data.Values(), t.data)
	default: // between two devices, through main memory
		h := newOn(CPU, t.dtype, t.shape, false)
		t.backend().Download(h.data.Values(), t.data)
		b.Upload(out.data, h.data.Values())
	}
	return out
}

// newOn returns a tensor on backend b, zero-filled when zero is set.
func newOn(b Backend, d DType, shape []int, zero bool) *Tensor {
	if isCPU(b) {
		if zero {
			return newTensor(d, shape)
		}
		return newTensorRaw(d, shape)
	}
	t := &Tensor{shape: shape, dtype: d, data: b.Alloc(d, cpu.Numel(shape)), id: nextID()}
	if zero && t.Len() > 0 {
		run(b).Fill(t.data, 0)
	}
	return t
}

// hostOf returns t when it lives in main memory, otherwise a copy of its
// values there (no history): for reading values (Item, Float64s,
// printing).
func hostOf(t *Tensor) *Tensor {
	if t == nil || t.onCPU() {
		return t
	}
	return moveData(t, CPU)
}

// deviceOf returns the backend that all of ts (nil ones skipped) live on,
// and panics naming op when they are on different devices.
func deviceOf(op string, ts ...*Tensor) Backend {
	var b Backend
	first := -1
	for i, t := range ts {
		if t == nil {
			continue
		}
		if first < 0 {
			b, first = t.backend(), i
			continue
		}
		if !same(t.backend(), b) {
			panicf(op, "tensors on different devices: %v %v on %v and %v %v on %v; move one with To",
				ts[first].dtype, ts[first].shape, ts[first].Device(), t.dtype, t.shape, t.Device())
		}
	}
	return b
}

// sameDevice brings a rank-0 operand on the CPU to the other operand's
// device, as PyTorch lets a CPU scalar meet a CUDA tensor; other operands
// on different devices are an error.
func sameDevice(op string, a, b *Tensor) (*Tensor, *Tensor) {
	da, db := a.backend(), b.backend()
	switch {
	case same(da, db):
	case isCPU(db) && len(b.shape) == 0:
		b = b.To(da)
	case isCPU(da) && len(a.shape) == 0:
		a = a.To(db)
	default:
		deviceOf(op, a, b)
	}
	return a, b
}

// fullOn returns a tensor filled with v on backend b.
func fullOn(b Backend, d DType, v float64, shape []int) *Tensor {
	t := newOn(b, d, shape, false)
	if t.Len() > 0 {
		run(b).Fill(t.data, v)
	}
	return t
}

// release gives t's storage back to its backend for reuse. Only for
// tensors nothing else can reach; t is unusable afterwards.
func release(t *Tensor) {
	t.backend().Free(t.data)
	t.data = nil
}
