package expr

import (
	"math"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

func sigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

func approx(got, want float64) bool {
	return math.Abs(got-want) <= 1e-12*max(1, math.Abs(want))
}

// TestEvalGradients checks the value and, after Backward, every variable's
// gradient against derivatives worked out by hand.
func TestEvalGradients(t *testing.T) {
	type in = map[string]float64
	tests := []struct {
		src   string
		at    in
		value func(v in) float64
		grad  func(v in) in // ∂y/∂name for every variable
	}{
		{
			// the lecture's example: ∂y/∂x1 = 1/x1 + x2, ∂y/∂x2 = x1 − cos x2
			"ln(x1) + x1*x2 - sin(x2)", in{"x1": 2, "x2": 5},
			func(v in) float64 { return math.Log(v["x1"]) + v["x1"]*v["x2"] - math.Sin(v["x2"]) },
			func(v in) in { return in{"x1": 1/v["x1"] + v["x2"], "x2": v["x1"] - math.Cos(v["x2"])} },
		},
		{
			// product rule: d/dx x³ sin x = 3x² sin x + x³ cos x
			"x^3*sin(x)", in{"x": 1.3},
			func(v in) float64 { x := v["x"]; return x * x * x * math.Sin(x) },
			func(v in) in { x := v["x"]; return in{"x": 3*x*x*math.Sin(x) + x*x*x*math.Cos(x)} },
		},
		{
			// chain rule: d/dx exp(−x²/2) = −x exp(−x²/2)
			"exp(-x^2/2)", in{"x": 0.7},
			func(v in) float64 { x := v["x"]; return math.Exp(-x * x / 2) },
			func(v in) in { x := v["x"]; return in{"x": -x * math.Exp(-x*x/2)} },
		},
		{
			// r = √(x² + y²): ∂r/∂x = x/r, ∂r/∂y = y/r
			"sqrt(x^2 + y^2)", in{"x": 3, "y": 4},
			func(v in) float64 { return 5 },
			func(v in) in { return in{"x": 3.0 / 5, "y": 4.0 / 5} },
		},
		{
			// u = a·x + b, y = tanh u: ∂y/∂a = (1 − tanh²u)·x, ∂y/∂x = (1 − tanh²u)·a, ∂y/∂b = 1 − tanh²u
			"tanh(a*x + b)", in{"a": 0.5, "x": 1.5, "b": -0.2},
			func(v in) float64 { return math.Tanh(v["a"]*v["x"] + v["b"]) },
			func(v in) in {
				th := math.Tanh(v["a"]*v["x"] + v["b"])
				d := 1 - th*th
				return in{"a": d * v["x"], "x": d * v["a"], "b": d}
			},
		},
		{
			// s = σ(w·x): ∂s/∂w = s(1 − s)·x, ∂s/∂x = s(1 − s)·w
			"sigmoid(w × x)", in{"w": -1.2, "x": 0.8},
			func(v in) float64 { return sigmoid(v["w"] * v["x"]) },
			func(v in) in {
				s := sigmoid(v["w"] * v["x"])
				return in{"w": s * (1 - s) * v["x"], "x": s * (1 - s) * v["w"]}
			},
		},
		{
			// quotient rule: d/dx x/(1 + x²) = (1 − x²)/(1 + x²)²
			"x/(1+x^2)", in{"x": 0.6},
			func(v in) float64 { x := v["x"]; return x / (1 + x*x) },
			func(v in) in { x := v["x"]; return in{"x": (1 - x*x) / ((1 + x*x) * (1 + x*x))} },
		},
		{
			// d/dx cos x · tan x = −sin x · tan x + cos x · (1 + tan² x)
			"cos(x)·tan(x)", in{"x": 0.4},
			func(v in) float64 { return math.Sin(v["x"]) },
			func(v in) in {
				x := v["x"]
				return in{"x": -math.Sin(x)*math.Tan(x) + math.Cos(x)*(1+math.Tan(x)*math.Tan(x))}
			},
		},
		{
			// relu′(x − 1) = 1 for x > 1, abs′(y) = sign y
			"relu(x - 1) + abs(y)", in{"x": 3, "y": -2},
			func(v in) float64 { return 2 + 2 },
			func(v in) in { return in{"x": 1, "y": -1} },
		},
		{
			// d/dx 2ˣ = 2ˣ ln 2
			"2^x", in{"x": 1.5},
			func(v in) float64 { return math.Pow(2, 1.5) },
			func(v in) in { return in{"x": math.Pow(2, 1.5) * math.Ln2} },
		},
		{
			// ∂/∂x xʸ = y·xʸ⁻¹, ∂/∂y xʸ = xʸ ln x
			"x^y", in{"x": 1.7, "y": 2.3},
			func(v in) float64 { return math.Pow(1.7, 2.3) },
			func(v in) in { return in{"x": 2.3 * math.Pow(1.7, 1.3), "y": math.Pow(1.7, 2.3) * math.Log(1.7)} },
		},
		{
			// y = ln(x·y)/y: ∂/∂x = 1/(x·y), ∂/∂y = (1 − ln(x·y))/y²
			"log(x*y) ÷ y", in{"x": 1.5, "y": 2.5},
			func(v in) float64 { return math.Log(v["x"]*v["y"]) / v["y"] },
			func(v in) in {
				x, y := v["x"], v["y"]
				return in{"x": 1 / (x * y), "y": (1 - math.Log(x*y)) / (y * y)}
			},
		},
		{
			// d/dx (−x² + 3x) = −2x + 3
			"−x^2 + 3*x", in{"x": 4},
			func(v in) float64 { return -16 + 12 },
			func(v in) in { return in{"x": -8 + 3} },
		},
		{
			// every occurrence is the same tensor: d/dx x·x·x = 3x²
			"x*x*x - x/x", in{"x": -1.5},
			func(v in) float64 { return -1.5*1.5*1.5 - 1 },
			func(v in) in { return in{"x": 3 * 1.5 * 1.5} },
		},
		{
			// right-associative power: 2^(x^2), d/dx = 2^(x²) · ln 2 · 2x
			"2^x^2", in{"x": 1.1},
			func(v in) float64 { return math.Pow(2, 1.21) },
			func(v in) in { return in{"x": math.Pow(2, 1.21) * math.Ln2 * 2.2} },
		},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		vars := map[string]*dl.Tensor{}
		for name, v := range tt.at {
			vars[name] = dl.Float64.Scalar(v).Named(name)
		}
		y, err := e.Eval(vars)
		if err != nil {
			t.Errorf("%s: Eval: %v", tt.src, err)
			continue
		}
		if got, want := y.Item(), tt.value(tt.at); !approx(got, want) {
			t.Errorf("%s at %v = %.17g, want %.17g", tt.src, tt.at, got, want)
		}
		y.Backward()
		for name, want := range tt.grad(tt.at) {
			g := vars[name].Grad()
			if g == nil {
				t.Errorf("%s: ∂/∂%s: no gradient", tt.src, name)
				continue
			}
			if got := g.Item(); !approx(got, want) {
				t.Errorf("%s: ∂/∂%s at %v = %.17g, want %.17g", tt.src, name, tt.at, got, want)
			}
		}
	}
}

func TestEvalConstants(t *testing.T) {
	e, err := Parse("2^3^2 - 10/4")
	if err != nil {
		t.Fatal(err)
	}
	y, err := e.Eval(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := y.Item(); got != 512-2.5 {
		t.Errorf("2^3^2 - 10/4 = %g, want 509.5", got)
	}
	if y.DType() != dl.Float64 || y.RequiresGrad() {
		t.Errorf("constant expression: dtype %v, requires grad %v; want float64 and no gradient", y.DType(), y.RequiresGrad())
	}
}

// TestEvalTensors evaluates with tensors that are not scalars: the ops
// broadcast as dl's do.
func TestEvalTensors(t *testing.T) {
	e, err := Parse("w*x + 1")
	if err != nil {
		t.Fatal(err)
	}
	w := dl.FromSlice([]float32{1, 2, 3}).Named("w")
	x := dl.Scalar(2).Named("x")
	y, err := e.Eval(map[string]*dl.Tensor{"w": w, "x": x, "unused": dl.Scalar(7)})
	if err != nil {
		t.Fatal(err)
	}
	if got := y.Float64s(); len(got) != 3 || got[0] != 3 || got[1] != 5 || got[2] != 7 {
		t.Errorf("w*x + 1 = %v, want [3 5 7]", got)
	}
	if y.DType() != dl.Float32 {
		t.Errorf("dtype %v, want float32 (constants follow the variables)", y.DType())
	}
}

func TestEvalErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		src  string
		at   map[string]float64
		pos  int
		want string
	}{
		{"1/(x-x)", map[string]float64{"x": 1}, 1, `1:2: division by zero gives +Inf`},
		{"(x-x)/(x-x)", map[string]float64{"x": 1}, 5, `1:6: division by zero gives NaN`},
		{"-1/(x-x)", map[string]float64{"x": 1}, 2, `1:3: division by zero gives -Inf`},
		{"x + ln(x - 1)", map[string]float64{"x": 1}, 4, `1:5: ln(0) gives -Inf`},
		{"log(x)", map[string]float64{"x": -2}, 0, `1:1: log(-2) gives NaN`},
		{"1 + sqrt(-1)", nil, 4, `1:5: sqrt(-1) gives NaN`},
		{"2 * exp(x)", map[string]float64{"x": 1000}, 4, `1:5: exp(1000) overflows to +Inf`},
		{"x^y", map[string]float64{"x": 0, "y": -1}, 1, `1:2: 0^(-1) gives +Inf`},
		{"(-x)^0.5", map[string]float64{"x": 8}, 4, `1:5: (-8)^0.5 gives NaN`},
		{"10^x", map[string]float64{"x": 400}, 2, `1:3: 10^400 overflows to +Inf`},
		{"x*x", map[string]float64{"x": 1e200}, 1, `1:2: 1e+200 * 1e+200 overflows to +Inf`},
		{"x - 1e308 − 1e308", map[string]float64{"x": -1e307}, 10, `1:11: -1.1e+308 - 1e+308 overflows to -Inf`},
		{"x + y", map[string]float64{"x": 1}, 4, `1:5: variable y has no value`},
		{"b*a + a*b", map[string]float64{}, 0, `1:1: variable b has no value`},
		{"sin(x) + x", map[string]float64{"x": nan}, 4, `1:5: value of x is NaN`},
		{"1 +\n  x", map[string]float64{"x": inf}, 6, `2:3: value of x is +Inf`},
		// the first error in evaluation order wins
		{"ln(0) + 1/0", nil, 0, `1:1: ln(0) gives -Inf`},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		vars := map[string]*dl.Tensor{}
		for name, v := range tt.at {
			vars[name] = dl.Float64.Scalar(v).Named(name)
		}
		y, err := e.Eval(vars)
		if err == nil {
			t.Errorf("%q: Eval = %v, want error %s", tt.src, y, tt.want)
			continue
		}
		perr, ok := err.(*Error)
		if !ok {
			t.Errorf("%q: error %T, want *Error", tt.src, err)
			continue
		}
		if perr.Pos != tt.pos || err.Error() != tt.want {
			t.Errorf("%q: error at %d: %v\nwant at %d: %s", tt.src, perr.Pos, err, tt.pos, tt.want)
		}
	}
}

