package gpu

import (
	"errors"
	"fmt"
	"sync"
)

// rawMemory is where the allocator gets and returns memory: a context's
// memAlloc and memFree on a GPU, a fake in tests.
type rawMemory interface {
	alloc(bytes int) (uintptr, error)
	free(p uintptr) error
}

// Size classes. Below 1 MiB a request rounds up to a multiple of 512
// bytes; from 1 MiB on, to a multiple of 2 MiB, which wastes at most
// 2 MiB a block where powers of two would waste up to half of it. A block
// is only reused for a request of its own class.
const (
	smallStep  = 512
	smallLimit = 1 << 20
	largeStep  = 2 << 20
)

// sizeClass returns the capacity allocated for a request of bytes.
func sizeClass(bytes int) int {
	if bytes <= 0 {
		return smallStep
	}
	if bytes < smallLimit {
		return (bytes + smallStep - 1) / smallStep * smallStep
	}
	return (bytes + largeStep - 1) / largeStep * largeStep
}

// AllocatorStats describes a device's caching allocator.
type AllocatorStats struct {
	InUse     int64 // bytes in blocks handed out and not yet freed
	Cached    int64 // bytes in freed blocks kept for reuse
	RawAllocs int64 // blocks obtained from the device
	Reuses    int64 // requests served from the cache
}

// allocator caches freed device memory by size class, because allocating
// from the driver synchronises the device and costs far more than a
// kernel. Freed blocks are reused by later work on the same stream, which
// the stream orders after the work that used them before. A mutex guards
// it, because frees come from GC cleanups on other goroutines.
type allocator struct {
	raw rawMemory

	mu    sync.Mutex
	cache map[int][]uintptr // size class → freed blocks
	live  map[uintptr]int   // block handed out → its capacity
	st    AllocatorStats
}

// newAllocator returns an empty allocator over raw.
func newAllocator(raw rawMemory) *allocator {
	return &allocator{raw: raw, cache: make(map[int][]uintptr), live: make(map[uintptr]int)}
}

// alloc returns a block of at least bytes and its capacity (its size
// class), from the cache when it holds one of that class. When the device
// is out of memory, the cache is returned to it and the allocation tried
// once more. alloc and emptyCache call the device, so on a GPU the
// caller must have the context bound.
func (a *allocator) alloc(bytes int) (p uintptr, capacity int, err error) {
	if bytes < 0 {
		return 0, 0, fmt.Errorf("gpu: alloc: %d bytes requested", bytes)
	}
	capacity = sizeClass(bytes)
	a.mu.Lock()
	if blocks := a.cache[capacity]; len(blocks) > 0 {
		p = blocks[len(blocks)-1]
		a.cache[capacity] = blocks[:len(blocks)-1]
		a.st.Cached -= int64(capacity)
		a.st.Reuses++
		a.handOut(p, capacity)
		a.mu.Unlock()
		return p, capacity, nil
	}
	a.mu.Unlock()

	p, err = a.raw.alloc(capacity)
	if err != nil && isOutOfMemory(err) {
		cached := a.stats().Cached
		if ferr := a.emptyCache(); ferr != nil {
			return 0, 0, errors.Join(err, ferr)
		}
		p, err = a.raw.alloc(capacity)
		if err != nil {
			stats := a.stats()
			return 0, 0, fmt.Errorf("gpu: out of device memory for %d bytes, after returning %d cached bytes (%d bytes in use): %w",
				capacity, cached, stats.InUse, err)
		}
	}
	if err != nil {
		return 0, 0, err
	}
	a.mu.Lock()
	a.st.RawAllocs++
	a.handOut(p, capacity)
	a.mu.Unlock()
	return p, capacity, nil
}

// handOut records p as in use; a.mu is held.
func (a *allocator) handOut(p uintptr, capacity int) {
	a.live[p] = capacity
	a.st.InUse += int64(capacity)
}

// free returns a block from alloc to the cache; it never calls the
// device, so any goroutine may call it. Freeing a block twice, or with
// another capacity than alloc returned, panics: either would hand one
// block to two owners.
func (a *allocator) free(p uintptr, capacity int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.live[p]
	if !ok {
		panic(fmt.Sprintf("gpu: allocator: free of block %#x, which is not in use (freed twice?)", p))
	}
	if c != capacity {
		panic(fmt.Sprintf("gpu: allocator: free of block %#x with capacity %d, allocated with %d", p, capacity, c))
	}
	delete(a.live, p)
	a.cache[capacity] = append(a.cache[capacity], p)
	a.st.InUse -= int64(capacity)
	a.st.Cached += int64(capacity)
}

// emptyCache returns every cached block to the device. A block the
// device refuses to free is dropped all the same; the errors are joined.
func (a *allocator) emptyCache() error {
	a.mu.Lock()
	cache := a.cache
	a.cache = make(map[int][]uintptr)
	a.st.Cached = 0
	a.mu.Unlock()
	var errs []error
	for _, blocks := range cache {
		for _, p := range blocks {
			if err := a.raw.free(p); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// stats returns the allocator's counters.
func (a *allocator) stats() AllocatorStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.st
}
