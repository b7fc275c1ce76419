package backprop

import (
	"fmt"
	"math"
	"strings"

	"github.com/gradbook/gradbook/dl"
)

// Explanation records one run of backprop over a batch, instance by
// instance, as the lecture's algorithm runs it.
type Explanation struct {
	Net       *Network
	Lambda    float64
	Instances []Instance
	// Delta[l] is Δ⁽ˡ⁺¹⁾ accumulated over the batch, shaped like Net.Theta[l].
	Delta [][]float64
	// D[l] is the averaged, regularised gradient D⁽ˡ⁺¹⁾ = ∂J/∂Θ⁽ˡ⁺¹⁾.
	D [][]float64

	digits int
}

// Instance holds every vector of one training instance. Index l follows
// the lecture's layer numbers minus one: A[0] = a⁽¹⁾ = x, Z[l] = z⁽ˡ⁺¹⁾,
// Err[l] = δ⁽ˡ⁺¹⁾ (Z[0] and Err[0] are nil: the input has neither).
type Instance struct {
	X, Y []float64
	A, Z [][]float64
	Err  [][]float64
	Cost float64 // this instance's log loss −Σₖ [yₖ log ŷₖ + (1 − yₖ) log(1 − ŷₖ)]
}

// Explain runs backprop by hand for the batch x [n s₁] with targets y
// [n s_{L+1}] (or [n] for one output) and L2 strength lambda.
func Explain(net *Network, x, y *dl.Tensor, lambda float64) *Explanation {
	xs := net.rows("Explain", x, net.Sizes[0])
	ys := net.rows("Explain", y, net.Sizes[len(net.Sizes)-1])
	if len(xs) != len(ys) || len(xs) == 0 {
		panicf("Explain", "%d inputs and %d targets (want the same positive number)", len(xs), len(ys))
	}
	e := &Explanation{Net: net, Lambda: lambda, digits: 3}
	for _, th := range net.Theta {
		e.Delta = append(e.Delta, make([]float64, len(th)))
	}
	L := len(net.Theta)
	for k, xi := range xs {
		a, z := net.forward(xi)
		in := Instance{X: xi, Y: ys[k], A: a, Z: z, Err: make([][]float64, L+1)}
		// δ⁽ᴸ⁺¹⁾ = a⁽ᴸ⁺¹⁾ − y
		out := a[L]
		in.Err[L] = make([]float64, len(out))
		for i := range out {
			in.Err[L][i] = out[i] - ys[k][i]
			in.Cost -= ys[k][i]*logClamped(out[i]) + (1-ys[k][i])*logClamped(1-out[i])
		}
		// δ⁽ˡ⁾ = a⁽ˡ⁾ ⊙ (1 − a⁽ˡ⁾) ⊙ (Θ⁽ˡ⁾ᵀ δ⁽ˡ⁺¹⁾), skipping the bias row.
		for l := L - 1; l >= 1; l-- {
			th, cols := net.Theta[l], net.Sizes[l]+1
			d := make([]float64, net.Sizes[l])
			for j := range d {
				s := 0.0
				for i, dn := range in.Err[l+1] {
					s += th[i*cols+j+1] * dn
				}
				d[j] = a[l][j] * (1 - a[l][j]) * s
			}
			in.Err[l] = d
		}
		// Δ⁽ˡ⁾ += δ⁽ˡ⁺¹⁾ [1; a⁽ˡ⁾]ᵀ
		for l := 0; l < L; l++ {
			cols := net.Sizes[l] + 1
			for i, dn := range in.Err[l+1] {
				e.Delta[l][i*cols] += dn
				for j, av := range a[l] {
					e.Delta[l][i*cols+j+1] += dn * av
				}
			}
		}
		e.Instances = append(e.Instances, in)
	}
	n := float64(len(xs))
	for l, th := range net.Theta {
		cols := net.Sizes[l] + 1
		d := make([]float64, len(th))
		for i := range d {
			d[i] = e.Delta[l][i] / n
			if i%cols != 0 {
				d[i] += lambda * th[i]
			}
		}
		e.D = append(e.D, d)
	}
	return e
}

// logClamped is log with PyTorch's BCE floor of −100, so a saturated
// output gives a large but finite cost.
func logClamped(v float64) float64 { return max(math.Log(v), -100) }

// Digits returns the explanation with values shown to n digits after the
// point (3 by default).
func (e *Explanation) Digits(n int) *Explanation {
	c := *e
	c.digits = n
	return &c
}

// Cost returns J(Θ): the mean log loss plus (λ/2) Σ Θ² without the bias
// columns.
func (e *Explanation) Cost() float64 {
	j := 0.0
	for _, in := range e.Instances {
		j += in.Cost
	}
	j /= float64(len(e.Instances))
	for l, th := range e.Net.Theta {
		cols := e.Net.Sizes[l] + 1
		for i, v := range th {
			if i%cols != 0 {
				j += e.Lambda / 2 * v * v
			}
		}
	}
	return j
}

