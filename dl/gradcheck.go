package dl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Tolerances of GradCheck, as in PyTorch's gradcheck but tighter: float64
// central differences are good to about 1e-9 for smooth functions.
const (
	gradCheckStep = 1e-6
	gradCheckATol = 1e-6
	gradCheckRTol = 1e-5
)

// GradCheckResult is GradCheck's verdict on one input.
type GradCheckResult struct {
	Name       string  // the input's name, or "input i"
	Shape      []int   // the input's shape
	MaxAbsErr  float64 // max |autodiff − central difference| over elements (reverse mode)
	MaxRelErr  float64 // the same relative to max(|central difference|, 1e-12)
	TangentErr float64 // |forward-mode directional derivative − central difference|
	Pass       bool    // every error within |err| ≤ atol + rtol·|numeric|
}

// GradCheckReport holds one result per input; it prints as a table.
type GradCheckReport struct {
	Results []GradCheckResult
}

// OK reports whether every input passed.
func (r *GradCheckReport) OK() bool {
	for _, res := range r.Results {
		if !res.Pass {
			return false
		}
	}
	return true
}

// String renders the report as an aligned text table.
func (r *GradCheckReport) String() string {
	var b strings.Builder
	rows := [][]string{{"input", "shape", "max abs err", "max rel err", "forward err", "result"}}
	for _, res := range r.Results {
		verdict := "pass"
		if !res.Pass {
			verdict = "FAIL"
		}
		rows = append(rows, []string{res.Name, fmt.Sprint(res.Shape),
			fmt.Sprintf("%.2e", res.MaxAbsErr), fmt.Sprintf("%.2e", res.MaxRelErr),
			fmt.Sprintf("%.2e", res.TangentErr), verdict})
	}
	writeAligned(&b, rows)
	return b.String()
}

// writeAligned writes rows as left-aligned columns separated by two spaces.
func writeAligned(b *strings.Builder, rows [][]string) {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		for i, c := range row {
			if i > 0 {
				line.WriteString("  ")
			}
			line.WriteString(c)
			if i < len(row)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
}

// displayWidth counts the columns s takes: combining marks (the bar of v̄,
// the dot of v̇) take none.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x300 && r <= 0x36f {
			continue
		}
		n++
	}
	return n
}

// GradCheck compares the gradients autodiff gives for f at inputs with
// central finite differences, all in float64. Reverse mode is checked
// element by element; forward mode (JVP) along one random direction per
// input. A non-scalar output is reduced with fixed random weights first,
// so every output element takes part. inputs are not changed.
func GradCheck(f func(inputs ...*Tensor) *Tensor, inputs ...*Tensor) *GradCheckReport {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]*Tensor, len(inputs))
	for i, in := range inputs {
		xs[i] = hostOf(in.AsType(Float64)).Clone() // differences are taken on the host
	}
	var weights *Tensor
	loss := func(args []*Tensor) *Tensor {
		out := f(args...).AsType(Float64)
		if weights == nil {
			weights = Float64.Randn(rng, out.shape...)
		}
		return out.Mul(weights).Sum()
	}
	eval := func(args []*Tensor) float64 {
		var v float64
		NoGrad(func() { v = loss(args).Item() })
		return v
	}
	eval(xs) // fixes the weights

	vars := make([]*Tensor, len(xs))
	for i, x := range xs {
		vars[i] = x.Clone().SetRequiresGrad(true)
	}
	loss(vars).Backward()

	report := &GradCheckReport{}
	for i, x := range xs {
		res := GradCheckResult{Name: inputs[i].name, Shape: x.Shape(), Pass: true}
		if res.Name == "" {
			res.Name = fmt.Sprintf("input %d", i)
		}
		analytic := vars[i].grad
		if analytic == nil {
			analytic = Float64.Zeros(x.shape...)
		}
		data := x.data.F64
		numeric := make([]float64, len(data))
		for j := range data {
			orig := data[j]
			data[j] = orig + gradCheckStep
			up := eval(xs)
			data[j] = orig - gradCheckStep
			down := eval(xs)
			data[j] = orig
			numeric[j] = (up - down) / (2 * gradCheckStep)
			res.check(analytic.at(j), numeric[j], true)
		}
		res.TangentErr = tangentError(loss, eval, xs, i, numeric, rng)
		res.Pass = res.Pass && res.TangentErr <= gradCheckATol+gradCheckRTol*tangentScale(numeric)
		report.Results = append(report.Results, res)
	}
	return report
}

func (res *GradCheckResult) check(analytic, numeric float64, record bool) {
	abs := math.Abs(analytic - numeric)
	if math.IsNaN(abs) {
		abs = math.Inf(1)
	}
	res.MaxAbsErr = max(res.MaxAbsErr, abs)
	res.MaxRelErr = max(res.MaxRelErr, abs/max(math.Abs(numeric), 1e-12))
	if abs > gradCheckATol+gradCheckRTol*math.Abs(numeric) {
		res.Pass = false
	}
}

func tangentScale(numeric []float64) float64 {
	s := 0.0
	for _, v := range numeric {
		s += math.Abs(v)
	}
	return s
}

// tangentError compares forward mode along a random direction u for input
// i with the directional derivative the finite differences give, ∇·u.
func tangentError(loss func([]*Tensor) *Tensor, eval func([]*Tensor) float64, xs []*Tensor, i int, numeric []float64, rng *rand.Rand) float64 {
	u := Float64.Randn(rng, xs[i].shape...)
	tangents := make([]*Tensor, len(xs))
	for j, x := range xs {
		tangents[j] = Float64.Zeros(x.shape...)
	}
	tangents[i] = u
	_, dots := JVP(func(args ...*Tensor) []*Tensor { return []*Tensor{loss(args)} }, xs, tangents)
	want := 0.0
	for j, v := range numeric {
		want += v * u.at(j)
	}
	err := math.Abs(dots[0].Item() - want)
	if math.IsNaN(err) {
		return math.Inf(1)
	}
	return err
}
