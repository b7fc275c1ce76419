package expr

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is the error Parse and Eval return. It says what went wrong and
// where: Pos is the byte offset (0-based) in the expression's source of the
// token the error is about, e.g. the unknown function's name, the operator
// whose result is not finite or the first use of a variable with no value.
type Error struct {
	Pos int    // byte offset in the source, 0-based
	Msg string // what went wrong, without the position

	src string // the source, for line and column; "" when unknown
}

// Error returns the message on one line, prefixed with the position as
// line:column, both counted from 1, as compilers do:
//
//	1:7: unknown function "sinh"
//
// The column counts characters, not bytes, so that it points at the right
// place in expressions that use Unicode operators.
func (e *Error) Error() string {
	line, col := e.LineCol()
	return strconv.Itoa(line) + ":" + strconv.Itoa(col) + ": " + e.Msg
}

// LineCol returns the line and column of Pos, both counted from 1; the
// column counts characters. An Error made by hand, without a source, is on
// line 1 at column Pos+1.
func (e *Error) LineCol() (line, col int) {
	if e.src == "" {
		return 1, e.Pos + 1
	}
	pos := min(max(e.Pos, 0), len(e.src))
	before := e.src[:pos]
	line = 1 + strings.Count(before, "\n")
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, 1 + utf8.RuneCountInString(before)
}
