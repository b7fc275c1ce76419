package expr

import (
	"fmt"
	"math"
	"strconv"

	"github.com/gradbook/gradbook/dl"
)

// function is one of the functions expressions may call.
type function struct {
	name string // canonical, as String writes it
	op   func(*dl.Tensor) *dl.Tensor
	// pole reports whether a non-finite result at finite x is a pole of
	// the function (ln 0) rather than an overflow (exp 1000) or a point
	// outside the domain (NaN).
	pole func(x float64) bool
}

var functions = map[string]*function{}

func init() {
	never := func(float64) bool { return false }
	ln := &function{"ln", (*dl.Tensor).Log, func(x float64) bool { return x == 0 }}
	for _, f := range []*function{
		ln,
		{"exp", (*dl.Tensor).Exp, never},
		{"sin", (*dl.Tensor).Sin, never},
		{"cos", (*dl.Tensor).Cos, never},
		{"tan", (*dl.Tensor).Tan, never},
		{"tanh", (*dl.Tensor).Tanh, never},
		{"sqrt", (*dl.Tensor).Sqrt, never},
		{"sigmoid", (*dl.Tensor).Sigmoid, never},
		{"relu", (*dl.Tensor).ReLU, never},
		{"abs", (*dl.Tensor).Abs, never},
	} {
		functions[f.name] = f
	}
	functions["log"] = ln
}

// Eval evaluates the expression with the ops of package dl and returns the
// result, whose recorded graph makes Backward, traces and drawings work.
//
// values gives the tensor of each variable; every occurrence of a variable
// uses that same tensor, so gradients from all occurrences add up in it.
// Names that the expression does not use are ignored. Each number becomes a
// new unnamed constant dl.Float64.Scalar; dl gives it the other operand's
// dtype where they meet. Operands are combined in source order, left
// operand first, so the graph numbers its ops in reading order.
//
// The error is an *Error when a variable has no value (at its first use),
// when a variable's value or any intermediate result is not finite (at the
// variable, operator or function that produced it: a division by zero, ln
// of 0, sqrt of a negative number, an overflow), or when a dl op refuses
// its operands, e.g. tensors whose shapes do not broadcast (at that op).
func (e *Expr) Eval(values map[string]*dl.Tensor) (*dl.Tensor, error) {
	if e == nil || e.root == nil {
		return nil, &Error{Msg: "empty expression"}
	}
	for _, name := range e.vars {
		if values[name] == nil {
			return nil, e.errorf(e.first[name], "variable %s has no value", name)
		}
	}
	ev := &evaluator{e: e, values: values, checked: map[string]bool{}}
	return ev.eval(e.root)
}

func (e *Expr) errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), src: e.src}
}

type evaluator struct {
	e       *Expr
	values  map[string]*dl.Tensor
	checked map[string]bool // variables whose values were found finite
}

func (ev *evaluator) eval(n node) (*dl.Tensor, error) {
	switch n := n.(type) {
	case *numNode:
		return dl.Float64.Scalar(n.val), nil
	case *varNode:
		t := ev.values[n.name]
		if !ev.checked[n.name] {
			if i, bad := firstNonFinite(t); bad {
				return nil, ev.e.errorf(n.pos, "value of %s is %s%s", n.name, fmtValue(t.Float64s()[i]), element(t, i))
			}
			ev.checked[n.name] = true
		}
		return t, nil
	case *negNode:
		x, err := ev.eval(n.x)
		if err != nil {
			return nil, err
		}
		return ev.apply(n, func() *dl.Tensor { return x.Neg() }, x)
	case *binNode:
		x, err := ev.eval(n.x)
		if err != nil {
			return nil, err
		}
		y, err := ev.eval(n.y)
		if err != nil {
			return nil, err
		}
		var f func(*dl.Tensor) *dl.Tensor
		switch n.op {
		case '+':
			f = x.Add
		case '-':
			f = x.Sub
		case '*':
			f = x.Mul
		case '/':
			f = x.Div
		case '^':
			f = x.Pow
		}
		return ev.apply(n, func() *dl.Tensor { return f(y) }, x, y)
	case *callNode:
		x, err := ev.eval(n.arg)
		if err != nil {
			return nil, err
		}
		return ev.apply(n, func() *dl.Tensor { return n.fn.op(x) }, x)
	}
	panic(fmt.Sprintf("expr: unknown node %T", n))
}

// apply runs the dl op f of node n on operands args, turning a dl panic or
// a result that is not finite into an *Error at n.
func (ev *evaluator) apply(n node, f func() *dl.Tensor, args ...*dl.Tensor) (*dl.Tensor, error) {
	var out *dl.Tensor
	if err := dl.Catch(func() { out = f() }); err != nil {
		return nil, ev.e.errorf(n.position(), "%v", err)
	}
	i, bad := firstNonFinite(out)
	if !bad {
		return out, nil
	}
	return nil, ev.e.errorf(n.position(), "%s%s", explain(n, out, i, args), element(out, i))
}

// explain says why element i of out, computed by n from args, is not
// finite, e.g. "division by zero gives +Inf" or "ln(0) gives -Inf".
func explain(n node, out *dl.Tensor, i int, args []*dl.Tensor) string {
	res := out.Float64s()[i]
	vals := make([]float64, len(args))
	known := true
	for j, a := range args {
		vals[j], known = elementOf(a, i, out.Len())
		if !known {
			break
		}
	}
	gives := " gives " + fmtValue(res)
	if math.IsInf(res, 0) {
		gives = " overflows to " + fmtValue(res)
	}
	switch n := n.(type) {
	case *binNode:
		if known && n.op == '/' && vals[1] == 0 {
			return "division by zero gives " + fmtValue(res)
		}
		if known && n.op == '^' && vals[0] == 0 && vals[1] < 0 {
			gives = " gives " + fmtValue(res)
		}
		if !known {
			return opNames[n.op] + " gives " + fmtValue(res)
		}
		if n.op == '^' {
			return operand(vals[0]) + "^" + operand(vals[1]) + gives
		}
		return fmtValue(vals[0]) + " " + string(n.op) + " " + operand(vals[1]) + gives
	case *callNode:
		if !known {
			return n.name + " gives " + fmtValue(res)
		}
		if n.fn.pole(vals[0]) {
			gives = " gives " + fmtValue(res)
		}
		return n.name + "(" + fmtValue(vals[0]) + ")" + gives
	}
	return "result is " + fmtValue(res)
}

var opNames = map[byte]string{'+': "addition", '-': "subtraction", '*': "multiplication", '/': "division", '^': "power"}

// firstNonFinite returns the index of the first element of t that is ±Inf
// or NaN.
func firstNonFinite(t *dl.Tensor) (int, bool) {
	for i, v := range t.Float64s() {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return i, true
		}
	}
	return 0, false
}

// elementOf returns the element of operand a that went into element i of a
// result of n elements: a's own element i, or its only element.
func elementOf(a *dl.Tensor, i, n int) (float64, bool) {
	switch a.Len() {
	case n:
		return a.Float64s()[i], true
	case 1:
		return a.Float64s()[0], true
	}
	return 0, false
}

// element names element i of t when t has more than one.
func element(t *dl.Tensor, i int) string {
	if t.Len() <= 1 {
		return ""
	}
	return fmt.Sprintf(" at element %d of shape %v", i, t.Shape())
}

// fmtValue writes v with up to 6 significant digits, as dl prints values.
func fmtValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// operand writes v for a place where a negative number needs parentheses.
func operand(v float64) string {
	if v < 0 {
		return "(" + fmtValue(v) + ")"
	}
	return fmtValue(v)
}
