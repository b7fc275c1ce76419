package cpu

import (
	"math/bits"
	"sync"
)

// Buffer recycling. Large value buffers cost more than their allocation:
// the runtime clears them, and memory fresh from the system faults a page
// at a time on first touch. A training step makes the same large buffers
// every time, so the buffers that are known to be dead go back to a pool
// and the next ones come from it, warm in the cache.
//
// A buffer is recycled only where nothing can still read it:
//   - the adjoint of an intermediate tensor in a reverse sweep, once its
//     op's rule has run, when the sweep made it (it shares values with no
//     seed, Grad, or tensor of the forward pass) and the rule returned no
//     view of it (see backward);
//   - the scratch buffers of kernels (im2col columns and the like).
//
// Tensors of the forward pass, which users and the recorded graph hold,
// and gradients handed out as Grad are never recycled. The pools are
// sync.Pools: the garbage collector empties them, so they hold no memory
// for long when the work stops.

// poolMin is the smallest buffer (in elements) worth recycling.
const poolMin = 1024

// poolClasses are the size classes: eight per power of two, so a class
// rounds a size up by at most an eighth.
const poolClasses = 64 * 8

var (
	pool32 [poolClasses]sync.Pool
	pool64 [poolClasses]sync.Pool
)

// sizeClass returns the class of n ≥ poolMin and its capacity.
func sizeClass(n int) (class, capacity int) {
	e := bits.Len(uint(n - 1)) // 2^(e−1) < n ≤ 2^e
	step := 1 << (e - 4)       // an eighth of 2^(e−1)
	sub := (n - 1 - 1<<(e-1)) / step
	return e*8 + sub, 1<<(e-1) + (sub+1)*step
}

// Get returns a buffer of n elements of T whose contents are
// arbitrary: the caller writes every element.
func Get[T Float](n int) []T {
	if n < poolMin {
		return make([]T, n)
	}
	c, capacity := sizeClass(n)
	p := poolFor[T](c)
	if b, ok := p.Get().(*[]T); ok {
		return (*b)[:n]
	}
	return make([]T, n, capacity)
}

// GetZeroed returns a buffer of n zeros of T.
func GetZeroed[T Float](n int) []T {
	b := Get[T](n)
	if n >= poolMin {
		clear(b)
	}
	return b
}

// Put gives b back for reuse; nothing may use it afterwards.
func Put[T Float](b []T) {
	if cap(b) < poolMin {
		return
	}
	c, capacity := sizeClass(cap(b))
	if capacity != cap(b) { // not made by Get
		return
	}
	whole := b[:cap(b)] // only this escapes: small buffers cost nothing here
	poolFor[T](c).Put(&whole)
}

func poolFor[T Float](class int) *sync.Pool {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return &pool32[class]
	}
	return &pool64[class]
}
