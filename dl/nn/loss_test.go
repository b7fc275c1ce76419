package nn

import (
	"math"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

func f64(v ...float64) *dl.Tensor { return dl.FromSlice(v) }

func TestLossValuesByHand(t *testing.T) {
	lse := func(z ...float64) float64 { // log Σ exp, for the hand computation
		s := 0.0
		for _, v := range z {
			s += math.Exp(v)
		}
		return math.Log(s)
	}
	logits := dl.FromSlice([]float64{1, 2, 3, 0, 0, 0, -1, 5, 2}, 3, 3)
	labels := dl.Labels(2, 1, 0)
	wantCE := (lse(1, 2, 3) - 3 + math.Log(3) + lse(-1, 5, 2) + 1) / 3
	cases := []struct {
		name      string
		got, want float64
	}{
		{"MSE", MSE(f64(1, 2, 3), f64(1, 1, 1)).Item(), 5.0 / 3},
		{"BCE", BCE(f64(0.5, 0.9), f64(1, 0)).Item(), (math.Log(2) + math.Log(10)) / 2},
		{"BCE soft targets", BCE(f64(0.8), f64(0.25)).Item(), -(0.25*math.Log(0.8) + 0.75*math.Log(0.2))},
		{"BCE clamps log at −100", BCE(f64(0, 1, 0), f64(1, 0, 0)).Item(), 200.0 / 3},
		{"BCEWithLogits", BCEWithLogits(f64(0, 2), f64(1, 0)).Item(), (math.Log(2) + math.Log(1+math.Exp(2))) / 2},
		{"BCEWithLogits large scores", BCEWithLogits(f64(100, -100, 100), f64(1, 0, 0)).Item(), 100.0 / 3},
		{"CrossEntropy", CrossEntropy(logits, labels).Item(), wantCE},
		{"CrossEntropy = NLL∘LogSoftmax", NLL(logits.LogSoftmax(1), labels).Item(), wantCE},
		{"NLL", NLL(dl.FromSlice([]float64{math.Log(0.2), math.Log(0.8)}, 1, 2), dl.Labels(1)).Item(), -math.Log(0.8)},
		{"OneVsRest", OneVsRest(dl.Float64.Zeros(2, 4), dl.Labels(3, 0)).Item(), math.Log(2)},
		{"OneVsRest by hand", OneVsRest(dl.FromSlice([]float64{2, -1}, 1, 2), dl.Labels(1)).Item(),
			(math.Log(1+math.Exp(2)) + math.Log(1+math.Exp(1))) / 2}, // −log(1 − σ(2)) − log σ(−1), averaged
		{"Accuracy", Accuracy(logits, labels), 1.0 / 3},
		{"Accuracy binary", Accuracy(dl.FromSlice([]float32{0.5, -1, 2}, 3, 1), dl.FromSlice([]float32{1, 1, 1}, 3, 1)), 2.0 / 3},
	}
	for _, c := range cases {
		if math.Abs(c.got-c.want) > 1e-12*max(1, math.Abs(c.want)) || math.IsNaN(c.got) {
			t.Errorf("%s = %.15g, want %.15g", c.name, c.got, c.want)
		}
	}
	// BCE of sigmoid outputs agrees with BCEWithLogits.
	z, y := nnRandn(1, 5, 2), nnUniform(2, 0, 1, 5, 2)
	if a, b := BCE(z.Sigmoid(), y).Item(), BCEWithLogits(z, y).Item(); math.Abs(a-b) > 1e-12 {
		t.Errorf("BCE(σ(z)) = %v, BCEWithLogits(z) = %v", a, b)
	}
	if got := PredictOneVsRest(logits).Float64s(); got[0] != 2 || got[1] != 0 || got[2] != 1 {
		t.Errorf("PredictOneVsRest = %v", got)
	}
}

func TestLossGradientsByHand(t *testing.T) {
	// BCEWithLogits: (σ(z) − y)/n, also at z = 0 (zero-initialised weights).
	z := f64(0, 0, 3).SetRequiresGrad(true)
	BCEWithLogits(z, f64(1, 0, 1)).Backward()
	s := 1 / (1 + math.Exp(-3))
	nnClose(t, "BCEWithLogits gradient", z.Grad().Float64s(), []float64{-0.5 / 3, 0.5 / 3, (s - 1) / 3}, 1e-15)

	// BCE where the log is clamped: finite loss, zero gradient, no NaN.
	p := f64(0, 1, 0.5).SetRequiresGrad(true)
	BCE(p, f64(1, 0, 1)).Backward()
	nnClose(t, "BCE gradient at the clamp", p.Grad().Float64s(), []float64{0, 0, -2.0 / 3}, 1e-15)
	p32 := dl.FromSlice([]float32{0, 1, 1e-30}).SetRequiresGrad(true)
	BCE(p32, dl.FromSlice([]float32{0, 1, 0})).Backward()
	for _, g := range p32.Grad().Float64s() {
		if math.IsNaN(g) || math.IsInf(g, 0) {
			t.Errorf("float32 BCE gradient %v", p32.Grad())
		}
	}

	// MSE: 2(ŷ − y)/n.
	q := f64(1, 2, 3).SetRequiresGrad(true)
	MSE(q, f64(1, 1, 1)).Backward()
	nnClose(t, "MSE gradient", q.Grad().Float64s(), []float64{0, 2.0 / 3, 4.0 / 3}, 1e-15)
}

func TestLossErrors(t *testing.T) {
	cases := []struct {
		f    func()
		want string
	}{
		{func() { MSE(dl.Zeros(4, 1), dl.Zeros(4)) }, "dl: nn.MSE: input of shape [4 1] and target of shape [4] differ"},
		{func() { BCE(dl.FromSlice([]float32{0.5, 2}), dl.Zeros(2)) },
			"dl: nn.BCE: input of shape [2] has the value 2 outside [0, 1]; pass probabilities (Sigmoid outputs) or use BCEWithLogits for scores"},
		{func() { CrossEntropy(dl.Zeros(3, 4), dl.Labels(1, 2)) },
			"dl: nn.CrossEntropy: labels of shape [2] do not fit scores of shape [3 4] (want labels [3])"},
		{func() { CrossEntropy(dl.Zeros(2, 4), dl.Labels(1, 4)) }, "dl: nn.CrossEntropy: label 4 at 1 is not a class index in [0, 4)"},
		{func() { CrossEntropy(dl.Zeros(2, 4), dl.FromSlice([]float32{1, 0.5})) }, "dl: nn.CrossEntropy: label 0.5 at 1 is not a class index in [0, 4)"},
		{func() { CrossEntropy(dl.Zeros(4), dl.Labels(1)) }, "dl: nn.CrossEntropy: scores of shape [4] are not [N C]"},
		{func() { NLL(dl.Zeros(2, 4), dl.Zeros(2, 1)) }, "dl: nn.NLL: labels of shape [2 1] do not fit scores of shape [2 4] (want labels [2])"},
		{func() { Accuracy(dl.Zeros(3, 2), dl.Labels(1)) }, "dl: nn.Accuracy: 1 labels (shape [1]) for 3 rows of scores [3 2]"},
	}
	for _, c := range cases {
		if err := dl.Catch(c.f); err == nil || err.Error() != c.want {
			t.Errorf("error\n\t%v\nwant\n\t%s", err, c.want)
		}
	}
}
