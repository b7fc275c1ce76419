package gpu

import (
	"errors"
	"strconv"
	"strings"
	"unsafe"

	"github.com/ebitengine/purego"
)

// cudaError is a failed call into the CUDA driver, NVRTC or cuBLAS: the
// call's name, its numeric result, the result's symbolic name and, where
// the library has one, a description (for a failed compile, the log).
type cudaError struct {
	Call string // the C function, e.g. "cuMemAlloc_v2"
	Code int    // the CUresult, nvrtcResult or cublasStatus_t
	Name string // e.g. "CUDA_ERROR_OUT_OF_MEMORY"
	Msg  string // e.g. "out of memory"; may be empty or several lines
}

// Error formats the error as "gpu: call: NAME (description)"; a
// description of several lines (a compile log) follows on lines of its own.
func (e *cudaError) Error() string {
	s := "gpu: " + e.Call + ": " + e.Name
	msg := strings.TrimSpace(e.Msg)
	switch {
	case msg == "" || msg == e.Name:
		return s
	case strings.Contains(msg, "\n"):
		return s + ":\n" + msg
	default:
		return s + " (" + msg + ")"
	}
}

// Result codes and names this package tests for.
const (
	cudaSuccess           = 0
	cudaErrorOutOfMemory  = 2
	nvrtcSuccess          = 0
	nvrtcErrorInvalidOpt  = 5
	cublasStatusSuccess   = 0
	cudaOutOfMemoryName   = "CUDA_ERROR_OUT_OF_MEMORY"
	cublasAllocFailedName = "CUBLAS_STATUS_ALLOC_FAILED"
)

// isOutOfMemory reports whether err, or an error it wraps, is the driver's
// or cuBLAS's out-of-memory result: the caching allocator frees its cache
// and retries on it.
func isOutOfMemory(err error) bool {
	var ce *cudaError
	if !errors.As(err, &ce) {
		return false
	}
	return ce.Name == cudaOutOfMemoryName || ce.Name == cublasAllocFailedName
}

// cudaErrorNames names the CUresult values most often met, for when the
// driver's own cuGetErrorName is unavailable (the driver failed to load)
// or does not know the code.
var cudaErrorNames = map[int]string{
	0:   "CUDA_SUCCESS",
	1:   "CUDA_ERROR_INVALID_VALUE",
	2:   cudaOutOfMemoryName,
	3:   "CUDA_ERROR_NOT_INITIALIZED",
	4:   "CUDA_ERROR_DEINITIALIZED",
	34:  "CUDA_ERROR_STUB_LIBRARY",
	46:  "CUDA_ERROR_DEVICE_UNAVAILABLE",
	100: "CUDA_ERROR_NO_DEVICE",
	101: "CUDA_ERROR_INVALID_DEVICE",
	200: "CUDA_ERROR_INVALID_IMAGE",
	201: "CUDA_ERROR_INVALID_CONTEXT",
	209: "CUDA_ERROR_NO_BINARY_FOR_GPU",
	218: "CUDA_ERROR_INVALID_PTX",
	222: "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
	400: "CUDA_ERROR_INVALID_HANDLE",
	500: "CUDA_ERROR_NOT_FOUND",
	600: "CUDA_ERROR_NOT_READY",
	700: "CUDA_ERROR_ILLEGAL_ADDRESS",
	701: "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
	702: "CUDA_ERROR_LAUNCH_TIMEOUT",
	719: "CUDA_ERROR_LAUNCH_FAILED",
	803: "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH",
	804: "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE",
	999: "CUDA_ERROR_UNKNOWN",
}

