package nn

import (
	"fmt"
	"strings"

	"github.com/gradbook/gradbook/dl"
)

// panicf panics with a *dl.Error for the layer or function op (shown as
// "nn.op"), so that dl.Catch turns nn's programming errors into errors too.
func panicf(op, format string, args ...any) {
	panic(&dl.Error{Op: "nn." + op, Msg: fmt.Sprintf(format, args...)})
}

// rethrow re-panics r, the panic of layer i of a container, with the
// layer's position added to a *dl.Error's message; other panics pass
// through unchanged.
func rethrow(r any, op string, i int) {
	if e, ok := r.(*dl.Error); ok {
		panic(&dl.Error{Op: op, Msg: fmt.Sprintf("layer %d: %s", i, strings.TrimPrefix(e.Error(), "dl: "))})
	}
	panic(r)
}

// batchN is the batch size in shapes that the builder and Summary infer:
// any size fits, and messages show it as N.
const batchN = -1

// fmtShape writes a shape, showing a batch axis of batchN as N.
func fmtShape(s []int) string {
	if len(s) > 0 && s[0] == batchN {
		return shapeN(s)
	}
	return fmt.Sprint(s)
}

// shapeN writes a shape whose first axis is the batch as "[N 6 30 30]".
func shapeN(shape []int) string {
	if len(shape) == 0 {
		return "[]"
	}
	var b strings.Builder
	b.WriteString("[N")
	for _, d := range shape[1:] {
		fmt.Fprintf(&b, " %d", d)
	}
	b.WriteString("]")
	return b.String()
}

// checkDType panics when x's dtype differs from the layer's.
// checkDType names the layer only on failure: String is not free, and
// Forward runs every step.
func checkDType(layer fmt.Stringer, x, w *dl.Tensor) {
	if x.DType() != w.DType() {
		panicf(layer.String(), "input of shape %v is %v but the layer's parameters are %v (convert the input with AsType or the layer with nn.ToDType)",
			x.Shape(), x.DType(), w.DType())
	}
}