func TestEvalDLErrors(t *testing.T) {
	e, err := Parse("u + 2*v")
	if err != nil {
		t.Fatal(err)
	}
	u := dl.Float64.Zeros(2, 3).Named("u")
	v := dl.Float32.Zeros(3).Named("v")
	_, err = e.Eval(map[string]*dl.Tensor{"u": u, "v": v})
	if err == nil {
		t.Fatal("float64 [2 3] + float32 [3]: no error")
	}
	perr, ok := err.(*Error)
	if !ok || perr.Pos != 2 || !strings.HasPrefix(err.Error(), "1:3: dl: Add: ") {
		t.Errorf("error %v (at %d), want one at 1:3 from dl's Add", err, perr.Pos)
	}

	// A tensor with a bad element names the element.
	x := dl.FromSlice([]float64{1, 0, 2}).Named("x")
	_, err = mustParse(t, "1/x").Eval(map[string]*dl.Tensor{"x": x})
	if got, want := errString(err), `1:2: division by zero gives +Inf at element 1 of shape [3]`; got != want {
		t.Errorf("1/x with x = [1 0 2]: error %s, want %s", got, want)
	}
}

func mustParse(t *testing.T, src string) *Expr {
	t.Helper()
	e, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return e
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestZeroExpr(t *testing.T) {
	var e Expr
	if _, err := e.Eval(nil); errString(err) != "1:1: empty expression" {
		t.Errorf("Eval of a zero Expr: %v", err)
	}
	if s := e.String(); s != "" {
		t.Errorf("String of a zero Expr = %q", s)
	}
	if v := (*Expr)(nil).Variables(); v != nil {
		t.Errorf("Variables of nil = %q", v)
	}
}

// TestEvalBroadcastError: where an operand was broadcast along an axis its
// element cannot be named, and the message does without values.
func TestEvalBroadcastError(t *testing.T) {
	a := dl.FromSlice([]float64{1, 2}, 2, 1).Named("a")
	b := dl.FromSlice([]float64{1, 0, 3}).Named("b")
	_, err := mustParse(t, "a / b").Eval(map[string]*dl.Tensor{"a": a, "b": b})
	if got, want := errString(err), `1:3: division gives +Inf at element 1 of shape [2 3]`; got != want {
		t.Errorf("error %s, want %s", got, want)
	}
}
