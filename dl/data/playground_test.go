package data

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

type generator struct {
	name     string
	f        func(n int, noise float64, seed uint64) *Dataset
	classify bool
}

var generators = []generator{
	{"circle", Circle, true}, {"xor", XOR, true}, {"gaussians", Gaussians, true}, {"spiral", Spiral, true},
	{"plane", Plane, false}, {"multi-gaussian", MultiGaussian, false},
}

// points returns the coordinates and labels (or targets) of ds in float64.
func points(ds *Dataset) (x, y, v []float64) {
	xs, vs := ds.X.Float64s(), ds.Y.Float64s()
	for i := range vs {
		x, y = append(x, xs[2*i]), append(y, xs[2*i+1])
	}
	return x, y, vs
}

func TestPlaygroundShapes(t *testing.T) {
	for _, g := range generators {
		for _, n := range []int{1, 7, 500} {
			ds := g.f(n, 0.2, 1)
			wantY := []int{n, 1}
			if g.classify {
				wantY = []int{n}
				if !slices.Equal(ds.Classes, []string{"-1", "+1"}) {
					t.Errorf("%s: classes %q", g.name, ds.Classes)
				}
			}
			if ds.Name != g.name || !slices.Equal(ds.X.Shape(), []int{n, 2}) || !slices.Equal(ds.Y.Shape(), wantY) ||
				ds.X.DType() != dl.Float32 || ds.Y.DType() != dl.Float32 {
				t.Errorf("%s(%d): %v", g.name, n, ds)
			}
		}
	}
}

func TestPlaygroundDeterminism(t *testing.T) {
	for _, g := range generators {
		a, b, c := g.f(200, 0.3, 42), g.f(200, 0.3, 42), g.f(200, 0.3, 43)
		if !slices.Equal(a.X.Float32s(), b.X.Float32s()) || !slices.Equal(a.Y.Float32s(), b.Y.Float32s()) {
			t.Errorf("%s: the same seed gave different points", g.name)
		}
		if slices.Equal(a.X.Float32s(), c.X.Float32s()) {
			t.Errorf("%s: seeds 42 and 43 gave the same points", g.name)
		}
	}
}

func TestPlaygroundBalance(t *testing.T) {
	for _, g := range generators[:4] {
		for _, n := range []int{500, 501} {
			_, _, v := points(g.f(n, 0, 3))
			ones := 0
			for _, l := range v {
				if l != 0 && l != 1 {
					t.Fatalf("%s: label %v", g.name, l)
				}
				ones += int(l)
			}
			want := n - n/2
			if g.name == "xor" { // labels follow the quadrant: balanced on average
				if ones < n*2/5 || ones > n*3/5 {
					t.Errorf("xor: %d of %d points have label 1", ones, n)
				}
			} else if ones != want {
				t.Errorf("%s(%d): %d points have label 1, want %d", g.name, n, ones, want)
			}
			// Shuffled: the first half holds both classes.
			if first := int(slices.Max(v[:n/2]) - slices.Min(v[:n/2])); first != 1 {
				t.Errorf("%s: the first half of the points is one class", g.name)
			}
		}
	}
}

func TestCircle(t *testing.T) {
	x, y, v := points(Circle(1000, 0, 5))
	for i := range v {
		r := math.Hypot(x[i], y[i])
		if v[i] == 1 && r >= 2.5 || v[i] == 0 && (r < 3.5-1e-6 || r > 5+1e-6) {
			t.Fatalf("point at radius %v has label %v", r, v[i])
		}
	}
	// With noise some labels flip, but the inner class stays inside.
	x, y, v = points(Circle(1000, 0.25, 5))
	var sum [2]float64
	var count [2]int
	flipped := 0
	for i := range v {
		r := math.Hypot(x[i], y[i])
		sum[int(v[i])] += r
		count[int(v[i])]++
		if (r < 3) != (v[i] == 1) {
			flipped++
		}
	}
	if in, out := sum[1]/float64(count[1]), sum[0]/float64(count[0]); in >= out {
		t.Errorf("mean radius of class 1 (inner) %v, of class 0 %v", in, out)
	}
	if flipped == 0 || flipped > 400 {
		t.Errorf("noise 0.25 flipped %d of 1000 labels", flipped)
	}
}

func TestXOR(t *testing.T) {
	x, y, v := points(XOR(1000, 0, 5))
	for i := range v {
		if ax, ay := math.Abs(x[i]), math.Abs(y[i]); ax < 0.3-1e-6 || ay < 0.3-1e-6 || ax > 5.3+1e-6 || ay > 5.3+1e-6 {
			t.Fatalf("point (%v, %v) is outside the padded square", x[i], y[i])
		}
		if want := label(x[i]*y[i] >= 0); v[i] != want {
			t.Fatalf("point (%v, %v) has label %v, want %v (1 where x·y ≥ 0)", x[i], y[i], v[i], want)
		}
	}
	_, _, noisy := points(XOR(1000, 0.5, 5))
	if slices.Equal(v, noisy) {
		t.Error("noise changed no label")
	}
}

