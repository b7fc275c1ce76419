package gpu

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/ebitengine/purego"
)

// library is a shared library opened at run time with dlopen, so that the
// package builds without cgo and without CUDA installed.
type library struct {
	Name   string // what it is, e.g. "libcuda"
	Path   string // the file it was loaded from, or the soname when the loader's choice cannot be read back
	soname string // the soname that matched, e.g. "libcublasLt.so.13"
	handle uintptr
}

// cudaPathEnv names the variable that lists, colon-separated, directories
// searched before any other place.
const cudaPathEnv = "GRADBOOK_CUDA_PATH"

// The sonames tried for each library, newest first.
var (
	driverSonames  = []string{"libcuda.so.1"}
	nvrtcSonames   = []string{"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"}
	cublasVersions = []string{".so.13", ".so.12", ".so.11"}
)

// fixedDirs are where drivers and toolkits install their libraries, tried
// after the dynamic loader (which knows ldconfig's cache and
// LD_LIBRARY_PATH) has failed.
var fixedDirs = []string{
	"/usr/local/nvidia/lib64",
	"/usr/local/cuda/lib64",
	"/usr/local/cuda/targets/x86_64-linux/lib",
	"/usr/lib/x86_64-linux-gnu",
	"/usr/lib64",
}

// pythonDirPatterns find the libraries that NVIDIA's pip wheels install:
// all of CUDA 13 in nvidia/cu13/lib, earlier versions one per package
// (nvidia/cublas/lib, nvidia/cuda_nvrtc/lib).
var pythonDirPatterns = []string{
	"/usr/local/lib/python3*/site-packages/nvidia/cu13/lib",
	"/usr/local/lib/python3*/dist-packages/nvidia/cu13/lib",
	"/usr/lib/python3/dist-packages/nvidia/cu13/lib",
	"/usr/local/lib/python3*/site-packages/nvidia/*/lib",
	"/usr/local/lib/python3*/dist-packages/nvidia/*/lib",
	"/usr/lib/python3/dist-packages/nvidia/*/lib",
}

// searchDirs lists the fixed directories and the Python package
// directories that exist, in the order they are searched.
func searchDirs() []string {
	dirs := append([]string(nil), fixedDirs...)
	for _, pat := range pythonDirPatterns {
		m, _ := filepath.Glob(pat)
		sort.Strings(m)
		dirs = append(dirs, m...)
	}
	return dedupe(dirs)
}

// openLibrary opens the first of sonames it finds, trying for each soname
// in turn the directories of GRADBOOK_CUDA_PATH, the dynamic loader, and
// dirs. The error names every soname and directory tried, and any file
// that was found but failed to load (a missing dependency, a wrong
// architecture).
func openLibrary(what string, sonames []string, dirs []string) (*library, error) {
	// dlerror's message is per thread: keep dlopen and dlerror on one.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	envDirs := splitPathList(os.Getenv(cudaPathEnv))
	var failed []string
	inDirs := func(ds []string, so string) *library {
		for _, d := range ds {
			p := filepath.Join(d, so)
			if _, err := os.Stat(p); err != nil {
				continue
			}
			h, err := purego.Dlopen(p, purego.RTLD_NOW|purego.RTLD_GLOBAL)
			if err != nil {
				failed = append(failed, p+": "+err.Error())
				continue
			}
			return &library{Name: what, Path: p, soname: so, handle: h}
		}
		return nil
	}
	for _, so := range sonames {
		if l := inDirs(envDirs, so); l != nil {
			return l, nil
		}
	}
	for _, so := range sonames {
		h, err := purego.Dlopen(so, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err == nil {
			return &library{Name: what, Path: loadedPath(so), soname: so, handle: h}, nil
		}
		if msg := err.Error(); !strings.Contains(msg, "No such file") {
			failed = append(failed, so+": "+msg)
		}
	}
	for _, so := range sonames {
		if l := inDirs(dirs, so); l != nil {
			return l, nil
		}
	}
	tried := dedupe(append(append([]string(nil), envDirs...), dirs...))
	msg := fmt.Sprintf("gpu: %s not found: tried %s through the dynamic loader and in %s (set %s to the directory that holds it)",
		what, strings.Join(sonames, ", "), strings.Join(tried, ", "), cudaPathEnv)
	if len(failed) > 0 {
		msg += "; found but failed to load: " + strings.Join(failed, "; ")
	}
	return nil, fmt.Errorf("%s", msg)
}

// sym returns the address of the C function name.
func (l *library) sym(name string) (uintptr, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p, err := purego.Dlsym(l.handle, name)
	if err != nil {
		return 0, fmt.Errorf("gpu: %s (%s) has no symbol %s: %v", l.Name, l.Path, name, err)
	}
	return p, nil
}

// symbol is one function a library must (or, if optional, may) export;
// names are alternatives tried in order, the newest ABI first.
type symbol struct {
	p        *uintptr
	names    []string
	optional bool
}

// resolve fills every symbol's address, failing on the first required
// symbol that none of its names finds.
func (l *library) resolve(syms []symbol) error {
	for _, s := range syms {
		var err error
		for _, n := range s.names {
			var p uintptr
			if p, err = l.sym(n); err == nil {
				*s.p = p
				break
			}
		}
		if err != nil && !s.optional {
			return err
		}
	}
	return nil
}

// loadedPath finds, in /proc/self/maps, the file the dynamic loader mapped
// for soname (libcuda.so.1 is a link to libcuda.so.580.95.05, say).
func loadedPath(soname string) string {
	stem, _, ok := strings.Cut(soname, ".so")
	if !ok {
		return soname
	}
	stem += ".so"
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return soname
	}
	for _, line := range strings.Split(string(b), "\n") {
		i := strings.IndexByte(line, '/')
		if i < 0 {
			continue
		}
		p := line[i:]
		if base := filepath.Base(p); base == stem || strings.HasPrefix(base, stem+".") {
			return p
		}
	}
	return soname
}

