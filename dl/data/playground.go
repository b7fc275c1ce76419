package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gradbook/gradbook/dl"
)

// The TensorFlow Playground's data sets (playground.tensorflow.org), made
// as its source (src/dataset.ts) makes them: points (x₁, x₂) in about
// [−6, 6]², noise on the Playground's scale (its slider's 0 to 50 % is
// noise 0 to 0.5), and a generator seeded by seed. The Playground draws
// 500 points for classification and 1200 for regression.
//
// The Playground labels classes +1 (drawn blue) and −1 (orange). Here the
// labels are 0 and 1, the form cross-entropy takes: label 1 is the
// Playground's +1 and label 0 its −1, and Classes names them "-1" and "+1".
//
// As in the Playground, noise moves the point a label is computed from but
// not the point stored, so with noise some labels fall on the other side of
// the rule; the points are shuffled, as the Playground shuffles them before
// it splits training from test data.

// Circle returns n points of two classes: label 1 inside a disc of radius
// 2.5 around the origin, label 0 in a ring of radii 3.5 to 5 around it
// (n/2 of them, rounded down). It panics with a *dl.Error unless n ≥ 1 and
// noise ≥ 0.
func Circle(n int, noise float64, seed uint64) *Dataset {
	rng := playgroundRNG("data.Circle", n, noise, seed)
	const radius = 5
	pts := make([]point, 0, n)
	gen := func(count int, rmin, rmax float64) {
		for range count {
			r := uniform(rng, rmin, rmax)
			angle := uniform(rng, 0, 2*math.Pi)
			x, y := r*math.Sin(angle), r*math.Cos(angle)
			nx, ny := uniform(rng, -radius, radius)*noise, uniform(rng, -radius, radius)*noise
			pts = append(pts, point{x, y, label(math.Hypot(x+nx, y+ny) < radius*0.5)})
		}
	}
	gen(n-n/2, 0, radius*0.5)        // inside
	gen(n/2, radius*0.7, radius*1.0) // outside
	return playgroundSet("circle", pts, rng, true)
}

// XOR returns n points spread over the four quadrants (kept 0.3 away from
// the axes): label 1 where x₁·x₂ ≥ 0 (the first and third quadrants) and
// label 0 where x₁·x₂ < 0. It panics with a *dl.Error unless n ≥ 1 and
// noise ≥ 0.
func XOR(n int, noise float64, seed uint64) *Dataset {
	rng := playgroundRNG("data.XOR", n, noise, seed)
	const padding = 0.3
	pts := make([]point, 0, n)
	for range n {
		x, y := uniform(rng, -5, 5), uniform(rng, -5, 5)
		x, y = pad(x, padding), pad(y, padding)
		nx, ny := uniform(rng, -5, 5)*noise, uniform(rng, -5, 5)*noise
		pts = append(pts, point{x, y, label((x+nx)*(y+ny) >= 0)})
	}
	return playgroundSet("xor", pts, rng, true)
}

// Gaussians returns n points from two Gaussians: label 1 around (2, 2),
// label 0 around (−2, −2) (n/2 of them, rounded down). The variance of each
// coordinate grows with noise from 0.5 at noise 0 to 4 at noise 0.5. It
// panics with a *dl.Error unless n ≥ 1 and noise ≥ 0.
func Gaussians(n int, noise float64, seed uint64) *Dataset {
	rng := playgroundRNG("data.Gaussians", n, noise, seed)
	sd := math.Sqrt(0.5 + noise*(4-0.5)/0.5)
	pts := make([]point, 0, n)
	gen := func(count int, cx, cy float64, l float64) {
		for range count {
			pts = append(pts, point{cx + sd*rng.NormFloat64(), cy + sd*rng.NormFloat64(), l})
		}
	}
	gen(n-n/2, 2, 2, 1)
	gen(n/2, -2, -2, 0)
	return playgroundSet("gaussians", pts, rng, true)
}

// Spiral returns n points on two interleaved spiral arms, each turning
// 1.75 times around the origin out to radius 5: label 1 on the arm
// (r sin t, r cos t) with t = 0.7π·r, label 0 on the arm turned by π (n/2
// of them, rounded down). Noise adds uniform jitter in [−noise, noise] to
// each coordinate. It panics with a *dl.Error unless n ≥ 1 and noise ≥ 0.
func Spiral(n int, noise float64, seed uint64) *Dataset {
	rng := playgroundRNG("data.Spiral", n, noise, seed)
	pts := make([]point, 0, n)
	gen := func(count int, deltaT, l float64) {
		for i := range count {
			f := float64(i) / float64(count)
			r := 5 * f
			t := 1.75*f*2*math.Pi + deltaT
			x := r*math.Sin(t) + uniform(rng, -1, 1)*noise
			y := r*math.Cos(t) + uniform(rng, -1, 1)*noise
			pts = append(pts, point{x, y, l})
		}
	}
	gen(n-n/2, 0, 1)
	gen(n/2, math.Pi, 0)
	return playgroundSet("spiral", pts, rng, true)
}

