package expr

import (
	"fmt"
	"slices"
	"strconv"
)

// Expr is a parsed expression. It is immutable and may be evaluated any
// number of times, concurrently too.
type Expr struct {
	root  node
	src   string
	vars  []string       // in order of first appearance
	first map[string]int // byte offset of each variable's first use
}

// node is one node of the syntax tree.
type node interface{ position() int }

type (
	numNode struct {
		pos int
		val float64
	}
	varNode struct {
		pos  int
		name string
	}
	negNode struct {
		pos int // of the minus sign
		x   node
	}
	binNode struct {
		pos  int  // of the operator
		op   byte // '+', '-', '*', '/' or '^'
		x, y node
	}
	callNode struct {
		pos  int // of the function's name
		fn   *function
		name string // as written, e.g. "log" for fn ln
		arg  node
	}
)

func (n *numNode) position() int  { return n.pos }
func (n *varNode) position() int  { return n.pos }
func (n *negNode) position() int  { return n.pos }
func (n *binNode) position() int  { return n.pos }
func (n *callNode) position() int { return n.pos }

// maxDepth bounds the nesting of parentheses, calls, signs and powers,
// which is the depth of the parser's recursion. (Chains such as a+b+c+…
// are parsed by loops and need no bound.)
const maxDepth = 1000

// Parse parses src as an expression of the grammar in the package
// documentation. An error is an *Error giving the position of the offending
// token: a character or number that is not allowed, a missing operand or
// ")", input left over after a complete expression, an unknown function, or
// src holding no expression at all.
func Parse(src string) (e *Expr, err error) {
	p := &parser{src: src, lex: lexer{src: src}}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			e, err = nil, b.err
		}
	}()
	p.advance()
	if p.tok.kind == tokEOF {
		p.fail(0, "empty expression")
	}
	root := p.expr()
	if p.tok.kind != tokEOF {
		p.trailing()
	}
	e = &Expr{root: root, src: src, first: map[string]int{}}
	walk(root, func(n node) {
		if v, ok := n.(*varNode); ok {
			if _, seen := e.first[v.name]; !seen {
				e.first[v.name] = v.pos
				e.vars = append(e.vars, v.name)
			}
		}
	})
	return e, nil
}

// Variables returns the names of the expression's variables in the order
// of their first appearance in the source.
func (e *Expr) Variables() []string {
	if e == nil {
		return nil
	}
	return slices.Clone(e.vars)
}

// walk calls f for every node of the tree rooted at n, in source order
// (operands before the operator that combines them).
func walk(n node, f func(node)) {
	switch n := n.(type) {
	case *negNode:
		walk(n.x, f)
	case *binNode:
		walk(n.x, f)
		walk(n.y, f)
	case *callNode:
		walk(n.arg, f)
	}
	f(n)
}

// bailout carries a parse error up to Parse.
type bailout struct{ err *Error }

type parser struct {
	src   string
	lex   lexer
	tok   token // the current token
	depth int
}

func (p *parser) advance() { p.tok = p.lex.next() }

func (p *parser) fail(pos int, format string, args ...any) {
	panic(bailout{&Error{Pos: pos, Msg: fmt.Sprintf(format, args...), src: p.src}})
}

// at formats a position for a message that refers to a second place.
func (p *parser) at(pos int) string {
	line, col := (&Error{Pos: pos, src: p.src}).LineCol()
	return strconv.Itoa(line) + ":" + strconv.Itoa(col)
}

func (p *parser) isOp(ops string) bool {
	return p.tok.kind == tokOp && len(ops) > 0 && containsByte(ops, p.tok.op)
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// expr = term { ("+" | "-") term }
func (p *parser) expr() node {
	x := p.term()
	for p.isOp("+-") {
		op, pos := p.tok.op, p.tok.pos
		p.advance()
		x = &binNode{pos: pos, op: op, x: x, y: p.term()}
	}
	return x
}

// term = unary { ("*" | "/") unary }
func (p *parser) term() node {
	x := p.unary()
	for p.isOp("*/") {
		op, pos := p.tok.op, p.tok.pos
		p.advance()
		x = &binNode{pos: pos, op: op, x: x, y: p.unary()}
	}
	return x
}

// unary = ("-" | "+") unary | power
//
// Every recursion of the parser passes through here, so the depth check
// covers parentheses, calls, signs and powers alike.
func (p *parser) unary() node {
	p.depth++
	if p.depth > maxDepth {
		p.fail(p.tok.pos, "expression is nested more than %d deep", maxDepth)
	}
	var n node
	switch {
	case p.isOp("-"):
		pos := p.tok.pos
		p.advance()
		n = &negNode{pos: pos, x: p.unary()}
	case p.isOp("+"):
		p.advance()
		n = p.unary()
	default:
		n = p.power()
	}
	p.depth-- // not deferred: after a failure the parser is dropped
	return n
}

// power = primary [ "^" unary ]
func (p *parser) power() node {
	x := p.primary()
	if p.isOp("^") {
		pos := p.tok.pos
		p.advance()
		return &binNode{pos: pos, op: '^', x: x, y: p.unary()}
	}
	return x
}

// primary = number | name | func "(" expr ")" | "(" expr ")"
func (p *parser) primary() node {
	tok := p.tok
	switch tok.kind {
	case tokNum:
		p.advance()
		return &numNode{pos: tok.pos, val: tok.val}
	case tokName:
		p.advance()
		fn := functions[tok.text]
		switch {
		case fn != nil && p.tok.kind != tokLParen:
			p.fail(tok.pos, "function %s needs its argument in parentheses, as in %s(x)", tok.text, tok.text)
		case fn == nil && p.tok.kind == tokLParen:
			p.fail(tok.pos, "unknown function %q", tok.text)
		case fn == nil:
			return &varNode{pos: tok.pos, name: tok.text}
		}
		p.advance()
		arg := p.expr()
		p.closing(tok.pos, tok.text+"(")
		return &callNode{pos: tok.pos, fn: fn, name: tok.text, arg: arg}
	case tokLParen:
		p.advance()
		x := p.expr()
		p.closing(tok.pos, "(")
		return x
	case tokErr:
		p.fail(tok.pos, "%s", tok.msg)
	}
	msg := "expected a number, a variable, a function call or \"(\", found " + tok.describe()
	if tok.kind == tokOp && tok.op == '*' && tok.pos > 0 && p.src[tok.pos-1] == '*' {
		msg += " (write ^ for powers)"
	}
	p.fail(tok.pos, "%s", msg)
	return nil
}

// closing consumes the ")" that matches the opening open at pos.
func (p *parser) closing(pos int, open string) {
	if p.tok.kind == tokRParen {
		p.advance()
		return
	}
	if p.tok.kind == tokErr {
		p.fail(p.tok.pos, "%s", p.tok.msg)
	}
	p.fail(p.tok.pos, "missing \")\" to close %q at %s, found %s", open, p.at(pos), p.tok.describe())
}

// trailing reports input after a complete expression.
func (p *parser) trailing() {
	tok := p.tok
	switch tok.kind {
	case tokErr:
		p.fail(tok.pos, "%s", tok.msg)
	case tokRParen:
		p.fail(tok.pos, "unexpected \")\" with no matching \"(\"")
	case tokNum, tokName, tokLParen:
		p.fail(tok.pos, "unexpected %s after a complete expression (multiplication is written with *)", tok.describe())
	}
	p.fail(tok.pos, "unexpected %s after a complete expression", tok.describe())
}
