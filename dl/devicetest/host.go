package devicetest

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gradbook/gradbook/dl"
)

// Host is a device backend that keeps values in main memory behind the
// device interface and has no kernels: every op on it takes dl's host
// path. It checks the memory discipline a real device needs: a freed
// block is never read or written again, and every block is the size
// asked for.
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

// Alloc reserves n elements.
func (h *Host) Alloc(d dl.DType, n int) *dl.DeviceMemory {
	b := &block{}
	switch d {
	case dl.Float32:
		b.data = make([]float32, n)
	case dl.Float64:
		b.data = make([]float64, n)
	default:
		panic(fmt.Sprintf("devicetest: Alloc of dtype %v", d))
	}
	h.mu.Lock()
	p := h.next
	h.next++
	h.live[p] = b
	h.mu.Unlock()
	h.allocs.Add(1)
	return &dl.DeviceMemory{Ptr: p, Len: n, DType: d, Backend: h.self, Handle: b}
}

func (h *Host) block(op string, m *dl.DeviceMemory) *block {
	b, ok := m.Handle.(*block)
	if !ok || m.Backend != h.self {
		panic(fmt.Sprintf("devicetest: %s of memory from another backend", op))
	}
	if b.freed {
		panic(fmt.Sprintf("devicetest: %s of freed memory (%d elements)", op, m.Len))
	}
	return b
}

// Free marks m freed; using it afterwards panics.
func (h *Host) Free(m *dl.DeviceMemory) {
	b := h.block("Free", m)
	b.freed = true
	h.mu.Lock()
	delete(h.live, m.Ptr)
	h.mu.Unlock()
}

// Upload copies src into m.
func (h *Host) Upload(m *dl.DeviceMemory, src any) {
	b := h.block("Upload", m)
	switch d := b.data.(type) {
	case []float32:
		s := src.([]float32)
		if len(s) != len(d) {
			panic(fmt.Sprintf("devicetest: Upload of %d values into %d", len(s), len(d)))
		}
		copy(d, s)
	case []float64:
		s := src.([]float64)
		if len(s) != len(d) {
			panic(fmt.Sprintf("devicetest: Upload of %d values into %d", len(s), len(d)))
		}
		copy(d, s)
	}
}

// Download copies m's values into dst.
func (h *Host) Download(dst any, m *dl.DeviceMemory) {
	b := h.block("Download", m)
	switch d := b.data.(type) {
	case []float32:
		s := dst.([]float32)
		if len(s) != len(d) {
			panic(fmt.Sprintf("devicetest: Download of %d values into %d", len(d), len(s)))
		}
		copy(s, d)
	case []float64:
		s := dst.([]float64)
		if len(s) != len(d) {
			panic(fmt.Sprintf("devicetest: Download of %d values into %d", len(d), len(s)))
		}
		copy(s, d)
	}
}
