// Package option applies functional options, the one idiom of gradbook's
// constructors: an option is a value of a small type that implements the
// option interface of every constructor that takes it (an interface with
// one unexported method per target), so that passing an option to a
// constructor that does not take it fails to compile.
package option

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
)

// Apply calls apply for each of opts on target, in order. A nil option is
// a programming error: it panics with a *dl.Error for op.
func Apply[O, T any](op string, target *T, opts []O, apply func(O, *T)) {
	for i, o := range opts {
		if any(o) == nil {
			panic(&dl.Error{Op: op, Msg: fmt.Sprintf("option %d is nil", i)})
		}
		apply(o, target)
	}
}
