package expr

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// sexpr writes the tree as an S-expression, which shows the structure that
// precedence and associativity gave it.
func sexpr(n node) string {
	switch n := n.(type) {
	case *numNode:
		return formatNumber(n.val)
	case *varNode:
		return n.name
	case *negNode:
		return "(neg " + sexpr(n.x) + ")"
	case *binNode:
		return "(" + string(n.op) + " " + sexpr(n.x) + " " + sexpr(n.y) + ")"
	case *callNode:
		return "(" + n.fn.name + " " + sexpr(n.arg) + ")"
	}
	return fmt.Sprintf("?%T", n)
}

func TestParse(t *testing.T) {
	tests := []struct{ src, want string }{
		// precedence
		{"1 + 2 * 3", "(+ 1 (* 2 3))"},
		{"1 * 2 + 3", "(+ (* 1 2) 3)"},
		{"2^3*4", "(* (^ 2 3) 4)"},
		{"4*2^3", "(* 4 (^ 2 3))"},
		{"(1 + 2) * 3", "(* (+ 1 2) 3)"},
		{"((x))", "x"},
		// associativity
		{"1 - 2 - 3", "(- (- 1 2) 3)"},
		{"a - b + c", "(+ (- a b) c)"},
		{"8 / 4 / 2", "(/ (/ 8 4) 2)"},
		{"a / b * c", "(* (/ a b) c)"},
		{"2^3^2", "(^ 2 (^ 3 2))"},
		{"a^b^c^d", "(^ a (^ b (^ c d)))"},
		{"(2^3)^2", "(^ (^ 2 3) 2)"},
		// unary minus and plus
		{"-x^2", "(neg (^ x 2))"},
		{"-2^2", "(neg (^ 2 2))"},
		{"(-2)^2", "(^ (neg 2) 2)"},
		{"-x*y", "(* (neg x) y)"},
		{"-x + y", "(+ (neg x) y)"},
		{"2^-x", "(^ 2 (neg x))"},
		{"x^-y^z", "(^ x (neg (^ y z)))"},
		{"a - -b", "(- a (neg b))"},
		{"a * -b", "(* a (neg b))"},
		{"--x", "(neg (neg x))"},
		{"+x", "x"},
		{"-+-x", "(neg (neg x))"},
		{"-(a + b)", "(neg (+ a b))"},
		// Unicode operators
		{"a × b", "(* a b)"},
		{"a · b", "(* a b)"},
		{"a ⋅ b", "(* a b)"},
		{"a ÷ b", "(/ a b)"},
		{"a − b", "(- a b)"},
		{"−a×b−c", "(- (* (neg a) b) c)"},
		// numbers
		{"123", "123"},
		{"1.5", "1.5"},
		{".5", "0.5"},
		{"1.", "1"},
		{"1e-3", "0.001"},
		{"2.5E+4", "25000"},
		{"1e-400", "0"},
		// names and functions
		{"x1 + x_2 + alpha + θ", "(+ (+ (+ x1 x_2) alpha) θ)"},
		{"ln(x1) + x1*x2 - sin(x2)", "(- (+ (ln x1) (* x1 x2)) (sin x2))"},
		{"log(x)", "(ln x)"},
		{"sigmoid(relu(abs(tanh(sqrt(exp(cos(tan(x))))))))", "(sigmoid (relu (abs (tanh (sqrt (exp (cos (tan x))))))))"},
		{"sin(x)^2", "(^ (sin x) 2)"},
		{"-sin(x)^2", "(neg (^ (sin x) 2))"},
		{"exp(-x^2/2)", "(exp (/ (neg (^ x 2)) 2))"},
		// white space
		{" \t\n x \n", "x"},
		{"x+y", "(+ x y)"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if got := sexpr(e.root); got != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.src, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const operand = `expected a number, a variable, a function call or "(", found `
	tests := []struct {
		src  string
		pos  int
		want string // Error()
	}{
		{"", 0, `1:1: empty expression`},
		{"  \n ", 0, `1:1: empty expression`},
		{"x + 2*sinh(x)", 6, `1:7: unknown function "sinh"`},
		{"f(x)", 0, `1:1: unknown function "f"`},
		{"x (y)", 0, `1:1: unknown function "x"`},
		{"sin x", 0, `1:1: function sin needs its argument in parentheses, as in sin(x)`},
		{"2 * log", 4, `1:5: function log needs its argument in parentheses, as in log(x)`},
		{"(x + 1", 6, `1:7: missing ")" to close "(" at 1:1, found end of expression`},
		{"2 * sin(x", 9, `1:10: missing ")" to close "sin(" at 1:5, found end of expression`},
		{"(x + 1 y", 7, `1:8: missing ")" to close "(" at 1:1, found "y"`},
		{"x + 1)", 5, `1:6: unexpected ")" with no matching "("`},
		{"2x", 1, `1:2: unexpected "x" after a complete expression (multiplication is written with *)`},
		{"x y", 2, `1:3: unexpected "y" after a complete expression (multiplication is written with *)`},
		{"2(x + 1)", 1, `1:2: unexpected "(" after a complete expression (multiplication is written with *)`},
		{"1.2.3", 3, `1:4: unexpected ".3" after a complete expression (multiplication is written with *)`},
		{"2e", 1, `1:2: unexpected "e" after a complete expression (multiplication is written with *)`},
		{"x +", 3, "1:4: " + operand + "end of expression"},
		{"x + * y", 4, "1:5: " + operand + `"*"`},
		{"x**2", 2, "1:3: " + operand + `"*" (write ^ for powers)`},
		{"()", 1, "1:2: " + operand + `")"`},
		{"-", 1, "1:2: " + operand + "end of expression"},
		{"2^", 2, "1:3: " + operand + "end of expression"},
		{"x $ y", 2, `1:3: unexpected character '$'`},
		{"sin(x, y)", 5, `1:6: unexpected character ','`},
		{".", 0, `1:1: unexpected character '.'`},
		{"_x", 0, `1:1: unexpected character '_'`},
		{"x + \xff", 4, `1:5: invalid UTF-8 byte 0xff`},
		{"2 * 1e400", 4, `1:5: number 1e400 is too large`},
		// columns count characters, lines count from 1
		{"x × $", 5, `1:5: unexpected character '$'`},
		{"α·β·γ)", 10, `1:6: unexpected ")" with no matching "("`},
		{"x +\n  y)", 7, `2:4: unexpected ")" with no matching "("`},
		{"(x\n+ y", 6, `2:4: missing ")" to close "(" at 1:1, found end of expression`},
		// the earliest error wins
		{"* $", 0, "1:1: " + operand + `"*"`},
		{strings.Repeat("(", 2000) + "x" + strings.Repeat(")", 2000), 1000, `1:1001: expression is nested more than 1000 deep`},
		{strings.Repeat("-", 5000) + "x", 1000, `1:1001: expression is nested more than 1000 deep`},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err == nil {
			t.Errorf("Parse(%q) = %s, want error %s", tt.src, e, tt.want)
			continue
		}
		perr, ok := err.(*Error)
		if !ok {
			t.Errorf("Parse(%q): error %T, want *Error", tt.src, err)
			continue
		}
		if perr.Pos != tt.pos || err.Error() != tt.want {
			t.Errorf("Parse(%.60q): error at %d: %v\nwant at %d: %s", tt.src, perr.Pos, err, tt.pos, tt.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q): error %q is not one line", tt.src, err)
		}
	}
}

func TestErrorWithoutSource(t *testing.T) {
	err := &Error{Pos: 6, Msg: `unknown function "sinh"`}
	if got, want := err.Error(), `1:7: unknown function "sinh"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestString(t *testing.T) {
	tests := []struct{ src, want string }{
		{"ln(x1) + x1*x2 - sin(x2)", "ln(x1) + x1 * x2 - sin(x2)"},
		{"-x^2", "-(x^2)"},
		{"2^-x", "2^(-x)"},
		{"2^3^2", "2^3^2"},
		{"(2^3)^2", "(2^3)^2"},
		{"(-x)^2", "(-x)^2"},
		{"-x*y", "-x * y"},
		{"--x", "-(-x)"},
		{"+x", "x"},
		{"x - -2", "x - (-2)"},
		{"-(a+b)", "-(a + b)"},
		{"a-(b-c)", "a - (b - c)"},
		{"a-(b+c)", "a - (b + c)"},
		{"(a-b)-c", "a - b - c"},
		{"a+(b+c)", "a + (b + c)"},
		{"(a+b)*c", "(a + b) * c"},
		{"a/(b*c)", "a / (b * c)"},
		{"(a*b)/c", "a * b / c"},
		{"a*(b/c)", "a * (b / c)"},
		{"a × b − c ÷ d", "a * b - c / d"},
		{"log(x)", "ln(x)"},
		{"sin(x)^2", "sin(x)^2"},
		{"-sin(x)", "-sin(x)"},
		{"((x))", "x"},
		{"1e-7 + 1e21 + 0.000001 + 1.50 + 00012 + 2.5e3", "1e-07 + 1e+21 + 0.000001 + 1.5 + 12 + 2500"},
		{"exp(-x^2/2)", "exp(-(x^2) / 2)"},
		{"-x^2 + 2^-x * (y - -1)", "-(x^2) + 2^(-x) * (y - (-1))"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		got := e.String()
		if got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.src, got, tt.want)
		}
		e2, err := Parse(got)
		if err != nil {
			t.Errorf("Parse(%q) (the String of %q): %v", got, tt.src, err)
			continue
		}
		if a, b := sexpr(e.root), sexpr(e2.root); a != b {
			t.Errorf("String round trip of %q changed the tree: %s, then %s", tt.src, a, b)
		}
		if again := e2.String(); again != got {
			t.Errorf("String round trip of %q: %q, then %q", tt.src, got, again)
		}
	}
}

func TestVariables(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"ln(x1) + x1*x2 - sin(x2)", []string{"x1", "x2"}},
		{"b + a*b + c^a", []string{"b", "a", "c"}},
		{"2^3 + sin(1)", nil},
		{"exp(-(y - mu)^2 / (2*sigma^2))", []string{"y", "mu", "sigma"}},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		if got := e.Variables(); !slices.Equal(got, tt.want) {
			t.Errorf("Parse(%q).Variables() = %q, want %q", tt.src, got, tt.want)
		}
	}
}