// Gradient returns D as Float64 tensors shaped like Θ.
func (e *Explanation) Gradient() []*dl.Tensor {
	out := make([]*dl.Tensor, len(e.D))
	for l, d := range e.D {
		out[l] = dl.FromSlice(append([]float64(nil), d...), e.Net.Sizes[l+1], e.Net.Sizes[l]+1)
	}
	return out
}

// Steps returns the table of instance i: the forward pass, the errors δ
// from the output back, and the accumulation into Δ.
func (e *Explanation) Steps(i int) *dl.Table {
	if i < 0 || i >= len(e.Instances) {
		panicf("Explanation.Steps", "instance %d is out of range [0, %d)", i, len(e.Instances))
	}
	in := e.Instances[i]
	L := len(e.Net.Theta)
	t := &dl.Table{Title: fmt.Sprintf("Backprop, instance %d of %d", i+1, len(e.Instances)), Header: []string{"quantity", "rule", "value"}}
	row := func(name, rule, value string) {
		t.Rows = append(t.Rows, dl.TableRow{Cells: []string{name, rule, value}})
	}
	row("a"+sup(1), "= x", e.vec(in.A[0]))
	for l := 1; l <= L; l++ {
		row("z"+sup(l+1), fmt.Sprintf("= Θ%s [1; a%s]", sup(l), sup(l)), e.vec(in.Z[l]))
		row("a"+sup(l+1), fmt.Sprintf("= g(z%s)", sup(l+1)), e.vec(in.A[l]))
	}
	row("y", "", e.vec(in.Y))
	row("δ"+sup(L+1), fmt.Sprintf("= a%s − y", sup(L+1)), e.vec(in.Err[L]))
	for l := L - 1; l >= 1; l-- {
		row("δ"+sup(l+1), fmt.Sprintf("= a%[1]s ⊙ (1 − a%[1]s) ⊙ (Θ%[1]sᵀ δ%[2]s)", sup(l+1), sup(l+2)), e.vec(in.Err[l]))
	}
	for l := L; l >= 1; l-- {
		contrib := make([]float64, len(e.Net.Theta[l-1]))
		cols := e.Net.Sizes[l-1] + 1
		for r, dn := range in.Err[l] {
			contrib[r*cols] = dn
			for j, av := range in.A[l-1] {
				contrib[r*cols+j+1] = dn * av
			}
		}
		row("Δ"+sup(l), fmt.Sprintf("+= δ%s [1; a%s]ᵀ", sup(l+1), sup(l)), e.mat(contrib, cols))
	}
	return t
}

// Gradients returns the table of the batch's result per layer: Δ/n, the
// L2 term λΘ (bias column excluded) and D.
func (e *Explanation) Gradients() *dl.Table {
	n := float64(len(e.Instances))
	t := &dl.Table{Title: fmt.Sprintf("Gradient over %d instances, λ = %s", len(e.Instances), dl.FormatNumber(e.Lambda, e.digits)),
		Header: []string{"layer", "Δ/n", "λΘ (j ≠ 0)", "D = ∂J/∂Θ"}, TextHeader: true}
	for l, th := range e.Net.Theta {
		cols := e.Net.Sizes[l] + 1
		avg, reg := make([]float64, len(th)), make([]float64, len(th))
		for i := range th {
			avg[i] = e.Delta[l][i] / n
			if i%cols != 0 {
				reg[i] = e.Lambda * th[i]
			}
		}
		t.Rows = append(t.Rows, dl.TableRow{Cells: []string{"Θ" + sup(l+1), e.mat(avg, cols), e.mat(reg, cols), e.mat(e.D[l], cols)}})
	}
	return t
}

// String renders the first instance's steps and the gradient table.
func (e *Explanation) String() string { return e.Steps(0).String() + "\n" + e.Gradients().String() }

// vec writes a vector in full when short, else its first values.
func (e *Explanation) vec(v []float64) string {
	const most = 8
	parts := make([]string, 0, min(len(v), most)+1)
	for i, x := range v {
		if i == most {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, dl.FormatNumber(x, e.digits))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// mat writes a small matrix row by row: [[…] […]].
func (e *Explanation) mat(v []float64, cols int) string {
	const mostRows = 4
	var rows []string
	for r := 0; r*cols < len(v); r++ {
		if r == mostRows {
			rows = append(rows, "…")
			break
		}
		rows = append(rows, e.vec(v[r*cols:(r+1)*cols]))
	}
	return "[" + strings.Join(rows, " ") + "]"
}

var supDigits = []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")

// sup writes the lecture's layer superscript: 2 → ⁽²⁾.
func sup(l int) string {
	var b strings.Builder
	b.WriteRune('⁽')
	for _, d := range fmt.Sprint(l) {
		b.WriteRune(supDigits[d-'0'])
	}
	b.WriteRune('⁾')
	return b.String()
}
