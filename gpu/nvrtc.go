package gpu

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// nvrtcAPI holds the addresses of the NVRTC functions, resolved once by
// loadNVRTC.
type nvrtcAPI struct {
	version, createProgram, compileProgram, destroyProgram uintptr
	getPTXSize, getPTX, getProgramLogSize, getProgramLog   uintptr
	getNumSupportedArchs, getSupportedArchs                uintptr // NVRTC 11.2 and later; 0 if absent
}

var nvrtc nvrtcAPI

func (n *nvrtcAPI) symbols() []symbol {
	s := func(p *uintptr, name string) symbol { return symbol{p: p, names: []string{name}} }
	return []symbol{
		s(&n.version, "nvrtcVersion"),
		s(&n.createProgram, "nvrtcCreateProgram"),
		s(&n.compileProgram, "nvrtcCompileProgram"),
		s(&n.destroyProgram, "nvrtcDestroyProgram"),
		s(&n.getPTXSize, "nvrtcGetPTXSize"),
		s(&n.getPTX, "nvrtcGetPTX"),
		s(&n.getProgramLogSize, "nvrtcGetProgramLogSize"),
		s(&n.getProgramLog, "nvrtcGetProgramLog"),
		{p: &n.getNumSupportedArchs, names: []string{"nvrtcGetNumSupportedArchs"}, optional: true},
		{p: &n.getSupportedArchs, names: []string{"nvrtcGetSupportedArchs"}, optional: true},
	}
}

// nvrtcMu serialises compiles: older NVRTC releases are not safe for
// concurrent use.
var nvrtcMu sync.Mutex

// nvrtcVersion returns the version of the loaded NVRTC, e.g. 13, 0.
func nvrtcVersion() (major, minor int, err error) {
	if err := loadNVRTC(); err != nil {
		return 0, 0, err
	}
	var ma, mi int32
	r, _, _ := purego.SyscallN(nvrtc.version, uintptr(unsafe.Pointer(&ma)), uintptr(unsafe.Pointer(&mi)))
	if uint32(r) != nvrtcSuccess {
		return 0, 0, nvrtcError("nvrtcVersion", r, "")
	}
	return int(ma), int(mi), nil
}

// compilePTX compiles the CUDA C++ source src (name is its file name in
// messages, e.g. "saxpy.cu") to PTX for compute capability major.minor,
// with options added after --gpu-architecture. A device newer than this NVRTC
// knows gets PTX for the newest architecture it knows, which the driver
// compiles on for the device. The log holds NVRTC's warnings; on failure
// the error includes it.
func compilePTX(src, name string, major, minor int, options ...string) (ptx []byte, log string, err error) {
	if err := loadNVRTC(); err != nil {
		return nil, "", err
	}
	if name == "" {
		name = "kernel.cu"
	}
	nvrtcMu.Lock()
	defer nvrtcMu.Unlock()
	arch := major*10 + minor
	archs := supportedArchs()
	if len(archs) > 0 {
		arch = clampArch(arch, archs)
		ptx, log, _, err = compileOnce(src, name, arch, options)
		return ptx, log, err
	}
	// Without the list (NVRTC before 11.2), step down through the
	// architectures NVRTC releases have known while an option is rejected.
	archs = []int{90, 89, 87, 86, 80, 75, 72, 70, 61, 60, 53, 52, 50}
	for {
		var code int
		ptx, log, code, err = compileOnce(src, name, arch, options)
		if code != nvrtcErrorInvalidOpt {
			return ptx, log, err
		}
		lower := clampArch(arch-1, archs)
		if lower >= arch {
			return ptx, log, err
		}
		arch = lower
	}
}

// clampArch returns the largest of archs not above arch, or arch itself
// when all are above it.
func clampArch(arch int, archs []int) int {
	best := -1
	for _, a := range archs {
		if a <= arch && a > best {
			best = a
		}
	}
	if best < 0 {
		return arch
	}
	return best
}