// splitPathList splits a colon-separated list, dropping empty entries.
func splitPathList(s string) []string {
	var out []string
	for _, d := range filepath.SplitList(s) {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// dedupe drops repeated entries, keeping the first.
func dedupe(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := list[:0:0]
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// loaded records what was loaded from where, for libraryPaths.
var loaded struct {
	mu    sync.Mutex
	paths map[string]string
}

func recordLibrary(l *library) {
	loaded.mu.Lock()
	defer loaded.mu.Unlock()
	if loaded.paths == nil {
		loaded.paths = make(map[string]string)
	}
	loaded.paths[l.Name] = l.Path
}

// libraryPaths maps each library loaded so far ("libcuda", "libnvrtc",
// "libcublasLt", "libcublas") to the file it came from, for diagnostics.
func libraryPaths() map[string]string {
	loaded.mu.Lock()
	defer loaded.mu.Unlock()
	out := make(map[string]string, len(loaded.paths))
	for k, v := range loaded.paths {
		out[k] = v
	}
	return out
}

// onceErr runs a loader once and remembers its error: a library that
// failed to load is not searched for again.
type onceErr struct {
	once sync.Once
	err  error
}

func (o *onceErr) do(f func() error) error {
	o.once.Do(func() { o.err = f() })
	return o.err
}

var driverLoad, nvrtcLoad, cublasLoad onceErr

// loadDriver opens libcuda, resolves every driver function this package
// calls, and initialises the driver. It runs once; later calls return the
// first call's error.
func loadDriver() error {
	return driverLoad.do(func() error {
		l, err := openLibrary("libcuda", driverSonames, searchDirs())
		if err != nil {
			return err
		}
		if err := l.resolve(drv.symbols()); err != nil {
			return err
		}
		recordLibrary(l)
		r, _, _ := purego.SyscallN(drv.init, 0)
		return check("cuInit", r)
	})
}

// loadNVRTC opens NVRTC and resolves its functions, once.
func loadNVRTC() error {
	return nvrtcLoad.do(func() error {
		l, err := openLibrary("libnvrtc", nvrtcSonames, searchDirs())
		if err != nil {
			return err
		}
		if err := l.resolve(nvrtc.symbols()); err != nil {
			return err
		}
		recordLibrary(l)
		return nil
	})
}

// loadCUBLAS opens cuBLASLt and then the cuBLAS of the same version (which
// needs it), once, and resolves cuBLAS's functions.
func loadCUBLAS() error {
	return cublasLoad.do(func() error {
		var lt []string
		for _, v := range cublasVersions {
			lt = append(lt, "libcublasLt"+v)
		}
		dirs := searchDirs()
		ltLib, err := openLibrary("libcublasLt", lt, dirs)
		if err != nil {
			return err
		}
		recordLibrary(ltLib)
		version := strings.TrimPrefix(ltLib.soname, "libcublasLt")
		if filepath.IsAbs(ltLib.Path) {
			dirs = append([]string{filepath.Dir(ltLib.Path)}, dirs...)
		}
		l, err := openLibrary("libcublas", []string{"libcublas" + version}, dedupe(dirs))
		if err != nil {
			return err
		}
		if err := l.resolve(blas.symbols()); err != nil {
			return err
		}
		recordLibrary(l)
		return nil
	})
}
