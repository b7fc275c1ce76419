package gpu

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gradbook/gradbook/dl"
)

// Info describes one CUDA device.
type Info struct {
	Index        int
	Name         string
	Memory       uint64 // bytes
	Major, Minor int    // compute capability
	SMs          int    // streaming multiprocessors
}

// String is e.g. "cuda:0 NVIDIA H100 80GB HBM3, 79.2 GiB, compute 9.0, 132 SMs".
func (i Info) String() string {
	return fmt.Sprintf("cuda:%d %s, %.1f GiB, compute %d.%d, %d SMs", i.Index, i.Name, float64(i.Memory)/(1<<30), i.Major, i.Minor, i.SMs)
}

// Available reports whether a CUDA driver and at least one device are
// there.
func Available() bool {
	ds, err := Devices()
	return err == nil && len(ds) > 0
}

// Devices lists the CUDA devices. Without a driver it returns an error
// that names the libraries looked for and where.
func Devices() ([]Info, error) {
	if err := loadDriver(); err != nil {
		return nil, err
	}
	n, err := deviceCount()
	if err != nil {
		return nil, err
	}
	out := make([]Info, n)
	for i := range out {
		d, err := queryDevice(i)
		if err != nil {
			return nil, err
		}
		out[i] = Info{Index: i, Name: d.Name, Memory: d.TotalMem, Major: d.Major, Minor: d.Minor, SMs: d.SMs}
	}
	return out, nil
}

// GPU is one CUDA device as a dl device: tensors move there with
// t.To(gpu.Device(0)) and ops on them run there. It implements dl.Backend.
type GPU struct {
	dl.NoKernels // declines the kernels not defined here

	info  Info
	ctx   *context
	alloc *allocator
	mods  modules

	// mu serialises the work sent to the device: launches share one
	// argument array. It is deviceMu, shared by all devices, which also
	// guards the record of which context each thread has current.
	mu   *sync.Mutex
	blas *blasHandle
	tf32 atomic.Bool

	prof *profiler // on between StartProfile and StopProfile; guarded by mu

	sinceGC    atomic.Int64 // bytes allocated since collectIfDue last started a collection
	collecting atomic.Bool  // a collection collectIfDue started is running
}

var opened struct {
	mu   sync.Mutex
	byIx map[int]*GPU
}

// Open returns device i, initialising it on first use (the same *GPU
// every time), or an error saying what is missing: the driver, the
// device, or a library.
func Open(i int) (*GPU, error) {
	opened.mu.Lock()
	defer opened.mu.Unlock()
	if g := opened.byIx[i]; g != nil {
		return g, nil
	}
	ds, err := Devices()
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= len(ds) {
		return nil, fmt.Errorf("gpu: no device %d: the driver reports %d device(s)", i, len(ds))
	}
	if err := loadCUBLAS(); err != nil {
		return nil, err
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ctx, err := newContext(i)
	if err != nil {
		return nil, err
	}
	h, err := ctx.blas()
	if err != nil {
		return nil, err
	}
	g := &GPU{info: ds[i], ctx: ctx, blas: h, alloc: newAllocator(rawDeviceMemory{ctx}), mu: &deviceMu}
	deviceMu.Lock()
	clear(currentOn) // newContext made a context current without telling it
	deviceMu.Unlock()
	if opened.byIx == nil {
		opened.byIx = map[int]*GPU{}
	}
	opened.byIx[i] = g
	return g, nil
}

// Device returns device i as Open does, and panics with Open's error when
// it cannot: for code that needs the GPU, as t.To(gpu.Device(0)).
func Device(i int) *GPU {
	g, err := Open(i)
	if err != nil {
		panic(&dl.Error{Op: "gpu.Device", Msg: err.Error()})
	}
	return g
}

// rawDeviceMemory is the allocator's source of blocks.
type rawDeviceMemory struct{ c *context }

func (r rawDeviceMemory) alloc(bytes int) (uintptr, error) { return r.c.memAlloc(bytes) }
func (r rawDeviceMemory) free(p uintptr) error             { return r.c.memFree(p) }

// String names the device as dl shows it: "cuda:0".
func (g *GPU) String() string { return fmt.Sprintf("cuda:%d", g.info.Index) }

// Info describes the device.
func (g *GPU) Info() Info { return g.info }

// Stats returns the caching allocator's counters.
func (g *GPU) Stats() AllocatorStats { return g.alloc.stats() }

// SetTF32 turns TensorFloat-32 matrix products on or off (off at first):
// several times faster on Ampere and later, with 10-bit mantissas in the
// products, so results no longer match the CPU to float32 tolerance.
func (g *GPU) SetTF32(on bool) error {
	g.tf32.Store(on)
	return g.do(func() error { return g.blas.setTF32(on) })
}

// Synchronize waits until the work sent to the device is done.
func (g *GPU) Synchronize() error { return g.do(g.ctx.synchronize) }

// EmptyCache gives the allocator's cached blocks back to the driver.
func (g *GPU) EmptyCache() error { return g.do(g.alloc.emptyCache) }

var (
	deviceMu sync.Mutex
	// currentOn is the context each OS thread (by thread id) was last
	// given: binding costs a call into the driver, asking the thread's id
	// a tenth of that.
	currentOn = map[int]uintptr{}
)

// do runs f with the device's context current on a locked thread, one
// caller at a time.
func (g *GPU) do(f func() error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := g.bindHere(); err != nil {
		return err
	}
	return f()
}

// bindHere makes the device's context current on this thread unless it
// is already; the caller holds g.mu and the thread.
func (g *GPU) bindHere() error {
	tid, known := threadID()
	if known && currentOn[tid] == g.ctx.ctx {
		return nil
	}
	if err := g.ctx.bind(); err != nil {
		return err
	}
	currentOn[tid] = g.ctx.ctx
	return nil
}

// must panics with err as a dl error naming op: a device failure in the
// middle of an op (out of memory, a failed launch) is not recoverable
// there.
func must(op string, err error) {
	if err != nil {
		panic(&dl.Error{Op: "gpu: " + op, Msg: err.Error()})
	}
}