// supportedArchs lists the SM versions the loaded NVRTC can compile for
// (e.g. 75 … 120), or nil when it cannot say.
func supportedArchs() []int {
	if nvrtc.getNumSupportedArchs == 0 || nvrtc.getSupportedArchs == 0 {
		return nil
	}
	var n int32
	if r, _, _ := purego.SyscallN(nvrtc.getNumSupportedArchs, uintptr(unsafe.Pointer(&n))); uint32(r) != nvrtcSuccess || n <= 0 {
		return nil
	}
	list := make([]int32, n)
	if r, _, _ := purego.SyscallN(nvrtc.getSupportedArchs, uintptr(unsafe.Pointer(&list[0]))); uint32(r) != nvrtcSuccess {
		return nil
	}
	out := make([]int, n)
	for i, a := range list {
		out[i] = int(a)
	}
	return out
}

// compileOnce runs one NVRTC compile for compute_arch and returns the PTX,
// the log, and NVRTC's result code.
func compileOnce(src, name string, arch int, options []string) ([]byte, string, int, error) {
	csrc, cname := cBytes(src), cBytes(name)
	var prog uintptr
	r, _, _ := purego.SyscallN(nvrtc.createProgram, uintptr(unsafe.Pointer(&prog)),
		uintptr(unsafe.Pointer(&csrc[0])), uintptr(unsafe.Pointer(&cname[0])), 0, 0, 0)
	if uint32(r) != nvrtcSuccess {
		return nil, "", int(uint32(r)), nvrtcError("nvrtcCreateProgram", r, "")
	}
	defer purego.SyscallN(nvrtc.destroyProgram, uintptr(unsafe.Pointer(&prog)))

	opts := append([]string{fmt.Sprintf("--gpu-architecture=compute_%d", arch)}, options...)
	cs := make([][]byte, len(opts))
	ptrs := make([]uintptr, len(opts))
	// ptrs hides the option strings from the collector as integers.
	var pin runtime.Pinner
	defer pin.Unpin()
	for i, o := range opts {
		cs[i] = cBytes(o)
		pin.Pin(&cs[i][0])
		ptrs[i] = uintptr(unsafe.Pointer(&cs[i][0]))
	}
	r, _, _ = purego.SyscallN(nvrtc.compileProgram, prog, uintptr(len(opts)), uintptr(unsafe.Pointer(&ptrs[0])))
	log := programLog(prog)
	if code := uint32(r); code != nvrtcSuccess {
		msg := log
		if strings.TrimSpace(msg) == "" {
			msg = "options: " + strings.Join(opts, " ")
		}
		return nil, log, int(code), nvrtcError("nvrtcCompileProgram", r, msg)
	}

	var size uintptr
	r, _, _ = purego.SyscallN(nvrtc.getPTXSize, prog, uintptr(unsafe.Pointer(&size)))
	if uint32(r) != nvrtcSuccess {
		return nil, log, int(uint32(r)), nvrtcError("nvrtcGetPTXSize", r, "")
	}
	ptx := make([]byte, size+1)
	r, _, _ = purego.SyscallN(nvrtc.getPTX, prog, uintptr(unsafe.Pointer(&ptx[0])))
	if uint32(r) != nvrtcSuccess {
		return nil, log, int(uint32(r)), nvrtcError("nvrtcGetPTX", r, "")
	}
	return bytes.TrimRight(ptx, "\x00"), log, nvrtcSuccess, nil
}

// programLog returns prog's compile log without its terminating NUL.
func programLog(prog uintptr) string {
	var size uintptr
	if r, _, _ := purego.SyscallN(nvrtc.getProgramLogSize, prog, uintptr(unsafe.Pointer(&size))); uint32(r) != nvrtcSuccess || size <= 1 {
		return ""
	}
	buf := make([]byte, size+1)
	if r, _, _ := purego.SyscallN(nvrtc.getProgramLog, prog, uintptr(unsafe.Pointer(&buf[0]))); uint32(r) != nvrtcSuccess {
		return ""
	}
	return string(bytes.TrimRight(buf, "\x00"))
}

// cBytes returns s as a NUL-terminated byte slice for C.
func cBytes(s string) []byte {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return b
}
