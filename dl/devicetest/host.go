package devicetest

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/gradbook/gradbook/dl"
)

// Host is a device backend that keeps values in memory of its own behind
// the device interface and has no kernels: every op on it goes through
// dl's fallback adapter (download, the CPU's kernel, upload). It checks
// the memory discipline a real device needs: memory is never read as a
// slice of main memory (its F32 and F64 are nil), a freed block is never used
// again, every copy has the block's dtype and length, and nothing relies
// on fresh memory being zero (Alloc fills it with NaN).
type Host struct {
	dl.NoKernels
	name string
	self dl.Backend // the backend that embeds this Host, or the Host

	mu     sync.Mutex
	live   map[uintptr]*block
	next   uintptr
	allocs atomic.Int64
}

type block struct {
	data  any // []float32 or []float64
	freed bool
	kept  bool // what a Fake's Conv2d kept for the backward pass
}

// NewHost returns a Host device named name (as "host:0").
func NewHost(name string) *Host {
	h := &Host{name: name, live: map[uintptr]*block{}, next: 1}
	h.self = h
	return h
}

// String names the device.
func (h *Host) String() string { return h.name }

// Allocs returns how many blocks Alloc has handed out.
func (h *Host) Allocs() int64 { return h.allocs.Load() }

// Alloc reserves n elements, each NaN: the contents of fresh memory are
// undefined, and NaN shows a result that depends on them.
func (h *Host) Alloc(d dl.DType, n int) *dl.Memory {
	b := &block{}
	switch d {
	case dl.Float32:
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(math.NaN())
		}
		b.data = s
	case dl.Float64:
		s := make([]float64, n)
		for i := range s {
			s[i] = math.NaN()
		}
		b.data = s
	default:
		panic(fmt.Sprintf("devicetest: Alloc of dtype %v", d))
	}
	h.mu.Lock()
	p := h.next
	h.next++
	h.live[p] = b
	h.mu.Unlock()
	h.allocs.Add(1)
	return &dl.Memory{Backend: h.self, DType: d, Len: n, Ptr: p, Handle: b}
}

// block returns m's block, and panics naming op when m is not live memory
// of this device.
func (h *Host) block(op string, m *dl.Memory) *block {
	b, ok := m.Handle.(*block)
	if !ok || m.Backend != h.self {
		panic(fmt.Sprintf("devicetest: %s on %v of memory from %v", op, h.name, m.Backend))
	}
	if b.freed {
		panic(fmt.Sprintf("devicetest: %s of freed memory (%d elements)", op, m.Len))
	}
	if m.F32 != nil || m.F64 != nil {
		panic(fmt.Sprintf("devicetest: %s of device memory that holds a slice of main memory", op))
	}
	return b
}

// Free marks m freed; using it afterwards panics.
func (h *Host) Free(m *dl.Memory) {
	b := h.block("Free", m)
	b.freed = true
	h.mu.Lock()
	delete(h.live, m.Ptr)
	h.mu.Unlock()
}

// Upload copies src into m.
func (h *Host) Upload(m *dl.Memory, src any) {
	copyChecked("Upload", h.block("Upload", m).data, src)
}

// Download copies m's values into dst.
func (h *Host) Download(dst any, m *dl.Memory) {
	copyChecked("Download", dst, h.block("Download", m).data)
}

// copyChecked copies src to dst, both []float32 or both []float64 of one
// length, and panics naming op otherwise.
func copyChecked(op string, dst, src any) {
	switch d := dst.(type) {
	case []float32:
		if s, ok := src.([]float32); ok && len(s) == len(d) {
			copy(d, s)
			return
		}
	case []float64:
		if s, ok := src.([]float64); ok && len(s) == len(d) {
			copy(d, s)
			return
		}
	}
	panic(fmt.Sprintf("devicetest: %s of %T (%d values) into %T (%d)", op, src, lenOf(src), dst, lenOf(dst)))
}

func lenOf(s any) int {
	switch s := s.(type) {
	case []float32:
		return len(s)
	case []float64:
		return len(s)
	}
	return -1
}
