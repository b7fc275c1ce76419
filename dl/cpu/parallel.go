package cpu

import (
	"runtime"
	"sync"
)

// Parallel kernels. A kernel whose work is large enough splits it into
// contiguous ranges run on GOMAXPROCS goroutines; below that, starting
// goroutines costs more than it saves, and the kernel runs on the calling
// goroutine. How work is split never changes a result: ranges write
// disjoint elements, and where partial sums are combined (convolution
// filters) the partition is fixed by the sizes, not by the number of CPUs,
// so results are the same on any machine.

// parallelMin is the work, in simple element operations, from which a
// kernel runs in parallel.
const parallelMin = 1 << 16

// parallelFor calls f on ranges covering [0, n), in parallel when work
// (the total number of element operations, roughly) is at least
// parallelMin and more than one CPU is available.
func parallelFor(n, work int, f func(lo, hi int)) {
	p := runtime.GOMAXPROCS(0)
	if p < 2 || n < 2 || work < parallelMin {
		f(0, n)
		return
	}
	p = min(p, n, work/(parallelMin/2))
	chunk := (n + p - 1) / p
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	f(0, min(chunk, n))
	wg.Wait()
}

// parallelWorth reports whether work is large enough for parallelFor to
// split it; kernels check it first so that small ones do not even make
// the closure.
func parallelWorth(work int) bool { return work >= parallelMin && runtime.GOMAXPROCS(0) > 1 }

// blocksOf splits n items into at most maxBlocks blocks of near-equal
// size and returns the block boundaries: block i is [b[i], b[i+1]).
func blocksOf(n, maxBlocks int) []int {
	nb := min(n, maxBlocks)
	b := make([]int, nb+1)
	for i := range b {
		b[i] = i * n / max(nb, 1)
	}
	return b
}
