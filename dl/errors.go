package dl

import (
	"errors"
	"fmt"
)

// Error is the panic value of every programming error the dl package detects:
// a shape mismatch, a wrong dtype, an axis out of range, a bad argument.
// Its message is one sentence that names the operation and the shapes or
// values involved, for example
//
//	dl: MatMul: shapes [3 4] and [5 2] do not match (4 != 5)
type Error struct {
	Op  string // the operation that failed, e.g. "MatMul"
	Msg string // what went wrong, naming shapes and values
}

func (e *Error) Error() string { return "dl: " + e.Op + ": " + e.Msg }

// panicf panics with an *Error for op.
func panicf(op, format string, args ...any) {
	panic(&Error{Op: op, Msg: fmt.Sprintf(format, args...)})
}

// Catch runs f and turns a dl panic into an error, for callers who prefer
// errors to panics. Panics that are not a dl *Error pass through unchanged.
func Catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			var e *Error
			if asErr, ok := r.(error); ok && errors.As(asErr, &e) {
				err = e
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}
