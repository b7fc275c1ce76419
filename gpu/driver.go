package gpu

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// driverAPI holds the addresses of the CUDA driver functions this package
// calls, resolved once by loadDriver. Calls go through purego.SyscallN:
// every argument is an integer or a pointer, so no reflection is needed.
type driverAPI struct {
	init, deviceGet, deviceGetCount, deviceGetName, deviceGetAttribute, deviceTotalMem uintptr
	primaryCtxRetain, ctxSetCurrent                                                    uintptr
	memAlloc, memFree, memGetInfo                                                      uintptr
	memcpyHtoDAsync, memcpyDtoHAsync, memcpyDtoDAsync, memsetD32Async, memsetD8Async   uintptr
	streamCreate, streamSynchronize                                                    uintptr
	moduleLoadDataEx, moduleGetFunction, launchKernel                                  uintptr
	eventCreate, eventRecord, eventSynchronize, eventElapsedTime, eventDestroy         uintptr
	getErrorName, getErrorString                                                       uintptr
}

var drv driverAPI

// symbols lists the driver functions by their exported names: the _v2
// names are the 64-bit-size ABI that cuda.h's macros select.
func (d *driverAPI) symbols() []symbol {
	s := func(p *uintptr, names ...string) symbol { return symbol{p: p, names: names} }
	return []symbol{
		s(&d.getErrorName, "cuGetErrorName"),
		s(&d.getErrorString, "cuGetErrorString"),
		s(&d.init, "cuInit"),
		s(&d.deviceGet, "cuDeviceGet"),
		s(&d.deviceGetCount, "cuDeviceGetCount"),
		s(&d.deviceGetName, "cuDeviceGetName"),
		s(&d.deviceGetAttribute, "cuDeviceGetAttribute"),
		s(&d.deviceTotalMem, "cuDeviceTotalMem_v2"),
		s(&d.primaryCtxRetain, "cuDevicePrimaryCtxRetain"),
		s(&d.ctxSetCurrent, "cuCtxSetCurrent"),
		s(&d.memAlloc, "cuMemAlloc_v2"),
		s(&d.memFree, "cuMemFree_v2"),
		s(&d.memGetInfo, "cuMemGetInfo_v2"),
		s(&d.memcpyHtoDAsync, "cuMemcpyHtoDAsync_v2"),
		s(&d.memcpyDtoHAsync, "cuMemcpyDtoHAsync_v2"),
		s(&d.memcpyDtoDAsync, "cuMemcpyDtoDAsync_v2"),
		s(&d.memsetD32Async, "cuMemsetD32Async"),
		s(&d.memsetD8Async, "cuMemsetD8Async"),
		s(&d.streamCreate, "cuStreamCreate"),
		s(&d.streamSynchronize, "cuStreamSynchronize"),
		s(&d.moduleLoadDataEx, "cuModuleLoadDataEx"),
		s(&d.moduleGetFunction, "cuModuleGetFunction"),
		s(&d.launchKernel, "cuLaunchKernel"),
		s(&d.eventCreate, "cuEventCreate"),
		s(&d.eventRecord, "cuEventRecord"),
		s(&d.eventSynchronize, "cuEventSynchronize"),
		s(&d.eventElapsedTime, "cuEventElapsedTime_v2", "cuEventElapsedTime"),
		s(&d.eventDestroy, "cuEventDestroy_v2", "cuEventDestroy"),
	}
}

// deviceCount returns the number of CUDA devices.
func deviceCount() (int, error) {
	if err := loadDriver(); err != nil {
		return 0, err
	}
	var n int32
	r, _, _ := purego.SyscallN(drv.deviceGetCount, uintptr(unsafe.Pointer(&n)))
	return int(n), check("cuDeviceGetCount", r)
}

// deviceInfo describes one device.
type deviceInfo struct {
	Ordinal      int
	Name         string
	TotalMem     uint64 // bytes
	Major, Minor int    // compute capability, e.g. 9.0 for an H100
	SMs          int    // streaming multiprocessors
}

// CUdevice_attribute values queried by queryDevice.
const (
	attrMultiprocessorCount = 16
	attrComputeMajor        = 75
	attrComputeMinor        = 76
)

