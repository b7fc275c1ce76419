package train

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
)

// panicf panics with a *dl.Error for op (shown as "train.op"), so that
// dl.Catch turns train's programming errors into errors too.
func panicf(op, format string, args ...any) {
	panic(&dl.Error{Op: "train." + op, Msg: fmt.Sprintf(format, args...)})
}
