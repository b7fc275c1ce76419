package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// moments returns the mean, the variance and the largest |value|.
func moments(t *dl.Tensor) (mean, variance, maxAbs float64) {
	v := t.Float64s()
	for _, x := range v {
		mean += x
		maxAbs = max(maxAbs, math.Abs(x))
	}
	mean /= float64(len(v))
	for _, x := range v {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(v)), maxAbs
}

func TestDefaultInit(t *testing.T) {
	Seed(3)
	// Linear(in, out): U(−1/√in, 1/√in) for weight and bias, as PyTorch.
	l := Linear(400, 300)
	b := 1 / math.Sqrt(400)
	for _, p := range []*dl.Tensor{l.Weight, l.Bias} {
		mean, v, m := moments(p)
		if m > b || m < 0.95*b || math.Abs(mean) > 0.01*b*10 || math.Abs(v-b*b/3) > 0.05*b*b/3 {
			t.Errorf("Linear parameter %v: mean %g, variance %g (want %g), max %g (bound %g)", p.Shape(), mean, v, b*b/3, m, b)
		}
	}
	if !l.Weight.RequiresGrad() || !l.Bias.RequiresGrad() || l.Weight.DType() != dl.Float32 {
		t.Errorf("Linear parameters: requires grad %v %v, dtype %v", l.Weight.RequiresGrad(), l.Bias.RequiresGrad(), l.Weight.DType())
	}
	// Conv2d: fan_in = in·k².
	c := Conv2d(16, 32, 5)
	b = 1 / math.Sqrt(16*25)
	if _, _, m := moments(c.Weight); m > b || m < 0.95*b {
		t.Errorf("Conv2d weight max %g, bound %g", m, b)
	}
	if _, _, m := moments(c.Bias); m > b {
		t.Errorf("Conv2d bias max %g, bound %g", m, b)
	}

	// Seeded nets are reproducible; other seeds differ.
	Seed(9)
	a := Linear(3, 2).Weight.Float64s()
	Seed(9)
	same := Linear(3, 2).Weight.Float64s()
	Seed(10)
	other := Linear(3, 2).Weight.Float64s()
	if !slices.Equal(a, same) || slices.Equal(a, other) {
		t.Errorf("seeded weights %v, again %v, other seed %v", a, same, other)
	}
}

func TestInitializers(t *testing.T) {
	Seed(4)
	w := dl.Zeros(200, 300) // fan_in 300, fan_out 200
	cases := []struct {
		name     string
		f        func(*dl.Tensor) *dl.Tensor
		variance float64
		bound    float64 // 0: normal
	}{
		{"XavierUniform", XavierUniform, 2.0 / 500, math.Sqrt(6.0 / 500)},
		{"XavierNormal", XavierNormal, 2.0 / 500, 0},
		{"HeUniform", HeUniform, 2.0 / 300, math.Sqrt(6.0 / 300)},
		{"HeNormal", HeNormal, 2.0 / 300, 0},
		{"KaimingUniform a=√5", func(t *dl.Tensor) *dl.Tensor { return KaimingUniform(t, math.Sqrt(5)) }, 1.0 / 900, 1 / math.Sqrt(300)},
		{"KaimingNormal a=1", func(t *dl.Tensor) *dl.Tensor { return KaimingNormal(t, 1) }, 1.0 / 300, 0},
		{"Uniform", func(t *dl.Tensor) *dl.Tensor { return Uniform(t, -2, 2) }, 16.0 / 12, 2},
		{"Normal", func(t *dl.Tensor) *dl.Tensor { return Normal(t, 0, 0.5) }, 0.25, 0},
	}
	for _, c := range cases {
		if got := c.f(w); got != w {
			t.Errorf("%s did not fill the tensor in place", c.name)
		}
		mean, v, m := moments(w)
		if math.Abs(v-c.variance) > 0.03*c.variance || math.Abs(mean) > 0.05*math.Sqrt(c.variance) {
			t.Errorf("%s: mean %g, variance %g, want 0 and %g", c.name, mean, v, c.variance)
		}
		if c.bound > 0 && (m > c.bound || m < 0.99*c.bound) {
			t.Errorf("%s: max |w| %g, bound %g", c.name, m, c.bound)
		}
	}
	// Conv weights: fans include the receptive field.
	cw := XavierUniform(dl.Zeros(8, 4, 3, 3))
	if _, _, m := moments(cw); m > math.Sqrt(6.0/(36+72)) {
		t.Errorf("conv Xavier bound exceeded: %g", m)
	}
	nnClose(t, "Constant", Constant(dl.Float64.Zeros(2), 0.5).Float64s(), []float64{0.5, 0.5}, 0)
	err := dl.Catch(func() { XavierUniform(dl.Zeros(5)) })
	if err == nil || err.Error() != "dl: nn.XavierUniform: tensor of shape [5] has fewer than 2 dimensions, so its fan in and fan out are undefined" {
		t.Errorf("error %v", err)
	}

	// InitWeights reaches every weight of rank ≥ 2 and nothing else.
	net := Input(1, 6, 6).Conv2d(2, 3).BatchNorm().ReLU().Flatten().Linear(3)
	before := map[string][]float64{}
	for _, n := range net.StateDict() {
		before[n.Name] = n.Tensor.Float64s()
	}
	InitWeights(net, func(t *dl.Tensor) *dl.Tensor { return Constant(t, 7) })
	for _, n := range net.StateDict() {
		changed := !slices.Equal(before[n.Name], n.Tensor.Float64s())
		if want := n.Name == "0.weight" || n.Name == "4.weight"; changed != want {
			t.Errorf("%s changed: %v, want %v", n.Name, changed, want)
		}
	}
	if !net.Parameters()[0].RequiresGrad() {
		t.Errorf("a re-initialised weight no longer requires a gradient")
	}
}
