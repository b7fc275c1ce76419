package nbhtml

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf8"
)

// texHTML renders the TeX math of the lessons as HTML without a script:
// Greek letters and operators become Unicode, subscripts and superscripts
// <sub> and <sup>, \frac a fraction with a slash, matrices bracketed rows.
// What it does not know it shows as written, so nothing is lost.
func texHTML(src string) string {
	p := &texParser{s: src}
	return p.seq(0)
}

type texParser struct {
	s string
	i int
}

var texSymbols = map[string]string{
	"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "eta": "η",
	"theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ",
	"varphi": "φ", "omega": "ω", "Delta": "Δ", "Theta": "Θ", "Sigma": "Σ", "Phi": "Φ", "Omega": "Ω",
	"Lambda": "Λ", "Gamma": "Γ", "nabla": "∇", "partial": "∂", "infty": "∞", "cdot": "·", "times": "×",
	"odot": "⊙", "circ": "∘", "pm": "±", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠",
	"approx": "≈", "equiv": "≡", "sim": "∼", "to": "→", "rightarrow": "→", "leftarrow": "←", "mapsto": "↦",
	"Rightarrow": "⇒", "in": "∈", "sum": "∑", "prod": "∏", "int": "∫", "ldots": "…", "cdots": "⋯",
	"vdots": "⋮", "lVert": "‖", "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|", "top": "ᵀ",
	"quad": "\u2003", "qquad": "\u2003\u2003", ",": "\u2009", ";": "\u2005", ":": "\u2005", "!": "",
	" ": " ", "ln": "ln", "log": "log", "exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan",
	"tanh": "tanh", "max": "max", "min": "min", "arg": "arg", "left": "", "right": "", "big": "", "Big": "",
	"{": "{", "}": "}", "%": "%", "$": "$", "&": "&", "#": "#", "_": "_", "mid": "|", "lbrace": "{", "rbrace": "}",
}

// texAccents are combining marks put over the argument.
var texAccents = map[string]string{"bar": "\u0304", "overline": "\u0305", "dot": "\u0307", "hat": "\u0302", "tilde": "\u0303", "vec": "\u20d7"}

var texFonts = map[string]string{"mathbb": "", "mathrm": "", "text": "", "mathbf": "b", "boldsymbol": "b", "mathcal": "", "operatorname": ""}

var doubleStruck = map[rune]string{'R': "ℝ", 'N': "ℕ", 'Z': "ℤ", 'Q': "ℚ", 'C': "ℂ", 'E': "𝔼"}

// texOperators are spaced as TeX spaces binary operators and relations,
// unless they start a group or follow another operator (unary minus).
var texOperators = map[string]bool{"=": true, "+": true, "−": true, "&lt;": true, "&gt;": true,
	"·": true, "×": true, "⊙": true, "≤": true, "≥": true, "≠": true, "≈": true, "≡": true, "→": true,
	"←": true, "⇒": true, "↦": true, "∈": true, "±": true, "∘": true, "∼": true, ":": true}

// seq renders until the end, a closing brace, or (depth > 0) an \end.
// Source spaces do not count (TeX ignores them in math); operators get
// their own spacing.
func (p *texParser) seq(depth int) string {
	var b strings.Builder
	afterOp := true // at the start of a group an operator is unary
	emit := func(s string) {
		if texOperators[s] {
			if afterOp {
				b.WriteString(s)
			} else {
				b.WriteString(" " + s + " ")
			}
			afterOp = true
			return
		}
		b.WriteString(s)
		if s != "" {
			afterOp = false
		}
	}
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == ' ' || c == '\n' || c == '\t':
			p.i++
		case c == '}':
			return strings.TrimSpace(b.String())
		case c == '{':
			p.i++
			emit(p.seq(depth + 1))
			p.i++ // }
		case c == '_' || c == '^':
			p.i++
			arg := p.arg()
			tag := "sub"
			if c == '^' {
				tag = "sup"
			}
			b.WriteString("<" + tag + ">" + arg + "</" + tag + ">")
			afterOp = false
		case c == '\\':
			if strings.HasPrefix(p.s[p.i:], `\end{`) {
				return strings.TrimSpace(b.String())
			}
			emit(p.command())
		case c == '&':
			p.i++
			b.WriteString(" ")
		case c == '~':
			p.i++
			b.WriteString("\u00a0")
		case c == '-':
			p.i++
			emit("−")
		case c == ',':
			p.i++
			b.WriteString(", ")
			afterOp = true
		default:
			r, n := utf8.DecodeRuneInString(p.s[p.i:])
			p.i += n
			emit(html.EscapeString(string(r)))
		}
	}
	return strings.TrimSpace(b.String())
}

