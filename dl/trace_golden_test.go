package dl

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func lectureTrace() (*Trace, *Tensor) {
	x1, x2 := Float64.Scalar(2).Named("x1"), Float64.Scalar(5).Named("x2")
	y := x1.Log().Add(x1.Mul(x2)).Sub(x2.Sin())
	return TraceOf(y), x1
}

// mlpTrace is a one-layer sigmoid network on a batch of two: tensor-valued
// rows, a broadcast bias and a reduction.
func mlpTrace() (*Trace, *Tensor) {
	x := FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3).Named("x").SetRequiresGrad(false)
	w := FromSlice([]float32{0.1, 0.2, 0.3, -0.1, -0.2, -0.3}, 3, 2).Named("W")
	b := FromSlice([]float32{0.5, -0.5}, 2).Named("b")
	y := x.MatMul(w).Add(b).Sigmoid().Mean()
	return TraceOf(y), b
}

func TestTraceGolden(t *testing.T) {
	for name, make := range map[string]func() (*Trace, *Tensor){"lecture": lectureTrace, "mlp": mlpTrace} {
		tr, x := make()
		for _, table := range []struct {
			kind string
			t    *Table
		}{{"primal", tr.Primal()}, {"adjoint", tr.Adjoint()}, {"tangent", tr.Tangent(x)}} {
			base := "trace/" + name + "_" + table.kind
			golden(t, base+".txt", table.t.String())
			golden(t, base+".md", table.t.Markdown())
			golden(t, base+".html", table.t.HTML())
		}
	}
}

func TestTraceDigits(t *testing.T) {
	tr, _ := lectureTrace()
	golden(t, "trace/lecture_digits6.txt", tr.Digits(6).String())
	tr0 := tr.Digits(0)
	if got := tr0.num(0.0004); got != "0.0004" {
		t.Errorf("Digits(0) of 0.0004 = %q, want significant digits", got)
	}
	if got := tr.num(-2.5e-5); got != "−2.5e-05" {
		t.Errorf("num(-2.5e-5) = %q", got)
	}
	if err := Catch(func() { tr.Digits(-1) }); err == nil {
		t.Error("Digits(-1) did not panic")
	}
}

func TestTraceTangentNotInput(t *testing.T) {
	tr, _ := lectureTrace()
	err := Catch(func() { tr.Tangent(Float64.Scalar(1)) })
	if err == nil || err.Error() != "dl: Trace.Tangent: tensor of shape [] is not an input of this trace" {
		t.Errorf("got %v", err)
	}
}

// The adjoint table's last rows are the gradient Backward computes.
func TestTraceAdjointMatchesBackward(t *testing.T) {
	tr, b := mlpTrace()
	tr.y.Backward()
	rows := tr.Adjoint().Rows
	last := rows[len(rows)-1].Cells
	if last[0] != "b̄" || last[3] != "= "+tr.summary(b.Grad()) {
		t.Errorf("last adjoint row %q, want b̄ = %s", last, tr.summary(b.Grad()))
	}
}

// A constant operand has no tangent: its term is left out of the rule, and
// an output named like an input is renamed.
func TestTraceConstantsAndNames(t *testing.T) {
	x, y := Float64.Scalar(-3).Named("x"), Float64.Scalar(2).Named("y")
	f := x.Pow(Float64.Scalar(2)).Mul(y)
	tr := TraceOf(f)
	tan := tr.Tangent(x).String()
	for _, want := range []string{"v̇₁   = v̇₋₁ × 2 × v₋₁ ^ (2 − 1)", "v̇₂   = v̇₁ × v₀ + v₁ × v̇₀", "f\u0307    = v̇₂", "= −12"} {
		if !strings.Contains(tan, want) {
			t.Errorf("tangent table lacks %q:\n%s", want, tan)
		}
	}
	if strings.Contains(tan, "ln") {
		t.Errorf("tangent table has the constant exponent's term:\n%s", tan)
	}
	if p := tr.Primal().String(); !strings.Contains(p, "f    = v₂") {
		t.Errorf("primal table does not call the output f:\n%s", p)
	}
}
