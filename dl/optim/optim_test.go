package optim_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/optim"
)

// closeTo checks got against want element by element to an absolute error.
func closeTo(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol {
			t.Errorf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}

// setGrad gives p the gradient g by backpropagating sum(p·g).
func setGrad(p *dl.Tensor, g ...float64) {
	p.ZeroGrad()
	p.Mul(dl.FromSlice(g, p.Shape()...).AsType(p.DType())).Sum().Backward()
}

// lectureL2Net is one linear layer out = X·Wᵀ + b with the mean over the
// batch of the summed outputs as loss, so the gradients are easy by hand:
// with the examples x₁ = (1, 2), x₂ = (3, 4) (n = 2) every output unit i
// has δᵢ = 1, so
//
//	Δᵢⱼ = Σₖ δᵢ·xₖⱼ = (1+3, 2+4) = (4, 6),   Δ/n = (2, 3) in each row of W
//	Δ/n for the bias = (1+1)/2 = 1 per unit.
func lectureL2Net() (W, b, loss *dl.Tensor) {
	X := dl.FromSlice([]float64{1, 2, 3, 4}, 2, 2)
	W = dl.FromSlice([]float64{1, -1, 0.5, 2}, 2, 2).SetRequiresGrad(true)
	b = dl.FromSlice([]float64{0.2, -0.3}).SetRequiresGrad(true)
	return W, b, X.MatMul(W.T()).Add(b).Sum(1).Mean()
}

func TestLectureL2(t *testing.T) {
	W, b, loss := lectureL2Net()
	loss.Backward()
	closeTo(t, "Δ/n for W", W.Grad().Float64s(), []float64{2, 3, 2, 3}, 1e-15)
	closeTo(t, "Δ/n for b", b.Grad().Float64s(), []float64{1, 1}, 1e-15)

	// λ = 0.1, η = 0.5. Weights: D = Δ/n + λΘ
	//	D = [2 + 0.1·1, 3 + 0.1·(−1); 2 + 0.1·0.5, 3 + 0.1·2] = [2.1 2.9; 2.05 3.2]
	//	Θ − ηD = [1 − 1.05, −1 − 1.45; 0.5 − 1.025, 2 − 1.6] = [−0.05 −2.45; −0.525 0.4]
	// Bias (1-D): D = Δ/n = (1, 1), b − ηD = (0.2 − 0.5, −0.3 − 0.5) = (−0.3, −0.8).
	opt := optim.SGD([]*dl.Tensor{W, b}, 0.5, optim.LectureL2(0.1))
	opt.Step()
	closeTo(t, "W", W.Float64s(), []float64{-0.05, -2.45, -0.525, 0.4}, 1e-15)
	closeTo(t, "b", b.Float64s(), []float64{-0.3, -0.8}, 1e-15)

	// L2Exclude(W) replaces the rank rule: now W is spared and b penalized.
	//	W: D = Δ/n, Θ − ηD = [1 − 1, −1 − 1.5; 0.5 − 1, 2 − 1.5] = [0 −2.5; −0.5 0.5]
	//	b: D = (1 + 0.1·0.2, 1 + 0.1·(−0.3)) = (1.02, 0.97), b − ηD = (−0.31, −0.785)
	W, b, loss = lectureL2Net()
	loss.Backward()
	optim.SGD([]*dl.Tensor{W, b}, 0.5, optim.LectureL2(0.1), optim.L2Exclude(W)).Step()
	closeTo(t, "W with L2Exclude(W)", W.Float64s(), []float64{0, -2.5, -0.5, 0.5}, 1e-15)
	closeTo(t, "b with L2Exclude(W)", b.Float64s(), []float64{-0.31, -0.785}, 1e-15)

	// PyTorch's WeightDecay penalizes the bias too: b − η(Δ/n + λb).
	W, b, loss = lectureL2Net()
	loss.Backward()
	optim.SGD([]*dl.Tensor{W, b}, 0.5, optim.WeightDecay(0.1)).Step()
	closeTo(t, "W with WeightDecay", W.Float64s(), []float64{-0.05, -2.45, -0.525, 0.4}, 1e-15)
	closeTo(t, "b with WeightDecay", b.Float64s(), []float64{-0.31, -0.785}, 1e-15)
}

// TestLectureL2Adam checks that LectureL2 feeds D to any optimizer: Adam's
// first step from zero state is θ − η·D/(|D| + ε) elementwise (m̂ = D,
// v̂ = D²), so the bias moves by η whatever λ, and the weight's sign of D
// decides its direction.
func TestLectureL2Adam(t *testing.T) {
	W := dl.FromSlice([]float64{1, -4}, 1, 2).SetRequiresGrad(true)
	b := dl.FromSlice([]float64{3}).SetRequiresGrad(true)
	setGrad(W, 0.1, 0.1) // D = 0.1 + 0.1·(1, −4) = (0.2, −0.3)
	setGrad(b, -0.1)     // D = −0.1
	optim.Adam([]*dl.Tensor{W, b}, 0.01, optim.LectureL2(0.1), optim.Eps(0)).Step()
	closeTo(t, "W", W.Float64s(), []float64{0.99, -3.99}, 1e-15)
	closeTo(t, "b", b.Float64s(), []float64{3.01}, 1e-15)
}

func TestLAMB(t *testing.T) {
	// θ = (3, 4), ‖θ‖ = 5; η = 0.01, λ = 0.1, β = (0.9, 0.999), ε = 0.
	theta := dl.FromSlice([]float64{3, 4}).SetRequiresGrad(true)
	opt := optim.LAMB([]*dl.Tensor{theta}, 0.01, optim.WeightDecay(0.1), optim.Eps(0))

	// Step 1, g = (0.6, −0.8):
	//	m = 0.1·g = (0.06, −0.08),  v = 0.001·g² = (0.00036, 0.00064)
	//	m̂ = m/0.1 = (0.6, −0.8),  v̂ = v/0.001 = (0.36, 0.64),  √v̂ = (0.6, 0.8)
	//	u = m̂/√v̂ + λθ = (1, −1) + (0.3, 0.4) = (1.3, −0.6),  ‖u‖ = √2.05
	//	θ ← θ − η·(5/√2.05)·u = (3 − 0.065/√2.05, 4 + 0.03/√2.05)
	setGrad(theta, 0.6, -0.8)
	opt.Step()
	s := math.Sqrt(2.05)
	want1 := []float64{3 - 0.065/s, 4 + 0.03/s} // (2.9546023…, 4.0209529…)
	closeTo(t, "step 1", theta.Float64s(), want1, 1e-14)

	// Step 2, g = (0.2, 0.4):
	//	m = 0.9·(0.06, −0.08) + 0.1·(0.2, 0.4) = (0.074, −0.032)
	//	v = 0.999·(0.00036, 0.00064) + 0.001·(0.04, 0.16) = (0.00039964, 0.00079936)
	//	m̂ = m/(1 − 0.9²) = m/0.19,  v̂ = v/(1 − 0.999²) = v/0.001999
	//	u = m̂/√v̂ + λθ₁,  θ₂ = θ₁ − η·(‖θ₁‖/‖u‖)·u
	setGrad(theta, 0.2, 0.4)
	opt.Step()
	u := []float64{
		(0.074/0.19)/math.Sqrt(0.00039964/0.001999) + 0.1*want1[0],
		(-0.032/0.19)/math.Sqrt(0.00079936/0.001999) + 0.1*want1[1],
	}
	trust := math.Hypot(want1[0], want1[1]) / math.Hypot(u[0], u[1])
	want2 := []float64{want1[0] - 0.01*trust*u[0], want1[1] - 0.01*trust*u[1]}
	closeTo(t, "step 2", theta.Float64s(), want2, 1e-12)
	if st := optim.State(opt, theta); st["step"].Item() != 2 {
		t.Errorf("state step = %v", st["step"])
	} else {
		closeTo(t, "exp_avg", st["exp_avg"].Float64s(), []float64{0.074, -0.032}, 1e-15)
		closeTo(t, "exp_avg_sq", st["exp_avg_sq"].Float64s(), []float64{0.00039964, 0.00079936}, 1e-17)
	}

	// ‖θ‖ = 0: the trust ratio is 1, θ ← −η·u with u = g/|g| = (1, −1).
	zero := dl.Float64.Zeros(2).SetRequiresGrad(true)
	setGrad(zero, 1, -2)
	optim.LAMB([]*dl.Tensor{zero}, 0.01, optim.Eps(0)).Step()
	closeTo(t, "zero θ", zero.Float64s(), []float64{-0.01, 0.01}, 1e-17)

	// A zero gradient and no weight decay: u = 0, the trust ratio is 1 and
	// θ stays.
	still := dl.FromSlice([]float64{1, 2}).SetRequiresGrad(true)
	setGrad(still, 0, 0)
	optim.LAMB([]*dl.Tensor{still}, 0.01).Step()
	closeTo(t, "zero update", still.Float64s(), []float64{1, 2}, 0)
}

func TestStepSkipsParametersWithoutGrad(t *testing.T) {
	a := dl.FromSlice([]float64{1, 2}).SetRequiresGrad(true)
	b := dl.FromSlice([]float64{3, 4}).SetRequiresGrad(true)
	opt := optim.Adam([]*dl.Tensor{a, b}, 0.1)
	setGrad(a, 1, 1)
	opt.Step()
	closeTo(t, "b", b.Float64s(), []float64{3, 4}, 0)
	if optim.State(opt, b) != nil {
		t.Error("b has state without a step")
	}
	if st := optim.State(opt, a); st == nil || st["step"].Item() != 1 || st["exp_avg"] == nil {
		t.Errorf("state of a: %v", st)
	}
	opt.ZeroGrad()
	if a.Grad() != nil || b.Grad() != nil {
		t.Error("ZeroGrad left a gradient")
	}
}

func TestFloat32Parameters(t *testing.T) {
	w := dl.FromSlice([]float32{1, 2}).SetRequiresGrad(true)
	opt := optim.SGD([]*dl.Tensor{w}, 0.5, optim.Momentum(0.9))
	for range 2 {
		setGrad(w, 0.5, -1)
		opt.Step()
	}
	// b = g, then 0.9g + g = 1.9g: w = w − 0.5·2.9·g.
	if w.DType() != dl.Float32 {
		t.Errorf("dtype %v", w.DType())
	}
	closeTo(t, "w", w.Float64s(), []float64{1 - 0.725, 2 + 1.45}, 1e-6)
}

func TestScalarParameter(t *testing.T) {
	w := dl.Float64.Scalar(2).SetRequiresGrad(true)
	opt := optim.SGD([]*dl.Tensor{w}, 0.25)
	w.Square().Backward() // g = 4
	opt.Step()
	if got := w.Item(); got != 1 || w.Rank() != 0 {
		t.Errorf("w = %v (rank %d), want 1", got, w.Rank())
	}
}

func TestSetLRAndMomentum(t *testing.T) {
	w := dl.FromSlice([]float64{1}).SetRequiresGrad(true)
	opt := optim.SGD([]*dl.Tensor{w}, 0.1)
	opt.SetLR(0.5)
	if opt.LR() != 0.5 {
		t.Errorf("LR = %v", opt.LR())
	}
	opt.(optim.MomentumSetter).SetMomentum(0.5)
	setGrad(w, 1)
	opt.Step() // b = 1, w = 1 − 0.5
	setGrad(w, 1)
	opt.Step() // b = 0.5 + 1, w = 0.5 − 0.75
	closeTo(t, "w", w.Float64s(), []float64{-0.25}, 1e-16)
	if got := optim.State(opt, w)["momentum_buffer"].Item(); got != 1.5 {
		t.Errorf("momentum_buffer = %v", got)
	}
	for _, name := range []string{"SGD(lr=0.5, momentum=0.5", "over 1 parameters"} {
		if s := opt.(interface{ String() string }).String(); !strings.Contains(s, name) {
			t.Errorf("String() = %q, want it to contain %q", s, name)
		}
	}
}

func TestBadArguments(t *testing.T) {
	w := dl.Float64.Ones(2, 2).SetRequiresGrad(true)
	ps := []*dl.Tensor{w}
	other := dl.Float64.Ones(2)
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { optim.SGD(ps, -0.1) }, "dl: optim.SGD: learning rate -0.1 is negative"},
		{func() { optim.Adam(ps, math.NaN()) }, "dl: optim.Adam: learning rate is NaN"},
		{func() { optim.SGD(ps, 0.1, optim.Momentum(1)) }, "dl: optim.SGD: momentum 1 is outside [0, 1)"},
		{func() { optim.RMSProp(ps, 0.1, optim.Momentum(-0.5)) }, "dl: optim.RMSProp: momentum -0.5 is outside [0, 1)"},
		{func() { optim.SGD(ps, 0.1, optim.Nesterov()) },
			"dl: optim.SGD: Nesterov momentum needs a momentum > 0 and no dampening, not momentum 0 and dampening 0"},
		{func() { optim.SGD(ps, 0.1, optim.Nesterov(), optim.Momentum(0.9), optim.Dampening(0.1)) },
			"dl: optim.SGD: Nesterov momentum needs a momentum > 0 and no dampening, not momentum 0.9 and dampening 0.1"},
		{func() { optim.SGD(ps, 0.1, optim.Dampening(2)) }, "dl: optim.SGD: dampening 2 is outside [0, 1]"},
		{func() { optim.SGD(ps, 0.1, optim.WeightDecay(-1)) }, "dl: optim.SGD: weight decay -1 is negative"},
		{func() { optim.Adam(ps, 0.1, optim.Betas(1, 0.999)) }, "dl: optim.Adam: beta1 1 is outside [0, 1)"},
		{func() { optim.AdamW(ps, 0.1, optim.Betas(0.9, -0.1)) }, "dl: optim.AdamW: beta2 -0.1 is outside [0, 1)"},
		{func() { optim.Adagrad(ps, 0.1, optim.Eps(-1)) }, "dl: optim.Adagrad: eps -1 is negative"},
		{func() { optim.Adagrad(ps, 0.1, optim.LRDecay(-1)) }, "dl: optim.Adagrad: lr decay -1 is negative"},
		{func() { optim.RMSProp(ps, 0.1, optim.Alpha(1.5)) }, "dl: optim.RMSProp: alpha 1.5 is outside [0, 1]"},
		{func() { optim.SGD(ps, 0.1, optim.LectureL2(-1)) }, "dl: optim.SGD: LectureL2 lambda -1 is negative"},
		{func() { optim.SGD(ps, 0.1, optim.L2Exclude(w)) },
			"dl: optim.SGD: L2Exclude without LectureL2 (it names the parameters LectureL2 leaves alone)"},
		{func() { optim.SGD(ps, 0.1, optim.LectureL2(0.1), optim.L2Exclude(other)) },
			"dl: optim.SGD: L2Exclude names a tensor of shape [2] that is not one of the parameters"},
		{func() { optim.SGD(nil, 0.1) }, "dl: optim.SGD: empty parameter list"},
		{func() { optim.SGD([]*dl.Tensor{w, nil}, 0.1) }, "dl: optim.SGD: parameter 1 is nil"},
		{func() { optim.SGD([]*dl.Tensor{w, w}, 0.1) }, "dl: optim.SGD: parameter 1 of shape [2 2] is parameter 0 again"},
		{func() { optim.SGD([]*dl.Tensor{w.Mul(w)}, 0.1) },
			"dl: optim.SGD: parameter 0 of shape [2 2] was computed by Mul; optimizers update leaf tensors"},
		{func() { optim.SGD(ps, 0.1).SetLR(-1) }, "dl: optim.SGD: SetLR: learning rate -1 is negative"},
		{func() { optim.Adagrad(ps, 0.1).(optim.MomentumSetter).SetMomentum(0.9) },
			"dl: optim.Adagrad: SetMomentum: Adagrad has no momentum"},
		{func() { optim.SGD(ps, 0.1, optim.Momentum(0.9), nil) }, "dl: optim.SGD: option 1 is nil"},
		{func() { optim.OneCycle(0.1, 10, nil) }, "dl: optim.OneCycle: option 0 is nil"},
		{func() { optim.OneCycle(0.1, 10, optim.PctStart(1.5)) }, "dl: optim.OneCycle: pctStart 1.5 is outside [0, 1]"},
		{func() { optim.ReduceOnPlateau(0.1, 0.5, 3, optim.PlateauCooldown(-1)) },
			"dl: optim.ReduceOnPlateau: cooldown -1 is negative"},
		{func() { optim.Step(0.1, 0, 0.5) }, "dl: optim.Step: step size 0 is not positive"},
		{func() { optim.CosineAnnealing(0.1, 0, 0) }, "dl: optim.CosineAnnealing: tMax 0 is not positive"},
		{func() { optim.WarmupCosine(0.1, 10, 5, 0) },
			"dl: optim.WarmupCosine: want 0 ≤ warmupSteps ≤ totalSteps and totalSteps > 0, got 10 and 5"},
		{func() { optim.OneCycle(0.1, 0) }, "dl: optim.OneCycle: total steps 0 is not positive"},
		{func() { optim.ReduceOnPlateau(0.1, 1, 3) }, "dl: optim.ReduceOnPlateau: factor 1 is outside [0, 1)"},
		{func() { optim.Exponential(0.1, 0.9).LR(-1) }, "dl: optim.Exponential: step -1 is negative"},
	} {
		err := dl.Catch(c.f)
		if err == nil {
			t.Errorf("no panic, want %q", c.want)
		} else if err.Error() != c.want {
			t.Errorf("got  %q\nwant %q", err, c.want)
		}
	}
}