// arg renders one argument: a group or a single character or command.
func (p *texParser) arg() string {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
	if p.i >= len(p.s) {
		return ""
	}
	switch p.s[p.i] {
	case '{':
		p.i++
		s := p.seq(1)
		p.i++
		return s
	case '\\':
		return p.command()
	}
	r, n := utf8.DecodeRuneInString(p.s[p.i:])
	p.i += n
	return html.EscapeString(string(r))
}

// rawArg returns the text of a braced argument without rendering it.
func (p *texParser) rawArg() string {
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return ""
	}
	end := strings.IndexByte(p.s[p.i:], '}')
	if end < 0 {
		return ""
	}
	s := p.s[p.i+1 : p.i+end]
	p.i += end + 1
	return s
}

func (p *texParser) command() string {
	p.i++ // the backslash
	start := p.i
	for p.i < len(p.s) && isLetter(p.s[p.i]) {
		p.i++
	}
	if p.i == start && p.i < len(p.s) { // a one-character command: \, \{ \\
		p.i++
	}
	name := p.s[start:p.i]
	switch {
	case name == "\\":
		return "; "
	case name == "frac":
		num, den := p.arg(), p.arg()
		return wrapFrac(num) + "/" + wrapFrac(den)
	case name == "sqrt":
		return "√(" + p.arg() + ")"
	case name == "begin":
		env := p.rawArg()
		body := p.seq(1)
		if strings.HasPrefix(p.s[p.i:], `\end{`) {
			p.i += len(`\end{`)
			p.rawArgRest()
		}
		if strings.Contains(env, "matrix") {
			return "[" + strings.TrimSpace(body) + "]"
		}
		return strings.ReplaceAll(body, "; ", "<br>")
	case name == "mathrel" || name == "mathop":
		return p.arg()
	}
	if acc, ok := texAccents[name]; ok {
		return p.arg() + acc
	}
	if style, ok := texFonts[name]; ok {
		if name == "mathbb" {
			a := p.rawArg()
			if r, _ := utf8.DecodeRuneInString(a); doubleStruck[r] != "" {
				return doubleStruck[r]
			}
			return html.EscapeString(a)
		}
		a := p.arg()
		if style == "b" {
			return "<b>" + a + "</b>"
		}
		return `<span style="font-style:normal">` + a + "</span>"
	}
	if sym, ok := texSymbols[name]; ok {
		if isLetter(name[0]) && len(sym) > 1 && sym[0] < 0x80 {
			return `<span style="font-style:normal">` + sym + "</span>" // ln, sin: upright
		}
		return sym
	}
	return html.EscapeString(`\` + name)
}

// rawArgRest skips the rest of an \end{...}: its name and brace.
func (p *texParser) rawArgRest() {
	if end := strings.IndexByte(p.s[p.i:], '}'); end >= 0 {
		p.i += end + 1
	}
}

// wrapFrac parenthesises a fraction's part when it is more than one term.
func wrapFrac(s string) string {
	if strings.ContainsAny(reScripts.ReplaceAllString(s, ""), "+− ") {
		return "(" + s + ")"
	}
	return s
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// reScripts matches subscripts and superscripts, whose signs do not make a
// fraction's part a sum.
var reScripts = regexp.MustCompile(`<su[bp]>.*?</su[bp]>`)
