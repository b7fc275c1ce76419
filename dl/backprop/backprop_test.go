package backprop

import (
	"math"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

func xorBatch() (x, y *dl.Tensor) {
	return dl.FromSlice([]float64{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2), dl.FromSlice([]float64{0, 1, 1, 0}, 4, 1)
}

func TestBackpropMatchesAutodiff(t *testing.T) {
	for _, c := range []struct {
		sizes  []int
		lambda float64
	}{{[]int{2, 2, 1}, 0}, {[]int{2, 3, 1}, 0.1}, {[]int{2, 4, 3, 2}, 0.01}} {
		net := New(1, c.sizes...)
		x, _ := xorBatch()
		out := c.sizes[len(c.sizes)-1]
		ys := make([]float64, 4*out)
		for i := range ys {
			ys[i] = float64(i % 2)
		}
		e := Explain(net, x, dl.FromSlice(ys, 4, out), c.lambda)
		cmp := e.Check()
		if !cmp.OK() {
			t.Errorf("sizes %v λ=%g:\n%s", c.sizes, c.lambda, cmp)
		}
		if math.Abs(cmp.Cost-e.Cost()) > 1e-12 {
			t.Errorf("sizes %v: J by hand %g, by dl %g", c.sizes, e.Cost(), cmp.Cost)
		}
	}
}

// D must be the gradient of J: check it against central differences of the
// hand-written cost, independently of dl's autodiff.
func TestBackpropMatchesFiniteDifferences(t *testing.T) {
	x, y := xorBatch()
	net := New(3, 2, 3, 1)
	e := Explain(net, x, y, 0.05)
	const h = 1e-6
	for l, th := range net.Theta {
		for i := range th {
			orig := th[i]
			th[i] = orig + h
			up := Explain(net, x, y, 0.05).Cost()
			th[i] = orig - h
			down := Explain(net, x, y, 0.05).Cost()
			th[i] = orig
			if num := (up - down) / (2 * h); math.Abs(num-e.D[l][i]) > 1e-8 {
				t.Errorf("Θ%s[%d]: D = %g, finite difference %g", sup(l+1), i, e.D[l][i], num)
			}
		}
	}
}

// A hand-computed case: one sigmoid unit (logistic regression) with all
// weights 0 outputs ½, so δ = ½ − y and D = mean(δ·[1; x]) + λΘ = mean(δ·[1; x]).
func TestSingleNodeByHand(t *testing.T) {
	net := FromTheta(dl.FromSlice([]float64{0, 0, 0}, 1, 3))
	x := dl.FromSlice([]float64{1, 2, 3, 4}, 2, 2)
	y := dl.FromSlice([]float64{1, 0}, 2)
	e := Explain(net, x, y, 1)
	want := []float64{(-0.5 + 0.5) / 2, (-0.5*1 + 0.5*3) / 2, (-0.5*2 + 0.5*4) / 2}
	for i, w := range want {
		if math.Abs(e.D[0][i]-w) > 1e-15 {
			t.Errorf("D[%d] = %g, want %g", i, e.D[0][i], w)
		}
	}
	if math.Abs(e.Cost()-math.Log(2)) > 1e-15 {
		t.Errorf("J = %g, want ln 2", e.Cost())
	}
}

func TestTables(t *testing.T) {
	x, y := xorBatch()
	e := Explain(New(1, 2, 2, 1), x, y, 0.1)
	steps := e.Steps(1).String()
	for _, want := range []string{"a⁽¹⁾", "= x", "[0 1]", "z⁽²⁾", "= Θ⁽¹⁾ [1; a⁽¹⁾]", "δ⁽³⁾", "= a⁽³⁾ − y", "δ⁽²⁾", "Δ⁽¹⁾"} {
		if !strings.Contains(steps, want) {
			t.Errorf("steps table lacks %q:\n%s", want, steps)
		}
	}
	if md := e.Gradients().Markdown(); !strings.Contains(md, "| Θ⁽²⁾ |") {
		t.Errorf("markdown:\n%s", md)
	}
	if h := e.Gradients().HTML(); !strings.Contains(h, "<table") {
		t.Errorf("html:\n%s", h)
	}
}

// A bad argument panics with a *dl.Error naming the function and the
// shapes, so that dl.Catch turns it into an error.
func TestBadInput(t *testing.T) {
	x, _ := xorBatch()
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { Explain(New(1, 2, 1), x, x, 0) }, "dl: backprop.Explain: tensor of shape [4 2] is not [n 1]"},
		{func() { Explain(New(1, 2, 1), x, dl.Zeros(3), 0) }, "dl: backprop.Explain: 4 inputs and 3 targets (want the same positive number)"},
		{func() { Explain(New(1, 2, 1), x, dl.Zeros(4), 0).Steps(4) }, "dl: backprop.Explanation.Steps: instance 4 is out of range [0, 4)"},
		{func() { New(1, 2) }, "dl: backprop.New: layer sizes [2] need at least an input and an output layer"},
		{func() { New(1, 2, 0, 1) }, "dl: backprop.New: layer sizes [2 0 1] must be positive"},
		{func() { FromTheta() }, "dl: backprop.FromTheta: no weight matrices (want at least Θ⁽¹⁾)"},
		{func() { FromTheta(dl.Zeros(2, 3), dl.Zeros(1, 4)) }, "dl: backprop.FromTheta: Θ⁽²⁾ of shape [1 4] takes 3 inputs, but layer 2 has 2 units"},
		{func() { FromTheta(dl.Zeros(3)) }, "dl: backprop.FromTheta: Θ⁽¹⁾ of shape [3] is not s_out × (s_in + 1)"},
		{func() { New(1, 2, 1).Predict(dl.Zeros(4, 3)) }, "dl: backprop.Network.Predict: tensor of shape [4 3] is not [n 2]"},
	} {
		err := dl.Catch(c.f)
		if err == nil || err.Error() != c.want {
			t.Errorf("got  %v\nwant %s", err, c.want)
		}
	}
}