// queryDevice describes device i (an ordinal below deviceCount()).
func queryDevice(i int) (deviceInfo, error) {
	info := deviceInfo{Ordinal: i}
	if err := loadDriver(); err != nil {
		return info, err
	}
	var d int32
	r, _, _ := purego.SyscallN(drv.deviceGet, uintptr(unsafe.Pointer(&d)), uintptr(i))
	if err := check("cuDeviceGet", r); err != nil {
		return info, fmt.Errorf("%w: device %d", err, i)
	}
	var name [256]byte
	r, _, _ = purego.SyscallN(drv.deviceGetName, uintptr(unsafe.Pointer(&name[0])), uintptr(len(name)-1), uintptr(d))
	if err := check("cuDeviceGetName", r); err != nil {
		return info, err
	}
	info.Name = cString(&name[0])
	var total uint64
	r, _, _ = purego.SyscallN(drv.deviceTotalMem, uintptr(unsafe.Pointer(&total)), uintptr(d))
	if err := check("cuDeviceTotalMem_v2", r); err != nil {
		return info, err
	}
	info.TotalMem = total
	for _, a := range []struct {
		attr int
		dst  *int
	}{{attrComputeMajor, &info.Major}, {attrComputeMinor, &info.Minor}, {attrMultiprocessorCount, &info.SMs}} {
		var v int32
		r, _, _ = purego.SyscallN(drv.deviceGetAttribute, uintptr(unsafe.Pointer(&v)), uintptr(a.attr), uintptr(d))
		if err := check("cuDeviceGetAttribute", r); err != nil {
			return info, fmt.Errorf("%w: attribute %d", err, a.attr)
		}
		*a.dst = int(v)
	}
	return info, nil
}

// maxParams bounds a kernel's arguments: 64 slots of 8 bytes.
const maxParams = 64

// context is one device's primary context and the one stream that all of
// this package's work on the device goes to, so that work is ordered
// without events. A context is made once per device and lives as long as
// the process. CUDA makes a context current per OS thread: callers lock
// their goroutine to its thread (runtime.LockOSThread) and call bind
// before a run of calls. Launches share one argument array, so a context
// is not safe for concurrent use: callers serialise.
type context struct {
	dev    int
	ctx    uintptr // CUcontext
	stream uintptr // CUstream, non-blocking with respect to the legacy stream

	params *[maxParams]uint64  // launch arguments, one 8-byte slot each
	ptrs   *[maxParams]uintptr // the kernelParams array: ptrs[i] = &params[i]
	pin    runtime.Pinner      // keeps params and ptrs where the driver was told

	blasMu sync.Mutex
	blasH  *blasHandle
}

// contexts holds the one context of each device.
var contexts struct {
	mu    sync.Mutex
	byDev map[int]*context
}

// CU_STREAM_NON_BLOCKING: the stream does not wait for the legacy default
// stream, which other libraries in the process may use.
const streamNonBlocking = 1

