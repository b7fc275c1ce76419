// Package expr parses scalar expressions such as
//
//	ln(x1) + x1*x2 - sin(x2)
//
// and evaluates them with the ops of package dl, so that the result carries
// a recorded graph: Backward, trace tables and graph drawings then work on
// an expression typed as text, as in the lecture.
//
// # Grammar
//
// In order of increasing precedence:
//
//	expr    = term { ("+" | "-") term }          left-associative
//	term    = unary { ("*" | "/") unary }        left-associative
//	unary   = ("-" | "+") unary | power
//	power   = primary [ "^" unary ]              right-associative
//	primary = number | name | func "(" expr ")" | "(" expr ")"
//
// So ^ binds tighter than unary minus: -x^2 is -(x^2), 2^-x is 2^(-x) and
// 2^3^2 is 2^(3^2). Multiplication is never implicit: write 2*x, not 2x.
//
// Numbers are decimal: 123, 1.5, .5, 1., 1e-3, 2.5E+4. A number is never
// negative; -2 is unary minus applied to 2.
//
// A name is a letter followed by letters, digits and underscores, e.g. x1,
// x_2, alpha or θ. The function names below are reserved: they are always
// followed by a parenthesised argument and cannot name variables.
//
// Operators may be written in ASCII or as the usual Unicode signs:
//
//	+
//	-  − (U+2212)
//	*  × (U+00D7)  · (U+00B7)  ⋅ (U+22C5)
//	/  ÷ (U+00F7)
//	^
//
// The functions, each of one argument, are ln and log (both the natural
// logarithm), exp, sin, cos, tan, tanh, sqrt, sigmoid, relu and abs.
//
// Spaces, tabs and newlines between tokens are ignored.
//
// # Errors
//
// Parse and Eval return an *Error that gives the byte offset of the
// offending token in the source; its Error method writes it as
// line:column, e.g. `1:7: unknown function "sinh"`.
package expr
