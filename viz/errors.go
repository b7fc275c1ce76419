package viz

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
)

// panicf panics with a *dl.Error for op (shown as "viz.op"), so that
// dl.Catch turns viz's programming errors into errors too.
func panicf(op, format string, args ...any) {
	panic(&dl.Error{Op: "viz." + op, Msg: fmt.Sprintf(format, args...)})
}