// newContext returns device dev's context, retaining its primary context
// and creating its stream on first use. It leaves the context current on
// the calling thread.
func newContext(dev int) (*context, error) {
	if err := loadDriver(); err != nil {
		return nil, err
	}
	contexts.mu.Lock()
	defer contexts.mu.Unlock()
	if c := contexts.byDev[dev]; c != nil {
		return c, c.bind()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var d int32
	r, _, _ := purego.SyscallN(drv.deviceGet, uintptr(unsafe.Pointer(&d)), uintptr(dev))
	if err := check("cuDeviceGet", r); err != nil {
		return nil, fmt.Errorf("%w: device %d", err, dev)
	}
	c := &context{dev: dev, params: new([maxParams]uint64), ptrs: new([maxParams]uintptr)}
	r, _, _ = purego.SyscallN(drv.primaryCtxRetain, uintptr(unsafe.Pointer(&c.ctx)), uintptr(d))
	if err := check("cuDevicePrimaryCtxRetain", r); err != nil {
		return nil, err
	}
	if err := c.bind(); err != nil {
		return nil, err
	}
	r, _, _ = purego.SyscallN(drv.streamCreate, uintptr(unsafe.Pointer(&c.stream)), streamNonBlocking)
	if err := check("cuStreamCreate", r); err != nil {
		return nil, err
	}
	for i := range c.ptrs {
		c.ptrs[i] = uintptr(unsafe.Pointer(&c.params[i]))
	}
	c.pin.Pin(c.params)
	c.pin.Pin(c.ptrs)
	if contexts.byDev == nil {
		contexts.byDev = make(map[int]*context)
	}
	contexts.byDev[dev] = c
	return c, nil
}

// bind makes c current on the calling OS thread.
func (c *context) bind() error {
	r, _, _ := purego.SyscallN(drv.ctxSetCurrent, c.ctx)
	return check("cuCtxSetCurrent", r)
}

// memAlloc allocates bytes of device memory.
func (c *context) memAlloc(bytes int) (uintptr, error) {
	if bytes <= 0 {
		return 0, fmt.Errorf("gpu: memAlloc: %d bytes requested", bytes)
	}
	var p uintptr
	r, _, _ := purego.SyscallN(drv.memAlloc, uintptr(unsafe.Pointer(&p)), uintptr(bytes))
	if err := check("cuMemAlloc_v2", r); err != nil {
		return 0, fmt.Errorf("%w: %d bytes", err, bytes)
	}
	return p, nil
}

// memFree frees device memory from memAlloc.
func (c *context) memFree(p uintptr) error {
	r, _, _ := purego.SyscallN(drv.memFree, p)
	return check("cuMemFree_v2", r)
}

// memInfo reports the device's free and total memory in bytes.
func (c *context) memInfo() (free, total uint64, err error) {
	r, _, _ := purego.SyscallN(drv.memGetInfo, uintptr(unsafe.Pointer(&free)), uintptr(unsafe.Pointer(&total)))
	return free, total, check("cuMemGetInfo_v2", r)
}

// copyHtoD queues a copy of bytes from host memory src to dst on the
// stream. From pageable memory (Go's) the driver stages the data before it
// returns, so src may be reused at once.
func (c *context) copyHtoD(dst uintptr, src unsafe.Pointer, bytes int) error {
	if bytes == 0 {
		return nil
	}
	r, _, _ := purego.SyscallN(drv.memcpyHtoDAsync, dst, uintptr(src), uintptr(bytes), c.stream)
	return check("cuMemcpyHtoDAsync_v2", r)
}

// copyDtoH copies bytes from device memory src to host memory dst after
// the work queued before it, and waits for the stream: dst holds the data
// on return, and an error of an earlier kernel surfaces here.
func (c *context) copyDtoH(dst unsafe.Pointer, src uintptr, bytes int) error {
	if bytes == 0 {
		return c.synchronize()
	}
	r, _, _ := purego.SyscallN(drv.memcpyDtoHAsync, uintptr(dst), src, uintptr(bytes), c.stream)
	if err := check("cuMemcpyDtoHAsync_v2", r); err != nil {
		return err
	}
	return c.synchronize()
}

// copyDtoD queues a device-to-device copy of bytes on the stream.
func (c *context) copyDtoD(dst, src uintptr, bytes int) error {
	if bytes == 0 {
		return nil
	}
	r, _, _ := purego.SyscallN(drv.memcpyDtoDAsync, dst, src, uintptr(bytes), c.stream)
	return check("cuMemcpyDtoDAsync_v2", r)
}

// memsetD32 queues filling n 32-bit words at dst with v (a float32's bits
// fill with that float).
func (c *context) memsetD32(dst uintptr, v uint32, n int) error {
	if n == 0 {
		return nil
	}
	r, _, _ := purego.SyscallN(drv.memsetD32Async, dst, uintptr(v), uintptr(n), c.stream)
	return check("cuMemsetD32Async", r)
}

// memsetD8 queues filling n bytes at dst with v.
func (c *context) memsetD8(dst uintptr, v uint8, n int) error {
	if n == 0 {
		return nil
	}
	r, _, _ := purego.SyscallN(drv.memsetD8Async, dst, uintptr(v), uintptr(n), c.stream)
	return check("cuMemsetD8Async", r)
}

// synchronize waits for all work queued on the stream; an asynchronous
// failure (a kernel's illegal address) is reported here.
func (c *context) synchronize() error {
	r, _, _ := purego.SyscallN(drv.streamSynchronize, c.stream)
	return check("cuStreamSynchronize", r)
}

// CUjit_option values for the JIT's error log.
const (
	jitErrorLogBuffer     = 5
	jitErrorLogBufferSize = 6
)

// loadModule loads PTX (or a cubin) into the context. The driver JIT
// compiles PTX for the device; its error log is added to a failure.
func (c *context) loadModule(ptx []byte) (uintptr, error) {
	image := cBytes(string(ptx)) // the driver reads PTX up to a NUL
	logBuf := make([]byte, 8192)
	opts := [2]int32{jitErrorLogBuffer, jitErrorLogBufferSize}
	vals := [2]uintptr{uintptr(unsafe.Pointer(&logBuf[0])), uintptr(len(logBuf) - 1)}
	var pin runtime.Pinner
	pin.Pin(&logBuf[0])
	defer pin.Unpin()
	var mod uintptr
	r, _, _ := purego.SyscallN(drv.moduleLoadDataEx, uintptr(unsafe.Pointer(&mod)), uintptr(unsafe.Pointer(&image[0])),
		uintptr(len(opts)), uintptr(unsafe.Pointer(&opts[0])), uintptr(unsafe.Pointer(&vals[0])))
	if err := check("cuModuleLoadDataEx", r); err != nil {
		if log := cString(&logBuf[0]); log != "" {
			return 0, fmt.Errorf("%w; JIT log:\n%s", err, log)
		}
		return 0, err
	}
	return mod, nil
}

// function looks up the kernel name (an extern "C" name) in mod.
func (c *context) function(mod uintptr, name string) (uintptr, error) {
	cname := cBytes(name)
	var fn uintptr
	r, _, _ := purego.SyscallN(drv.moduleGetFunction, uintptr(unsafe.Pointer(&fn)), mod, uintptr(unsafe.Pointer(&cname[0])))
	if err := check("cuModuleGetFunction", r); err != nil {
		return 0, fmt.Errorf("%w: kernel %q", err, name)
	}
	return fn, nil
}

// launch queues kernel fn on the stream. Each argument fills one 8-byte
// slot (see argF32, argF64, argI32, argPtr): the driver reads each kernel
// parameter with its own size from the start of its slot. The slots are
// the context's, pinned once, so a launch allocates nothing.
func (c *context) launch(fn uintptr, grid, block [3]uint32, sharedBytes uint32, args ...uint64) error {
	if len(args) > maxParams {
		return fmt.Errorf("gpu: launch: %d kernel arguments, at most %d", len(args), maxParams)
	}
	copy(c.params[:], args)
	r, _, _ := purego.SyscallN(drv.launchKernel, fn,
		uintptr(grid[0]), uintptr(grid[1]), uintptr(grid[2]),
		uintptr(block[0]), uintptr(block[1]), uintptr(block[2]),
		uintptr(sharedBytes), c.stream, uintptr(unsafe.Pointer(c.ptrs)), 0)
	if err := check("cuLaunchKernel", r); err != nil {
		return fmt.Errorf("%w: grid %v, block %v, %d shared bytes, %d arguments", err, grid, block, sharedBytes, len(args))
	}
	return nil
}

// argF32 passes a float kernel parameter.
func argF32(v float32) uint64 { return uint64(math.Float32bits(v)) }

// argF64 passes a double kernel parameter.
func argF64(v float64) uint64 { return math.Float64bits(v) }

// argI32 passes an int kernel parameter; v must fit in 32 bits.
func argI32(v int) uint64 { return uint64(uint32(int32(v))) }

// argI64 passes a long long (or size_t) kernel parameter.
func argI64(v int64) uint64 { return uint64(v) }

// argPtr passes a device pointer kernel parameter.
func argPtr(p uintptr) uint64 { return uint64(p) }

// event is a point in the stream's work, for timing it.
type event struct{ ev uintptr }

// newEvent creates an event with timing enabled.
func (c *context) newEvent() (*event, error) {
	e := &event{}
	r, _, _ := purego.SyscallN(drv.eventCreate, uintptr(unsafe.Pointer(&e.ev)), 0)
	return e, check("cuEventCreate", r)
}

// record queues e on the stream: it completes when the work queued before
// it has.
func (c *context) record(e *event) error {
	r, _, _ := purego.SyscallN(drv.eventRecord, e.ev, c.stream)
	return check("cuEventRecord", r)
}

// destroy releases e.
func (e *event) destroy() error {
	r, _, _ := purego.SyscallN(drv.eventDestroy, e.ev)
	return check("cuEventDestroy_v2", r)
}

// elapsedMs waits for end and returns the milliseconds between start and
// end, both recorded.
func elapsedMs(start, end *event) (float32, error) {
	r, _, _ := purego.SyscallN(drv.eventSynchronize, end.ev)
	if err := check("cuEventSynchronize", r); err != nil {
		return 0, err
	}
	var ms float32
	r, _, _ = purego.SyscallN(drv.eventElapsedTime, uintptr(unsafe.Pointer(&ms)), start.ev, end.ev)
	return ms, check("cuEventElapsedTime", r)
}