func TestGaussians(t *testing.T) {
	for _, c := range []struct{ noise, variance float64 }{{0, 0.5}, {0.5, 4}} {
		x, y, v := points(Gaussians(20000, c.noise, 9))
		var sx, sy, sxx [2]float64
		var n [2]float64
		for i := range v {
			k := int(v[i])
			sx[k] += x[i]
			sy[k] += y[i]
			sxx[k] += x[i] * x[i]
			n[k]++
		}
		for k, centre := range []float64{-2, 2} {
			mx, my := sx[k]/n[k], sy[k]/n[k]
			vx := sxx[k]/n[k] - mx*mx
			if math.Abs(mx-centre) > 0.1 || math.Abs(my-centre) > 0.1 || math.Abs(vx-c.variance) > 0.1*c.variance {
				t.Errorf("noise %v, class %d: mean (%.3f, %.3f), variance %.3f; want (%v, %v), %v", c.noise, k, mx, my, vx, centre, centre, c.variance)
			}
		}
	}
}

func TestSpiral(t *testing.T) {
	// Without noise every point lies on its class's arm, at angle
	// t = 0.7π·r (label 1) or t + π (label 0), measured as atan2(x, y).
	x, y, v := points(Spiral(500, 0, 2))
	onArm := func(i int, shift float64) bool {
		r := math.Hypot(x[i], y[i])
		if r < 1e-3 {
			return true
		}
		d := math.Remainder(math.Atan2(x[i], y[i])-(0.7*math.Pi*r+shift), 2*math.Pi)
		return math.Abs(d) < 1e-4
	}
	for i := range v {
		r := math.Hypot(x[i], y[i])
		if r >= 5 {
			t.Fatalf("point at radius %v", r)
		}
		shift := math.Pi * (1 - v[i])
		if !onArm(i, shift) || r > 0.1 && onArm(i, shift+math.Pi) {
			t.Fatalf("point (%v, %v) with label %v is not on its arm only", x[i], y[i], v[i])
		}
	}
	// The arms are point reflections of each other.
	for i := range v {
		if v[i] != 1 {
			continue
		}
		mirrored := false
		for j := range v {
			if v[j] == 0 && math.Hypot(x[i]+x[j], y[i]+y[j]) < 1e-5 {
				mirrored = true
				break
			}
		}
		if !mirrored {
			t.Fatalf("point (%v, %v) of arm 1 has no mirror on arm 0", x[i], y[i])
		}
	}
	// Noise moves points off the arm by at most noise per coordinate.
	xn, yn, _ := points(Spiral(500, 0.5, 2))
	for i := range xn {
		if math.Hypot(xn[i], yn[i]) > 5+0.5*math.Sqrt2 {
			t.Fatalf("noisy point (%v, %v) too far out", xn[i], yn[i])
		}
	}
}

func TestPlane(t *testing.T) {
	x, y, v := points(Plane(1000, 0, 4))
	for i := range v {
		if math.Abs(v[i]-(x[i]+y[i])/10) > 1e-6 || math.Abs(x[i]) > 6 || math.Abs(y[i]) > 6 {
			t.Fatalf("point (%v, %v) has target %v, want (x₁+x₂)/10", x[i], y[i], v[i])
		}
	}
	x, y, v = points(Plane(1000, 0.5, 4))
	var worst float64
	for i := range v {
		worst = max(worst, math.Abs(v[i]-(x[i]+y[i])/10))
	}
	if worst == 0 || worst > 0.6+1e-6 {
		t.Errorf("noise 0.5 moved targets by up to %v, want up to 0.6", worst)
	}
}

func TestMultiGaussian(t *testing.T) {
	x, y, v := points(MultiGaussian(2000, 0, 4))
	for i := range v {
		if math.Abs(v[i]) > 1 {
			t.Fatalf("target %v", v[i])
		}
		for _, g := range multiGaussians {
			if d := math.Hypot(x[i]-g[0], y[i]-g[1]); d < 1 {
				// Within 1 of a centre that bump (at least 0.5) wins: the
				// others are at least 4 away.
				if want := g[2] * (1 - d/2); math.Abs(v[i]-want) > 1e-6 {
					t.Fatalf("point (%v, %v) near (%v, %v): target %v, want %v", x[i], y[i], g[0], g[1], v[i], want)
				}
			}
		}
		if math.Abs(y[i]) > 4.5 && v[i] != 0 {
			t.Fatalf("point (%v, %v) far from all bumps has target %v", x[i], y[i], v[i])
		}
	}
}

func TestPlaygroundBadArguments(t *testing.T) {
	for _, g := range generators {
		for _, c := range []struct {
			n     int
			noise float64
		}{{0, 0}, {10, -0.1}, {10, math.NaN()}, {10, math.Inf(1)}} {
			var e *dl.Error
			if err := dl.Catch(func() { g.f(c.n, c.noise, 1) }); !errors.As(err, &e) {
				t.Errorf("%s(%d, %v): %v, want a *dl.Error", g.name, c.n, c.noise, err)
			}
		}
	}
}
