package nn

import (
	"math/rand/v2"
	"sync"
)

// The package's random generator: every initialisation and every Dropout
// layer's mask generator draw from it, in the order the layers are made.
var (
	rngMu sync.Mutex
	rng   = newRNG(0)
)

// seedStream is the PCG stream of every generator made here.
const seedStream = 0x9e3779b97f4a7c15

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seedStream)) }

// Seed resets the package's random generator, which the layers' default
// initialisation, the Init functions and Dropout draw from. A program that
// calls Seed(s) and then builds its net the same way gets the same
// parameters and the same dropout masks on every run; without a call the
// generator starts as Seed(0), so runs are reproducible by default.
//
// The values are not PyTorch's: its torch.manual_seed drives a different
// generator. Only the distributions are the same.
func Seed(seed uint64) {
	rngMu.Lock()
	defer rngMu.Unlock()
	rng = newRNG(seed)
}

// draw returns n values of f applied to the package's generator.
func draw(n int, f func(r *rand.Rand) float64) []float64 {
	rngMu.Lock()
	defer rngMu.Unlock()
	out := make([]float64, n)
	for i := range out {
		out[i] = f(rng)
	}
	return out
}

// childRNG returns a generator of its own, seeded from the package's: a
// Dropout layer's masks then depend only on the seed and the order in
// which layers were made, not on what else draws random numbers later.
func childRNG() *rand.Rand {
	rngMu.Lock()
	defer rngMu.Unlock()
	return rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
}