// Plane returns n points uniform in [−6, 6]² with the regression target
// (x₁ + x₂)/10 in Y [n 1] (so in [−1.2, 1.2]). It panics with a *dl.Error
// unless n ≥ 1 and noise ≥ 0.
func Plane(n int, noise float64, seed uint64) *Dataset {
	rng := playgroundRNG("data.Plane", n, noise, seed)
	const radius = 6
	pts := make([]point, 0, n)
	for range n {
		x, y := uniform(rng, -radius, radius), uniform(rng, -radius, radius)
		nx, ny := uniform(rng, -radius, radius)*noise, uniform(rng, -radius, radius)*noise
		pts = append(pts, point{x, y, (x + nx + y + ny) / 10})
	}
	return playgroundSet("plane", pts, rng, false)
}

// multiGaussians are the Playground's six bumps: centre and sign.
var multiGaussians = [6][3]float64{
	{-4, 2.5, 1}, {0, 2.5, -1}, {4, 2.5, 1},
	{-4, -2.5, -1}, {0, -2.5, 1}, {4, -2.5, -1},
}

// MultiGaussian returns n points uniform in [−6, 6]² with a regression
// target in Y [n 1]: six cone-shaped bumps of height ±1 and radius 2, at
// x₁ ∈ {−4, 0, 4} and x₂ = ±2.5 with alternating signs; the target is the
// bump of largest magnitude at the point, 0 far from all of them. It panics
// with a *dl.Error unless n ≥ 1 and noise ≥ 0.
func MultiGaussian(n int, noise float64, seed uint64) *Dataset {
	rng := playgroundRNG("data.MultiGaussian", n, noise, seed)
	const radius = 6
	target := func(x, y float64) float64 {
		best := 0.0
		for _, g := range multiGaussians {
			v := g[2] * min(max(1-math.Hypot(x-g[0], y-g[1])/2, 0), 1)
			if math.Abs(v) > math.Abs(best) {
				best = v
			}
		}
		return best
	}
	pts := make([]point, 0, n)
	for range n {
		x, y := uniform(rng, -radius, radius), uniform(rng, -radius, radius)
		nx, ny := uniform(rng, -radius, radius)*noise, uniform(rng, -radius, radius)*noise
		pts = append(pts, point{x, y, target(x+nx, y+ny)})
	}
	return playgroundSet("multi-gaussian", pts, rng, false)
}

// point is a Playground example: coordinates and label or target.
type point struct{ x, y, v float64 }

// pad moves v away from 0 by p, as the Playground does for XOR.
func pad(v, p float64) float64 {
	if v > 0 {
		return v + p
	}
	return v - p
}

func label(positive bool) float64 {
	if positive {
		return 1
	}
	return 0
}

func uniform(rng *rand.Rand, a, b float64) float64 { return a + rng.Float64()*(b-a) }

func playgroundRNG(op string, n int, noise float64, seed uint64) *rand.Rand {
	if n < 1 {
		panic(&dl.Error{Op: op, Msg: fmt.Sprintf("%d points: need at least 1", n)})
	}
	if !(noise >= 0) || math.IsInf(noise, 0) {
		panic(&dl.Error{Op: op, Msg: fmt.Sprintf("noise %g is not a finite number ≥ 0 (the Playground's scale is 0 to 0.5)", noise)})
	}
	return rand.New(rand.NewPCG(seed, playgroundStream))
}

// playgroundSet shuffles pts and makes the Dataset: X [n 2], and Y [n]
// labels for classification or [n 1] targets for regression.
func playgroundSet(name string, pts []point, rng *rand.Rand, classify bool) *Dataset {
	rng.Shuffle(len(pts), func(i, j int) { pts[i], pts[j] = pts[j], pts[i] })
	n := len(pts)
	x, y := make([]float32, 2*n), make([]float32, n)
	for i, p := range pts {
		x[2*i], x[2*i+1], y[i] = float32(p.x), float32(p.y), float32(p.v)
	}
	if classify {
		return newDataset(name, x, []int{n, 2}, y, []int{n}, []string{"-1", "+1"})
	}
	return newDataset(name, x, []int{n, 2}, y, []int{n, 1}, nil)
}