// TestOptionTargets pins which constructors take each option: an option
// implements the option interface of exactly the optimizers and schedules
// it applies to, so that passing it elsewhere (Momentum to Adam) does not
// compile.
func TestOptionTargets(t *testing.T) {
	w := dl.Ones(2).SetRequiresGrad(true)
	targets := []struct {
		name string
		is   func(any) bool
	}{
		{"SGD", func(o any) bool { _, ok := o.(optim.SGDOption); return ok }},
		{"Adagrad", func(o any) bool { _, ok := o.(optim.AdagradOption); return ok }},
		{"RMSProp", func(o any) bool { _, ok := o.(optim.RMSPropOption); return ok }},
		{"Adam", func(o any) bool { _, ok := o.(optim.AdamOption); return ok }},
		{"LAMB", func(o any) bool { _, ok := o.(optim.LAMBOption); return ok }},
		{"OneCycle", func(o any) bool { _, ok := o.(optim.OneCycleOption); return ok }},
		{"ReduceOnPlateau", func(o any) bool { _, ok := o.(optim.PlateauOption); return ok }},
	}
	every := "SGD Adagrad RMSProp Adam LAMB"
	for _, c := range []struct {
		name string
		opt  any
		want string // the targets, in the order of targets
	}{
		{"Momentum", optim.Momentum(0.9), "SGD RMSProp"},
		{"Dampening", optim.Dampening(0.1), "SGD"},
		{"Nesterov", optim.Nesterov(), "SGD"},
		{"WeightDecay", optim.WeightDecay(0.1), every},
		{"Maximize", optim.Maximize(), every},
		{"LRDecay", optim.LRDecay(0.1), "Adagrad"},
		{"InitialAccumulator", optim.InitialAccumulator(0.1), "Adagrad"},
		{"Alpha", optim.Alpha(0.9), "RMSProp"},
		{"Centered", optim.Centered(), "RMSProp"},
		{"Betas", optim.Betas(0.9, 0.99), "Adam LAMB"},
		{"AMSGrad", optim.AMSGrad(), "Adam"},
		{"Eps", optim.Eps(1e-8), "Adagrad RMSProp Adam LAMB"},
		{"LectureL2", optim.LectureL2(0.1), every},
		{"L2Exclude", optim.L2Exclude(w), every},
		{"PctStart", optim.PctStart(0.3), "OneCycle"},
		{"DivFactor", optim.DivFactor(25), "OneCycle"},
		{"FinalDivFactor", optim.FinalDivFactor(1e4), "OneCycle"},
		{"LinearAnneal", optim.LinearAnneal(), "OneCycle"},
		{"ThreePhase", optim.ThreePhase(), "OneCycle"},
		{"CycleMomentum", optim.CycleMomentum(0.85, 0.95), "OneCycle"},
		{"PlateauMax", optim.PlateauMax(), "ReduceOnPlateau"},
		{"PlateauThreshold", optim.PlateauThreshold(1e-3), "ReduceOnPlateau"},
		{"PlateauAbsThreshold", optim.PlateauAbsThreshold(1e-3), "ReduceOnPlateau"},
		{"PlateauCooldown", optim.PlateauCooldown(2), "ReduceOnPlateau"},
		{"PlateauMinLR", optim.PlateauMinLR(1e-5), "ReduceOnPlateau"},
		{"PlateauEps", optim.PlateauEps(1e-9), "ReduceOnPlateau"},
	} {
		var got []string
		for _, tg := range targets {
			if tg.is(c.opt) {
				got = append(got, tg.name)
			}
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%s applies to %q, want %q", c.name, g, c.want)
		}
	}
}