// nvrtcErrorNames names every nvrtcResult up to NVRTC 13.
var nvrtcErrorNames = map[int]string{
	0:  "NVRTC_SUCCESS",
	1:  "NVRTC_ERROR_OUT_OF_MEMORY",
	2:  "NVRTC_ERROR_PROGRAM_CREATION_FAILURE",
	3:  "NVRTC_ERROR_INVALID_INPUT",
	4:  "NVRTC_ERROR_INVALID_PROGRAM",
	5:  "NVRTC_ERROR_INVALID_OPTION",
	6:  "NVRTC_ERROR_COMPILATION",
	7:  "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE",
	8:  "NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION",
	9:  "NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION",
	10: "NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID",
	11: "NVRTC_ERROR_INTERNAL_ERROR",
	12: "NVRTC_ERROR_TIME_FILE_WRITE_FAILED",
	13: "NVRTC_ERROR_NO_PCH_CREATE_ATTEMPTED",
	14: "NVRTC_ERROR_PCH_CREATE_HEAP_EXHAUSTED",
	15: "NVRTC_ERROR_PCH_CREATE",
	16: "NVRTC_ERROR_CANCELLED",
	17: "NVRTC_ERROR_TIME_TRACE_FILE_WRITE_FAILED",
}

// cublasStatusNames names every cublasStatus_t; cuBLAS has no function
// that does.
var cublasStatusNames = map[int]string{
	0:  "CUBLAS_STATUS_SUCCESS",
	1:  "CUBLAS_STATUS_NOT_INITIALIZED",
	3:  cublasAllocFailedName,
	7:  "CUBLAS_STATUS_INVALID_VALUE",
	8:  "CUBLAS_STATUS_ARCH_MISMATCH",
	11: "CUBLAS_STATUS_MAPPING_ERROR",
	13: "CUBLAS_STATUS_EXECUTION_FAILED",
	14: "CUBLAS_STATUS_INTERNAL_ERROR",
	15: "CUBLAS_STATUS_NOT_SUPPORTED",
	16: "CUBLAS_STATUS_LICENSE_ERROR",
}

// tableName looks code up in names, falling back to prefix and the number
// so that a code newer than the table still reads sensibly.
func tableName(names map[int]string, prefix string, code int) string {
	if n, ok := names[code]; ok {
		return n
	}
	return prefix + strconv.Itoa(code)
}

// nvrtcError makes the error of a failed NVRTC call; msg may be empty.
func nvrtcError(call string, code uintptr, msg string) error {
	c := int(int32(code))
	return &cudaError{Call: call, Code: c, Name: tableName(nvrtcErrorNames, "NVRTC_ERROR_", c), Msg: msg}
}

// cublasError makes the error of a failed cuBLAS call.
func cublasError(call string, code uintptr) error {
	c := int(int32(code))
	return &cudaError{Call: call, Code: c, Name: tableName(cublasStatusNames, "CUBLAS_STATUS_", c)}
}

// driverError makes the error of a failed driver call, named and described
// by the driver itself where it is loaded and knows the code.
func driverError(call string, code uintptr) error {
	c := int(int32(code))
	e := &cudaError{Call: call, Code: c, Name: tableName(cudaErrorNames, "CUDA_ERROR_", c)}
	if drv.getErrorName != 0 {
		var p *byte
		if r, _, _ := purego.SyscallN(drv.getErrorName, uintptr(uint32(code)), uintptr(unsafe.Pointer(&p))); uint32(r) == cudaSuccess && p != nil {
			e.Name = cString(p)
		}
	}
	if drv.getErrorString != 0 {
		var p *byte
		if r, _, _ := purego.SyscallN(drv.getErrorString, uintptr(uint32(code)), uintptr(unsafe.Pointer(&p))); uint32(r) == cudaSuccess && p != nil {
			e.Msg = cString(p)
		}
	}
	return e
}

// check turns a driver call's result into nil or its error.
func check(call string, code uintptr) error {
	if uint32(code) == cudaSuccess {
		return nil
	}
	return driverError(call, code)
}

// cString copies the NUL-terminated C string at p, which lives outside
// the Go heap (the libraries' static strings).
func cString(p *byte) string {
	if p == nil {
		return ""
	}
	const limit = 1 << 16 // a bound for a string that lost its terminator
	n := 0
	for n < limit && *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(p, n))
}
