package expr

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gradbook/gradbook/dl"
)

// FuzzParse checks that Parse never panics, that its errors are well
// formed, that String of a parsed expression parses back to the same
// expression, and that Eval of it fails only with an *Error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		// valid
		"ln(x1) + x1*x2 - sin(x2)",
		"-x^2", "2^-x", "2^3^2", "(2^3)^2", "--x", "+x", "x - -2",
		"a × b − c ÷ d · e ⋅ f", "exp(-x^2/2)", "sqrt(x^2 + y^2)",
		"sigmoid(relu(abs(tanh(tan(cos(log(x)))))))",
		".5 + 1. + 1e-3 + 2.5E+4 + 1e-400 + 5e-324 + 1e21",
		"x_2 * alpha / θ", " \n x \t",
		// invalid
		"", "   ", "(", ")", "(x + 1", "x + 1)", "sinh(x)", "sin x", "2x",
		"x**2", "x $ y", "sin(x, y)", ".", "_x", "\xff", "1e400", "x +", "1.2.3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			perr, ok := err.(*Error)
			if !ok {
				t.Fatalf("Parse(%q): error of type %T", src, err)
			}
			if perr.Pos < 0 || perr.Pos > len(src) {
				t.Fatalf("Parse(%q): error position %d out of range", src, perr.Pos)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !utf8.ValidString(msg) && utf8.ValidString(src) {
				t.Fatalf("Parse(%q): malformed error %q", src, msg)
			}
			return
		}
		s := e.String()
		e2, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", src, s, err)
		}
		if s2 := e2.String(); s2 != s {
			t.Fatalf("Parse(%q) = %q, which parses to %q", src, s, s2)
		}
		if a, b := sexpr(e.root), sexpr(e2.root); a != b {
			t.Fatalf("Parse(%q) = %s, but its String %q parses to %s", src, a, s, b)
		}
		if len(src) > 200 {
			return // keep Eval cheap
		}
		vars := map[string]*dl.Tensor{}
		for i, name := range e.Variables() {
			vars[name] = dl.Float64.Scalar(0.5 + float64(i)).Named(name)
		}
		y, err := e.Eval(vars)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Eval of %q: error of type %T: %v", src, err, err)
			}
			return
		}
		if y.RequiresGrad() {
			y.Backward()
		}
	})
}