func TestSchedules(t *testing.T) {
	// Warm-up from 0 over 4 steps, then a cosine from 0.1 to 0.01 over
	// steps 4…8: at the midpoint (step 6) the rate is (0.1 + 0.01)/2.
	got := optim.Preview(optim.WarmupCosine(0.1, 4, 8, 0.01), 10)
	want := []float64{0, 0.025, 0.05, 0.075, 0.1, 0.01 + 0.09*(1+math.Sqrt2/2)/2, 0.055,
		0.01 + 0.09*(1-math.Sqrt2/2)/2, 0.01, 0.01}
	closeTo(t, "WarmupCosine", got, want, 1e-15)
	closeTo(t, "WarmupCosine without warm-up", optim.Preview(optim.WarmupCosine(1, 0, 2, 0), 3), []float64{1, 0.5, 0}, 1e-15)

	closeTo(t, "Constant", optim.Preview(optim.Constant(0.3), 3), []float64{0.3, 0.3, 0.3}, 0)
	closeTo(t, "Step", optim.Preview(optim.Step(1, 2, 0.5), 5), []float64{1, 1, 0.5, 0.5, 0.25}, 0)
	closeTo(t, "MultiStep", optim.Preview(optim.MultiStep(1, []int{3, 1}, 0.1), 4), []float64{1, 0.1, 0.1, 0.01}, 1e-17)

	// OneCycle over 10 steps: 0.1/25 at step 0, 0.1 at step 2 (0.3·10 − 1),
	// 0.004/1e4 at step 9 and after.
	oc := optim.OneCycle(0.1, 10)
	closeTo(t, "OneCycle", []float64{oc.LR(0), oc.LR(2), oc.LR(9), oc.LR(50)}, []float64{0.004, 0.1, 4e-7, 4e-7}, 1e-17)
	closeTo(t, "OneCycle momentum", []float64{oc.Momentum(0), oc.Momentum(2), oc.Momentum(9)}, []float64{0.95, 0.85, 0.95}, 1e-15)
	// A warm-up phase of no steps (0.1·10 − 1 = 0) starts at the peak.
	closeTo(t, "OneCycle pct 0.1", []float64{optim.OneCycle(0.1, 10, optim.PctStart(0.1)).LR(0)}, []float64{0.1}, 0)
	if !strings.HasPrefix(oc.String(), "OneCycleLR(max_lr=0.1, total_steps=10") {
		t.Errorf("String() = %q", oc)
	}
}

