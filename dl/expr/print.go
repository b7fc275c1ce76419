package expr

import (
	"strconv"
	"strings"
)

// Precedence levels, lowest first, as String uses them.
const (
	levelSum     = 1 + iota // + -
	levelProduct            // * /
	levelNeg                // unary -
	levelPower              // ^
	levelPrimary            // numbers, variables, calls
)

func level(n node) int {
	switch n := n.(type) {
	case *negNode:
		return levelNeg
	case *binNode:
		switch n.op {
		case '+', '-':
			return levelSum
		case '*', '/':
			return levelProduct
		}
		return levelPower
	}
	return levelPrimary
}

// String returns the expression in canonical form: ASCII operators, spaces
// around + - * / but not ^, function ln for log, numbers in their shortest
// exact decimal form, unary plus dropped, and parentheses exactly where the
// grammar needs them, plus around a negation that is an operand of ^, of
// another negation or the right operand of a binary operator, e.g.
//
//	-(x^2) + 2^(-x) * (y - (-1))
//
// Parsing the result gives the same expression again.
func (e *Expr) String() string {
	if e == nil {
		return "<nil>"
	}
	var b strings.Builder
	write(&b, e.root)
	return b.String()
}

func write(b *strings.Builder, n node) {
	switch n := n.(type) {
	case *numNode:
		b.WriteString(formatNumber(n.val))
	case *varNode:
		b.WriteString(n.name)
	case *callNode:
		b.WriteString(n.fn.name)
		b.WriteByte('(')
		write(b, n.arg)
		b.WriteByte(')')
	case *negNode:
		b.WriteByte('-')
		writeOperand(b, n.x, level(n.x) < levelPrimary)
	case *binNode:
		l := level(n)
		if n.op == '^' {
			writeOperand(b, n.x, level(n.x) <= levelPower)
			b.WriteByte('^')
			writeOperand(b, n.y, level(n.y) < levelPower)
			return
		}
		writeOperand(b, n.x, level(n.x) < l)
		b.WriteByte(' ')
		b.WriteByte(n.op)
		b.WriteByte(' ')
		writeOperand(b, n.y, level(n.y) <= l || level(n.y) == levelNeg)
	}
}

func writeOperand(b *strings.Builder, n node, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	write(b, n)
	if paren {
		b.WriteByte(')')
	}
}

// formatNumber writes v (finite, not negative) in the shortest form that
// parses back to v: plain decimals for ordinary magnitudes, an exponent
// for tiny and huge ones.
func formatNumber(v float64) string {
	if v == 0 || v >= 1e-6 && v < 1e21 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
