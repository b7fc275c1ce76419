package backprop

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
)

// panicf panics with a *dl.Error for op (shown as "backprop.op"), so that
// dl.Catch turns backprop's programming errors into errors too.
func panicf(op, format string, args ...any) {
	panic(&dl.Error{Op: "backprop." + op, Msg: fmt.Sprintf(format, args...)})
}
