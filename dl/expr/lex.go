package expr

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokNum            // a number; val holds its value
	tokName           // a variable or function name
	tokOp             // + - * / ^ in any spelling; op holds the ASCII one
	tokLParen         // (
	tokRParen         // )
	tokErr            // a character or number the lexer rejects; msg says why
)

type token struct {
	kind tokKind
	pos  int    // byte offset of the first byte
	text string // as written in the source
	op   byte   // tokOp: '+', '-', '*', '/' or '^'
	val  float64
	msg  string
}

// describe names the token for error messages.
func (t token) describe() string {
	if t.kind == tokEOF {
		return "end of expression"
	}
	return strconv.Quote(t.text)
}

// lexer hands out tokens one at a time, so that a parse error before a bad
// character is reported first.
type lexer struct {
	src string
	pos int
}

// operators maps every accepted operator sign to its ASCII spelling.
var operators = map[rune]byte{
	'+': '+',
	'-': '-', '−': '-',
	'*': '*', '×': '*', '·': '*', '⋅': '*',
	'/': '/', '÷': '/',
	'^': '^',
}

func (l *lexer) next() token {
	for l.pos < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if !unicode.IsSpace(r) {
			break
		}
		l.pos += size
	}
	start := l.pos
	if start == len(l.src) {
		return token{kind: tokEOF, pos: start}
	}
	r, size := utf8.DecodeRuneInString(l.src[start:])
	switch {
	case r == utf8.RuneError && size == 1:
		l.pos++
		return token{kind: tokErr, pos: start, text: l.src[start:l.pos],
			msg: fmt.Sprintf("invalid UTF-8 byte %#02x", l.src[start])}
	case isDigit(r) || r == '.' && start+1 < len(l.src) && isDigit(rune(l.src[start+1])):
		return l.number()
	case unicode.IsLetter(r):
		l.pos += size
		for l.pos < len(l.src) {
			r, size := utf8.DecodeRuneInString(l.src[l.pos:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
				break
			}
			l.pos += size
		}
		return token{kind: tokName, pos: start, text: l.src[start:l.pos]}
	}
	l.pos += size
	tok := token{pos: start, text: l.src[start:l.pos]}
	switch op, ok := operators[r]; {
	case ok:
		tok.kind, tok.op = tokOp, op
	case r == '(':
		tok.kind = tokLParen
	case r == ')':
		tok.kind = tokRParen
	default:
		tok.kind, tok.msg = tokErr, fmt.Sprintf("unexpected character %q", r)
	}
	return tok
}

// number scans digits [ "." digits ] [ exponent ], or "." digits [ exponent ].
// An "e" not followed by an exponent's digits is left for the next token.
func (l *lexer) number() token {
	start := l.pos
	l.digits()
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.pos++
		l.digits()
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		i := l.pos + 1
		if i < len(l.src) && (l.src[i] == '+' || l.src[i] == '-') {
			i++
		}
		if i < len(l.src) && isDigit(rune(l.src[i])) {
			l.pos = i
			l.digits()
		}
	}
	text := l.src[start:l.pos]
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		// The text is well formed, so the only failure is overflow.
		return token{kind: tokErr, pos: start, text: text,
			msg: fmt.Sprintf("number %s is too large", text)}
	}
	return token{kind: tokNum, pos: start, text: text, val: v}
}

func (l *lexer) digits() {
	for l.pos < len(l.src) && isDigit(rune(l.src[l.pos])) {
		l.pos++
	}
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }
