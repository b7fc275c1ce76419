package gpu

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// fakeMemory is a device of limit bytes that hands out fake addresses and
// checks that every block it frees is one it handed out.
type fakeMemory struct {
	mu      sync.Mutex
	limit   int
	used    int
	next    uintptr
	blocks  map[uintptr]int
	allocs  int
	frees   int
	failErr error // returned by alloc instead of memory when set
	freeErr error // returned by free (after freeing) when set
}

func newFakeMemory(limit int) *fakeMemory {
	return &fakeMemory{limit: limit, next: 0x7f0000000000, blocks: make(map[uintptr]int)}
}

func (f *fakeMemory) alloc(bytes int) (uintptr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failErr != nil {
		return 0, f.failErr
	}
	if f.used+bytes > f.limit {
		return 0, &cudaError{Call: "cuMemAlloc_v2", Code: cudaErrorOutOfMemory, Name: cudaOutOfMemoryName, Msg: "out of memory"}
	}
	p := f.next
	f.next += uintptr(bytes)
	f.blocks[p] = bytes
	f.used += bytes
	f.allocs++
	return p, nil
}

func (f *fakeMemory) free(p uintptr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.blocks[p]
	if !ok {
		return fmt.Errorf("fake: free of unknown block %#x", p)
	}
	delete(f.blocks, p)
	f.used -= n
	f.frees++
	return f.freeErr
}

func TestSizeClass(t *testing.T) {
	const MiB = 1 << 20
	for _, c := range []struct{ bytes, want int }{
		{0, 512}, {1, 512}, {512, 512}, {513, 1024}, {4000, 4096},
		{MiB - 1, MiB}, {MiB - 512, MiB - 512},
		{MiB, 2 * MiB}, {2 * MiB, 2 * MiB}, {2*MiB + 1, 4 * MiB}, {5 * MiB, 6 * MiB}, {100 * MiB, 100 * MiB},
	} {
		if got := sizeClass(c.bytes); got != c.want {
			t.Errorf("sizeClass(%d) = %d, want %d", c.bytes, got, c.want)
		}
	}
}

func TestAllocatorReusesBlocksOfTheSameClass(t *testing.T) {
	raw := newFakeMemory(1 << 30)
	a := newAllocator(raw)
	p1, c1, err := a.alloc(1000)
	if err != nil || c1 != 1024 {
		t.Fatalf("alloc(1000) = %#x, %d, %v; want a 1024-byte block", p1, c1, err)
	}
	a.free(p1, c1)
	if s := a.stats(); s.InUse != 0 || s.Cached != 1024 {
		t.Fatalf("after free: %+v, want InUse 0, Cached 1024", s)
	}
	p2, c2, err := a.alloc(900) // same class
	if err != nil || p2 != p1 || c2 != 1024 {
		t.Fatalf("alloc(900) = %#x, %d, %v; want the cached block %#x, 1024", p2, c2, err, p1)
	}
	p3, c3, err := a.alloc(1500) // another class: a new block
	if err != nil || p3 == p1 || c3 != 1536 {
		t.Fatalf("alloc(1500) = %#x, %d, %v; want a new 1536-byte block", p3, c3, err)
	}
	want := AllocatorStats{InUse: 1024 + 1536, Cached: 0, RawAllocs: 2, Reuses: 1}
	if s := a.stats(); s != want {
		t.Fatalf("stats = %+v, want %+v", s, want)
	}
	if raw.allocs != 2 || raw.frees != 0 {
		t.Fatalf("device saw %d allocs and %d frees, want 2 and 0", raw.allocs, raw.frees)
	}
}

func TestAllocatorEmptyCache(t *testing.T) {
	raw := newFakeMemory(1 << 30)
	a := newAllocator(raw)
	var ps []uintptr
	var cs []int
	for _, n := range []int{100, 5000, 3 << 20} {
		p, c, err := a.alloc(n)
		if err != nil {
			t.Fatal(err)
		}
		ps, cs = append(ps, p), append(cs, c)
	}
	a.free(ps[0], cs[0])
	a.free(ps[1], cs[1])
	if err := a.emptyCache(); err != nil {
		t.Fatalf("emptyCache: %v", err)
	}
	if s := a.stats(); s.Cached != 0 || s.InUse != int64(cs[2]) {
		t.Fatalf("after emptyCache: %+v, want Cached 0, InUse %d", s, cs[2])
	}
	if raw.frees != 2 || len(raw.blocks) != 1 {
		t.Fatalf("device freed %d blocks and holds %d, want 2 and 1", raw.frees, len(raw.blocks))
	}
	// A block allocated after emptying comes from the device again.
	if _, _, err := a.alloc(100); err != nil || raw.allocs != 4 {
		t.Fatalf("alloc after emptyCache: %v, device allocs %d, want 4", err, raw.allocs)
	}
}

func TestAllocatorOutOfMemoryEmptiesCacheAndRetries(t *testing.T) {
	const MiB = 1 << 20
	raw := newFakeMemory(4 * MiB)
	a := newAllocator(raw)
	p, c, err := a.alloc(2 * MiB)
	if err != nil {
		t.Fatal(err)
	}
	a.free(p, c) // 2 MiB cached: the device has 2 MiB left
	p, c, err = a.alloc(3 * MiB)
	if err != nil {
		t.Fatalf("alloc(3 MiB) with 2 MiB cached on a 4 MiB device: %v; want the cache emptied and the retry to succeed", err)
	}
	if c != 4*MiB {
		t.Fatalf("capacity %d, want %d", c, 4*MiB)
	}
	want := AllocatorStats{InUse: 4 * MiB, Cached: 0, RawAllocs: 2, Reuses: 0}
	if s := a.stats(); s != want {
		t.Fatalf("stats = %+v, want %+v", s, want)
	}
	if raw.frees != 1 {
		t.Fatalf("device saw %d frees, want 1 (the cached block)", raw.frees)
	}
	a.free(p, c)

	// Nothing cached helps a request beyond the device: the error says so
	// and is still recognisably out-of-memory.
	_, _, err = a.alloc(5 * MiB)
	if err == nil {
		t.Fatal("alloc(5 MiB) on a 4 MiB device succeeded")
	}
	if !isOutOfMemory(err) {
		t.Fatalf("error %q is not recognised as out of memory", err)
	}
	var ce *cudaError
	if !errors.As(err, &ce) || ce.Call != "cuMemAlloc_v2" {
		t.Fatalf("error %q does not wrap the driver's *cudaError", err)
	}
	for _, s := range []string{"out of device memory", "6291456 bytes", "4194304 cached bytes", "CUDA_ERROR_OUT_OF_MEMORY"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

func TestAllocatorOtherErrorsAreNotRetried(t *testing.T) {
	raw := newFakeMemory(1 << 30)
	a := newAllocator(raw)
	p, c, _ := a.alloc(100)
	a.free(p, c)
	raw.failErr = &cudaError{Call: "cuMemAlloc_v2", Code: 201, Name: "CUDA_ERROR_INVALID_CONTEXT"}
	if _, _, err := a.alloc(5000); err == nil || !strings.Contains(err.Error(), "CUDA_ERROR_INVALID_CONTEXT") {
		t.Fatalf("alloc with a failing device: %v, want CUDA_ERROR_INVALID_CONTEXT", err)
	}
	if s := a.stats(); s.Cached != 512 {
		t.Fatalf("a non-memory error emptied the cache: %+v", s)
	}
}

func TestAllocatorEmptyCacheReportsFreeErrors(t *testing.T) {
	raw := newFakeMemory(1 << 30)
	a := newAllocator(raw)
	p, c, _ := a.alloc(100)
	a.free(p, c)
	raw.freeErr = errors.New("fake free failure")
	if err := a.emptyCache(); err == nil || !strings.Contains(err.Error(), "fake free failure") {
		t.Fatalf("emptyCache = %v, want the device's free error", err)
	}
	if s := a.stats(); s.Cached != 0 {
		t.Fatalf("Cached = %d after emptyCache, want 0", s.Cached)
	}
}

func TestAllocatorRejectsBadFrees(t *testing.T) {
	a := newAllocator(newFakeMemory(1 << 30))
	p, c, _ := a.alloc(100)
	expectPanic(t, "free with the wrong capacity", "allocated with 512", func() { a.free(p, 1024) })
	a.free(p, c)
	expectPanic(t, "double free", "not in use", func() { a.free(p, c) })
	expectPanic(t, "free of an unknown block", "not in use", func() { a.free(0x1234, 512) })
	if _, _, err := a.alloc(-1); err == nil {
		t.Error("alloc(-1) succeeded")
	}
}

func expectPanic(t *testing.T, what, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s did not panic", what)
		} else if !strings.Contains(fmt.Sprint(r), want) {
			t.Errorf("%s panicked with %q, want it to mention %q", what, r, want)
		}
	}()
	f()
}

// TestAllocatorConcurrentFrees frees from many goroutines, as GC cleanups
// do, while others allocate and read the counters; run it with -race.
func TestAllocatorConcurrentFrees(t *testing.T) {
	raw := newFakeMemory(1 << 40)
	a := newAllocator(raw)
	type block struct {
		p uintptr
		c int
	}
	const n = 2000
	blocks := make(chan block, n)
	var total int64
	for i := range n {
		p, c, err := a.alloc(100 + 997*(i%50))
		if err != nil {
			t.Fatal(err)
		}
		total += int64(c)
		blocks <- block{p, c}
	}
	close(blocks)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range blocks {
				a.free(b.p, b.c)
			}
		}()
	}
	var reused sync.WaitGroup
	for g := range 4 {
		reused.Add(1)
		go func() {
			defer reused.Done()
			for i := range 200 {
				p, c, err := a.alloc(100 + 997*((i+g)%50))
				if err != nil {
					t.Error(err)
					return
				}
				_ = a.stats()
				a.free(p, c)
			}
		}()
	}
	wg.Wait()
	reused.Wait()
	s := a.stats()
	if s.InUse != 0 {
		t.Errorf("InUse = %d after every block was freed", s.InUse)
	}
	if s.Cached < total {
		t.Errorf("Cached = %d, want at least the %d bytes freed", s.Cached, total)
	}
	if s.RawAllocs+s.Reuses != n+4*200 {
		t.Errorf("RawAllocs %d + Reuses %d = %d allocations, want %d", s.RawAllocs, s.Reuses, s.RawAllocs+s.Reuses, n+4*200)
	}
	if int64(raw.allocs) != s.RawAllocs {
		t.Errorf("device saw %d allocations, stats say %d", raw.allocs, s.RawAllocs)
	}
}
