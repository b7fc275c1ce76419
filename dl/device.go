package dl

import (
	"slices"
	"unsafe"
)

// Device is where a tensor's values live: CPU (main memory) or a device
// that a backend such as package gpu provides. Tensor.To moves values
// between them.
type Device interface {
	// String names the device as errors and summaries show it, e.g. "cpu"
	// or "cuda:0".
	String() string
}

// CPU is main memory, where every tensor starts.
var CPU Device = cpuDevice{}

type cpuDevice struct{}

func (cpuDevice) String() string { return "cpu" }

// DeviceMemory is a tensor's storage on a device: Len elements of DType at
// device address Ptr, reserved by and owned by Backend. Backends make it;
// dl only passes it back to them.
type DeviceMemory struct {
	Ptr     uintptr
	Len     int
	DType   DType
	Backend Backend
	Handle  any // the backend's own bookkeeping for the block
}

// backend returns the backend holding t's values, or nil on the CPU.
func (t *Tensor) backend() Backend {
	if m, ok := t.data.(*DeviceMemory); ok {
		return m.Backend
	}
	return nil
}

// mem returns t's device storage; t must be on a device.
func (t *Tensor) mem() *DeviceMemory { return t.data.(*DeviceMemory) }

// Device returns where t's values live.
func (t *Tensor) Device() Device {
	if b := t.backend(); b != nil {
		return b
	}
	return CPU
}

// OnDevice reports whether t's values live on a device other than the CPU.
func (t *Tensor) OnDevice() bool { return t.backend() != nil }

// To returns t with its values on dev: t itself when they are there
// already, otherwise a copy there. The copy is differentiable, as
// PyTorch's to: the gradient flows back to t's device. Reading the values
// of a device tensor (Item, Float64s, printing) copies them to main memory
// each time; To(dl.CPU) brings them back once.
func (t *Tensor) To(dev Device) *Tensor {
	src := t.backend()
	dst := backendOf("To", dev)
	if src == dst {
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
	if t.backend() == b {
		return t
	}
	moved := moveData(t, b)
	t.data = moved.data
	if t.grad != nil {
		t.grad = moveData(t.grad, b)
	}
	return t
}

// backendOf returns dev's backend, nil for the CPU.
func backendOf(op string, dev Device) Backend {
	switch d := dev.(type) {
	case nil:
		panicf(op, "no device given (use dl.CPU or a device of package gpu)")
	case cpuDevice:
		return nil
	case Backend:
		return d
	}
	panicf(op, "device %v has no backend", dev)
	return nil
}

// moveData returns a new leaf holding t's values on b (nil: the CPU).
func moveData(t *Tensor, b Backend) *Tensor {
	host := t
	if src := t.backend(); src != nil {
		host = newTensorRaw(t.dtype, slices.Clone(t.shape))
		download(host, t)
	}
	if b == nil {
		if host == t {
			host = t.Clone()
		}
		host.name = t.name
		return host
	}
	out := newOn(b, t.dtype, slices.Clone(t.shape), false)
	if out.Len() > 0 {
		b.Upload(out.mem(), host.data)
	}
	out.name = t.name
	return out
}

// newOn returns a tensor on backend b (nil: the CPU), zero-filled when
// zero is set.
func newOn(b Backend, d DType, shape []int, zero bool) *Tensor {
	if b == nil {
		if zero {
			return newTensor(d, shape)
		}
		return newTensorRaw(d, shape)
	}
	m := b.Alloc(d, numel(shape))
	if zero && m.Len > 0 {
		if !b.Fill(m, 0) {
			b.Upload(m, d.alloc(m.Len))
		}
	}
	return &Tensor{shape: shape, dtype: d, data: m, id: nextID()}
}

// download copies device tensor src's values into the host tensor dst of
// its size, waiting for the work queued on the device.
func download(dst, src *Tensor) {
	if src.Len() > 0 {
		src.backend().Download(dst.data, src.mem())
	}
}

// hostOf returns t when it lives in main memory, otherwise a host copy
// of its values (no history): the operand of a kernel that the device has
// not got, computed on the host instead.
func hostOf(t *Tensor) *Tensor {
	if t == nil || t.backend() == nil {
		return t
	}
	h := newTensorRaw(t.dtype, slices.Clone(t.shape))
	download(h, t)
	return h
}

// uploadTo returns the host tensor h's values as a tensor on b.
func uploadTo(b Backend, h *Tensor) *Tensor {
	out := newOn(b, h.dtype, h.shape, false)
	if out.Len() > 0 {
		b.Upload(out.mem(), h.data)
	}
	return out
}

// writeBack copies the host tensor h's values over device tensor t's.
func writeBack(t, h *Tensor) {
	if t.Len() > 0 {
		t.backend().Upload(t.mem(), h.data)
	}
}

// deviceOf returns the backend that all of ts (nil ones skipped) live on,
// nil for the CPU, and panics naming op when they are on different
// devices.
func deviceOf(op string, ts ...*Tensor) Backend {
	var b Backend
	first := -1
	for i, t := range ts {
		if t == nil {
			continue
		}
		tb := t.backend()
		if first < 0 {
			b, first = tb, i
			continue
		}
		if tb != b {
			panicf(op, "tensors on different devices: %v %v on %v and %v %v on %v; move one with To",
				ts[first].dtype, ts[first].shape, ts[first].Device(), t.dtype, t.shape, t.Device())
		}
	}
	return b
}

// devAddr identifies device storage for the aliasing checks of backward.
func devAddr(m *DeviceMemory) *byte {
	if m.Len == 0 {
		return nil
	}
	return (*byte)(unsafe.Pointer(m))
}

// sameDevice brings a rank-0 operand on the CPU to the other operand's
// device, as PyTorch lets a CPU scalar meet a CUDA tensor; other operands
// on different devices are an error.
func sameDevice(op string, a, b *Tensor) (*Tensor, *Tensor) {
	da, db := a.backend(), b.backend()
	switch {
	case da == db:
	case db == nil && len(b.shape) == 0:
		b = b.To(da)
	case da == nil && len(a.shape) == 0:
		a = a.To(db)
	default:
		deviceOf(op, a, b)
	}
	return a, b
}

// fullOn returns a tensor filled with v on backend b (nil: the CPU).
func fullOn(b Backend, d DType, v float64, shape []int) *Tensor {
	if b == nil {
		return d.Full(v, shape...)
	}
	t := newOn(b, d, shape, false)
	if t.Len() > 0 && !b.Fill(t.mem(), v) {
		writeBack(t, d.Full(v, shape...))
	}
	return t
}