func TestReduceOnPlateau(t *testing.T) {
	// factor 0.5, patience 1: a reduction after 2 observations without a
	// relative improvement of 1e-4; Preview shows the current rate.
	s := optim.ReduceOnPlateau(1, 0.5, 1)
	var lrs []float64
	for _, m := range []float64{5, 4, 4, 3.9999, 3, 3, 3, 3} {
		s.Observe(m)
		lrs = append(lrs, s.LR(0))
	}
	// 4 is no improvement; 3.9999 is not 1e-4 better than 4 (4·(1−1e-4) =
	// 3.9996), so the second bad observation halves the rate.
	if want := []float64{1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25}; !slices.Equal(lrs, want) {
		t.Errorf("rates %v, want %v", lrs, want)
	}
	if s.Best() != 3 {
		t.Errorf("Best = %v", s.Best())
	}
	if p := optim.Preview(s, 3); !slices.Equal(p, []float64{0.25, 0.25, 0.25}) {
		t.Errorf("Preview = %v", p)
	}
}

// TestChunkedSteps: Step works through a large parameter a chunk at a time;
// every element must follow the same rule as a parameter of its own.
func TestChunkedSteps(t *testing.T) {
	const n = 1300 // more than two chunks
	for _, c := range []struct {
		name string
		make func(ps []*dl.Tensor) optim.Optimizer
	}{
		{"SGD", func(ps []*dl.Tensor) optim.Optimizer { return optim.SGD(ps, 0.1) }},
		{"SGD momentum", func(ps []*dl.Tensor) optim.Optimizer {
			return optim.SGD(ps, 0.1, optim.Momentum(0.9), optim.Nesterov(), optim.WeightDecay(0.01))
		}},
		{"Adagrad", func(ps []*dl.Tensor) optim.Optimizer { return optim.Adagrad(ps, 0.1) }},
		{"RMSProp", func(ps []*dl.Tensor) optim.Optimizer {
			return optim.RMSProp(ps, 0.01, optim.Momentum(0.5), optim.Centered())
		}},
		{"Adam", func(ps []*dl.Tensor) optim.Optimizer { return optim.Adam(ps, 0.01, optim.AMSGrad()) }},
		{"AdamW", func(ps []*dl.Tensor) optim.Optimizer { return optim.AdamW(ps, 0.01) }},
	} {
		vals, grads := make([]float64, n), make([]float64, n)
		for i := range vals {
			vals[i] = math.Sin(float64(i))
			grads[i] = math.Cos(float64(3 * i))
		}
		big := dl.FromSlice(slices.Clone(vals)).AsType(dl.Float32).SetRequiresGrad(true)
		smalls := make([]*dl.Tensor, n)
		for i := range smalls {
			smalls[i] = dl.FromSlice([]float64{vals[i]}).AsType(dl.Float32).SetRequiresGrad(true)
		}
		optBig, optSmall := c.make([]*dl.Tensor{big}), c.make(smalls)
		for step := 0; step < 3; step++ {
			setGrad(big, grads...)
			for i, p := range smalls {
				setGrad(p, grads[i])
			}
			optBig.Step()
			optSmall.Step()
		}
		got := big.Float64s()
		for i, p := range smalls {
			if got[i] != p.Item() {
				t.Fatalf("%s: element %d is %v, alone %v", c.name, i, got[i], p.Item())
			}
		}
	}
}

// TestStepAllocatesNothing: once its state exists, a step allocates
// nothing.
func TestStepAllocatesNothing(t *testing.T) {
	w := dl.Zeros(40, 30).SetRequiresGrad(true)
	b := dl.Zeros(40).SetRequiresGrad(true)
	for _, opt := range []optim.Optimizer{
		optim.SGD([]*dl.Tensor{w, b}, 0.1),
		optim.SGD([]*dl.Tensor{w, b}, 0.1, optim.Momentum(0.9)),
		optim.Adam([]*dl.Tensor{w, b}, 0.01),
	} {
		setGrad(w, make([]float64, 1200)...)
		setGrad(b, make([]float64, 40)...)
		opt.Step()
		if a := testing.AllocsPerRun(10, opt.Step); a != 0 {
			t.Errorf("%v: %v allocations per step", opt, a)
		}
	}
}
