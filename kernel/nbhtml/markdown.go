package nbhtml

import (
	"fmt"
	"html"
	"regexp"
	"strings"
)

// Markdown converts the Markdown of a notebook cell to HTML. It covers what
// lesson notebooks use: ATX headings, paragraphs, emphasis and strong
// emphasis, inline code, fenced and indented code blocks, block quotes,
// ordered and unordered lists (nested by indentation), pipe tables,
// horizontal rules, links, images, autolinks and raw HTML. TeX math
// between $ or $$ becomes HTML with Unicode symbols, subscripts and
// superscripts (no script needed), in <span class="math"> or
// <div class="math"> whose title holds the TeX source.
//
// The conversion is deliberately small and has no dependency; it is not a
// CommonMark implementation.
func Markdown(src string) string {
	return markdown(src, nil)
}

// resolver maps an image source to the URL to use, e.g. a data: URL.
type resolver func(src string) string

func markdown(src string, img resolver) string {
	r := &mdRenderer{img: img}
	var b strings.Builder
	r.blocks(&b, splitLines(src))
	return b.String()
}

type mdRenderer struct {
	img resolver
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\t", "    ")
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

var (
	reHeading = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	reFence   = regexp.MustCompile("^ {0,3}(```+|~~~+)[ \t]*([^`\\s]*)")
	reRule    = regexp.MustCompile(`^ {0,3}((\*[ \t]*){3,}|(-[ \t]*){3,}|(_[ \t]*){3,})$`)
	reBullet  = regexp.MustCompile(`^( {0,3})([-*+])( +|$)`)
	reOrdered = regexp.MustCompile(`^( {0,3})(\d{1,9})([.)])( +|$)`)
	reQuote   = regexp.MustCompile(`^ {0,3}> ?`)
	reHTML    = regexp.MustCompile(`^ {0,3}</?[a-zA-Z][a-zA-Z0-9-]*(\s|/?>|$)`)
	reTable   = regexp.MustCompile(`^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$`)
)

func blank(line string) bool { return strings.TrimSpace(line) == "" }

// blocks renders a sequence of lines as block elements.
func (r *mdRenderer) blocks(b *strings.Builder, lines []string) {
	for i := 0; i < len(lines); {
		line := lines[i]
		switch {
		case blank(line):
			i++
		case reFence.MatchString(line):
			m := reFence.FindStringSubmatch(line)
			fence := m[1]
			var code []string
			i++
			for i < len(lines) && !strings.HasPrefix(strings.TrimLeft(lines[i], " "), fence) {
				code = append(code, lines[i])
				i++
			}
			i++ // the closing fence, or the end
			class := ""
			if m[2] != "" {
				class = fmt.Sprintf(` class="language-%s"`, html.EscapeString(m[2]))
			}
			fmt.Fprintf(b, "<pre><code%s>%s</code></pre>\n", class, html.EscapeString(joinLines(code)))
		case strings.HasPrefix(strings.TrimSpace(line), "$$"):
			// Display math: up to the line that ends in $$.
			var math []string
			first := strings.TrimSpace(line)
			math = append(math, first)
			i++
			if !(len(first) > 2 && strings.HasSuffix(first, "$$")) {
				for i < len(lines) {
					math = append(math, lines[i])
					i++
					if strings.HasSuffix(strings.TrimSpace(lines[i-1]), "$$") {
						break
					}
				}
			}
			tex := strings.TrimSpace(strings.Join(math, "\n"))
			tex = strings.TrimSuffix(strings.TrimPrefix(tex, "$$"), "$$")
			fmt.Fprintf(b, "<div class=\"math\" title=\"%s\">%s</div>\n", html.EscapeString(joinLines(math)), texHTML(tex))
		case reHeading.MatchString(line):
			m := reHeading.FindStringSubmatch(line)
			n := len(m[1])
			fmt.Fprintf(b, "<h%d>%s</h%d>\n", n, r.inline(m[2]), n)
			i++
		case reRule.MatchString(line):
			b.WriteString("<hr>\n")
			i++
		case reQuote.MatchString(line):
			var inner []string
			for i < len(lines) && !blank(lines[i]) {
				inner = append(inner, reQuote.ReplaceAllString(lines[i], ""))
				i++
			}
			b.WriteString("<blockquote>\n")
			r.blocks(b, inner)
			b.WriteString("</blockquote>\n")
		case reBullet.MatchString(line) || reOrdered.MatchString(line):
			i = r.list(b, lines, i)
		case strings.HasPrefix(line, "    "):
			var code []string
			for i < len(lines) && (strings.HasPrefix(lines[i], "    ") || blank(lines[i])) {
				code = append(code, strings.TrimPrefix(lines[i], "    "))
				i++
			}
			for len(code) > 0 && blank(code[len(code)-1]) {
				code = code[:len(code)-1]
			}
			fmt.Fprintf(b, "<pre><code>%s</code></pre>\n", html.EscapeString(joinLines(code)))
		case reHTML.MatchString(line):
			for i < len(lines) && !blank(lines[i]) {
				b.WriteString(lines[i])
				b.WriteByte('\n')
				i++
			}
		case i+1 < len(lines) && strings.Contains(line, "|") && reTable.MatchString(lines[i+1]) && strings.Contains(lines[i+1], "-"):
			i = r.table(b, lines, i)
		default:
			var para []string
			for i < len(lines) && !blank(lines[i]) && (len(para) == 0 || !r.interrupts(lines[i])) {
				para = append(para, lines[i])
				i++
			}
			b.WriteString("<p>")
			r.paragraph(b, para)
			b.WriteString("</p>\n")
		}
	}
}

// interrupts reports whether line starts a new block inside a paragraph.
func (r *mdRenderer) interrupts(line string) bool {
	return reHeading.MatchString(line) || reFence.MatchString(line) || reRule.MatchString(line) ||
		reQuote.MatchString(line) || reBullet.MatchString(line) || strings.HasPrefix(strings.TrimSpace(line), "$$")
}

func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// paragraph renders the lines of a paragraph; a line ending in two spaces or
// a backslash breaks the line. Emphasis and code may span lines, so the
// lines between breaks are rendered together.
func (r *mdRenderer) paragraph(b *strings.Builder, lines []string) {
	var run []string
	for j, line := range lines {
		brk := false
		if strings.HasSuffix(line, "  ") {
			brk = true
		} else if strings.HasSuffix(line, "\\") && !strings.HasSuffix(line, "\\\\") {
			brk = true
			line = line[:len(line)-1]
		}
		run = append(run, strings.TrimSpace(line))
		if brk || j == len(lines)-1 {
			b.WriteString(r.inline(strings.Join(run, "\n")))
			run = run[:0]
			if j < len(lines)-1 {
				b.WriteString("<br>\n")
			}
		}
	}
}

// list renders the list that starts at lines[i] and returns the index after it.
func (r *mdRenderer) list(b *strings.Builder, lines []string, i int) int {
	ordered := !reBullet.MatchString(lines[i])
	marker := func(line string) (indent int, ok bool) {
		if ordered {
			m := reOrdered.FindStringSubmatch(line)
			if m == nil {
				return 0, false
			}
			return len(m[0]), true
		}
		m := reBullet.FindStringSubmatch(line)
		if m == nil {
			return 0, false
		}
		return len(m[0]), true
	}
	start := ""
	if ordered {
		if n := reOrdered.FindStringSubmatch(lines[i])[2]; strings.TrimLeft(n, "0") != "1" {
			start = fmt.Sprintf(` start="%s"`, strings.TrimLeft(n, "0"))
			if start == ` start=""` {
				start = ` start="0"`
			}
		}
	}
	type item struct{ lines []string }
	var items []item
	loose := false
	for i < len(lines) {
		width, ok := marker(lines[i])
		if !ok {
			break
		}
		it := item{lines: []string{lines[i][width:]}}
		i++
		for i < len(lines) {
			line := lines[i]
			if blank(line) {
				// A blank line continues the item when indented text follows.
				j := i
				for j < len(lines) && blank(lines[j]) {
					j++
				}
				if j < len(lines) && leadingSpaces(lines[j]) >= width {
					for ; i < j; i++ {
						it.lines = append(it.lines, "")
					}
					loose = true
					continue
				}
				if j < len(lines) {
					if _, ok := marker(lines[j]); ok {
						loose = true
					}
				}
				break
			}
			if leadingSpaces(line) >= width {
				it.lines = append(it.lines, line[width:])
			} else if _, ok := marker(line); ok {
				break
			} else if reBullet.MatchString(line) || reOrdered.MatchString(line) || reHeading.MatchString(line) || reFence.MatchString(line) || reRule.MatchString(line) {
				break
			} else {
				it.lines = append(it.lines, strings.TrimLeft(line, " ")) // lazy continuation
			}
			i++
		}
		items = append(items, it)
		if i < len(lines) && blank(lines[i]) {
			j := i
			for j < len(lines) && blank(lines[j]) {
				j++
			}
			if j < len(lines) {
				if _, ok := marker(lines[j]); ok {
					i = j
					continue
				}
			}
			break
		}
	}
	tag := "ul"
	if ordered {
		tag = "ol"
	}
	fmt.Fprintf(b, "<%s%s>\n", tag, start)
	for _, it := range items {
		b.WriteString("<li>")
		if loose {
			b.WriteByte('\n')
			r.blocks(b, it.lines)
		} else {
			// Tight: the first paragraph without <p>, then any nested blocks.
			k := 0
			for k < len(it.lines) && !blank(it.lines[k]) && (k == 0 || !r.interrupts(it.lines[k])) {
				k++
			}
			r.paragraph(b, it.lines[:k])
			if k < len(it.lines) {
				b.WriteByte('\n')
				r.blocks(b, it.lines[k:])
			}
		}
		b.WriteString("</li>\n")
	}
	fmt.Fprintf(b, "</%s>\n", tag)
	return i
}

func leadingSpaces(s string) int {
	return len(s) - len(strings.TrimLeft(s, " "))
}

func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	if strings.HasSuffix(line, "|") && !strings.HasSuffix(line, `\|`) {
		line = line[:len(line)-1]
	}
	var cells []string
	var cur strings.Builder
	inCode := false
	for k := 0; k < len(line); k++ {
		c := line[k]
		switch {
		case c == '\\' && k+1 < len(line) && line[k+1] == '|':
			cur.WriteByte('|')
			k++
		case c == '`':
			inCode = !inCode
			cur.WriteByte(c)
		case c == '|' && !inCode:
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// table renders a pipe table starting at lines[i] (the header row).
func (r *mdRenderer) table(b *strings.Builder, lines []string, i int) int {
	header := splitRow(lines[i])
	var align []string
	for _, spec := range splitRow(lines[i+1]) {
		l, rt := strings.HasPrefix(spec, ":"), strings.HasSuffix(spec, ":")
		switch {
		case l && rt:
			align = append(align, ` style="text-align:center"`)
		case rt:
			align = append(align, ` style="text-align:right"`)
		case l:
			align = append(align, ` style="text-align:left"`)
		default:
			align = append(align, "")
		}
	}
	cell := func(tag string, k int, text string) {
		a := ""
		if k < len(align) {
			a = align[k]
		}
		fmt.Fprintf(b, "<%s%s>%s</%s>", tag, a, r.inline(text), tag)
	}
	b.WriteString("<table>\n<thead><tr>")
	for k, h := range header {
		cell("th", k, h)
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	i += 2
	for i < len(lines) && !blank(lines[i]) && strings.Contains(lines[i], "|") {
		b.WriteString("<tr>")
		row := splitRow(lines[i])
		for k := range header {
			text := ""
			if k < len(row) {
				text = row[k]
			}
			cell("td", k, text)
		}
		b.WriteString("</tr>\n")
		i++
	}
	b.WriteString("</tbody>\n</table>\n")
	return i
}

var (
	reAutolink  = regexp.MustCompile(`^<(https?://[^\s<>]+|mailto:[^\s<>]+)>`)
	reInlineTag = regexp.MustCompile(`^</?[a-zA-Z][a-zA-Z0-9-]*(\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>]+))?)*\s*/?>`)
	reEntity    = regexp.MustCompile(`^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});`)
)

const punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// inline renders the inline Markdown of a piece of text.
func (r *mdRenderer) inline(s string) string {
	var b strings.Builder
	r.inlineTo(&b, s)
	return b.String()
}

func (r *mdRenderer) inlineTo(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) && strings.IndexByte(punct, s[i+1]) >= 0 {
				b.WriteString(html.EscapeString(s[i+1 : i+2]))
				i += 2
				continue
			}
		case '`':
			n := countRun(s[i:], '`')
			fence := s[i : i+n]
			if end := strings.Index(s[i+n:], fence); end >= 0 {
				code := s[i+n : i+n+end]
				if t := strings.TrimSpace(code); t != "" {
					code = t
				}
				fmt.Fprintf(b, "<code>%s</code>", html.EscapeString(code))
				i += n + end + n
				continue
			}
			b.WriteString(fence)
			i += n
			continue
		case '$':
			// Math is kept as text: $...$ or $$...$$ on one line.
			n := min(countRun(s[i:], '$'), 2)
			fence := s[i : i+n]
			if end := strings.Index(s[i+n:], fence); end > 0 && (n == 2 || isInlineMath(s[i+1:i+1+end], s[i+2+end:])) {
				fmt.Fprintf(b, `<span class="math" title="%s">%s</span>`, html.EscapeString(s[i:i+n+end+n]), texHTML(s[i+n:i+n+end]))
				i += n + end + n
				continue
			}
		case '!':
			if i+1 < len(s) && s[i+1] == '[' {
				if text, dest, title, n, ok := linkAt(s[i+1:]); ok {
					if r.img != nil {
						dest = r.img(dest)
					}
					t := ""
					if title != "" {
						t = fmt.Sprintf(` title="%s"`, html.EscapeString(title))
					}
					fmt.Fprintf(b, `<img src="%s" alt="%s"%s>`, html.EscapeString(dest), html.EscapeString(plain(text)), t)
					i += 1 + n
					continue
				}
			}
		case '[':
			if text, dest, title, n, ok := linkAt(s[i:]); ok {
				t := ""
				if title != "" {
					t = fmt.Sprintf(` title="%s"`, html.EscapeString(title))
				}
				fmt.Fprintf(b, `<a href="%s"%s>`, html.EscapeString(dest), t)
				r.inlineTo(b, text)
				b.WriteString("</a>")
				i += n
				continue
			}
		case '<':
			if m := reAutolink.FindStringSubmatch(s[i:]); m != nil {
				text := strings.TrimPrefix(m[1], "mailto:")
				fmt.Fprintf(b, `<a href="%s">%s</a>`, html.EscapeString(m[1]), html.EscapeString(text))
				i += len(m[0])
				continue
			}
			if m := reInlineTag.FindString(s[i:]); m != "" {
				b.WriteString(m)
				i += len(m)
				continue
			}
		case '&':
			if m := reEntity.FindString(s[i:]); m != "" {
				b.WriteString(m)
				i += len(m)
				continue
			}
		case '*', '_':
			if n, inner, ok := emphasisAt(s, i); ok {
				tag := "em"
				if n == 2 {
					tag = "strong"
				} else if n == 3 {
					b.WriteString("<strong><em>")
					r.inlineTo(b, inner)
					b.WriteString("</em></strong>")
					i += 2*n + len(inner)
					continue
				}
				fmt.Fprintf(b, "<%s>", tag)
				r.inlineTo(b, inner)
				fmt.Fprintf(b, "</%s>", tag)
				i += 2*n + len(inner)
				continue
			}
			// An unmatched run is text.
			n := countRun(s[i:], c)
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		b.WriteString(html.EscapeString(s[i : i+1]))
		i++
	}
}

func countRun(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }
func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// emphasisAt finds emphasis that opens at s[i] with a run of * or _: it
// returns the run length used (1 to 3) and the text inside.
func emphasisAt(s string, i int) (int, string, bool) {
	c := s[i]
	run := countRun(s[i:], c)
	if run > 3 || i+run >= len(s) || isSpace(s[i+run]) {
		return 0, "", false
	}
	if c == '_' && i > 0 && isAlnum(s[i-1]) {
		return 0, "", false // intra-word underscores, as in snake_case
	}
	delim := strings.Repeat(string(c), run)
	for from := i + run; from < len(s); {
		k := strings.Index(s[from:], delim)
		if k < 0 {
			return 0, "", false
		}
		k += from
		// A closer: not after a space, not part of a longer run, not inside code or math.
		if !isSpace(s[k-1]) && (k+run >= len(s) || s[k+run] != c) && k > i+run &&
			(c != '_' || k+run >= len(s) || !isAlnum(s[k+run])) && balancedSpans(s[i+run:k]) {
			return run, s[i+run : k], true
		}
		from = k + 1
	}
	return 0, "", false
}

// balancedSpans reports whether s has no unclosed code span or math.
func balancedSpans(s string) bool {
	return strings.Count(s, "`")%2 == 0 && strings.Count(strings.ReplaceAll(s, `\$`, ""), "$")%2 == 0
}

// linkAt parses [text](dest "title") at the start of s and returns its length.
func linkAt(s string) (text, dest, title string, n int, ok bool) {
	depth := 0
	end := -1
	for k := 0; k < len(s); k++ {
		switch s[k] {
		case '\\':
			k++
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				end = k
			}
		}
		if end >= 0 {
			break
		}
	}
	if end < 0 || end+1 >= len(s) || s[end+1] != '(' {
		return "", "", "", 0, false
	}
	close := strings.IndexByte(s[end+2:], ')')
	if close < 0 {
		return "", "", "", 0, false
	}
	inside := strings.TrimSpace(s[end+2 : end+2+close])
	dest = inside
	if sp := strings.IndexAny(inside, " \t"); sp >= 0 {
		dest = inside[:sp]
		t := strings.TrimSpace(inside[sp:])
		if len(t) >= 2 && (t[0] == '"' && t[len(t)-1] == '"' || t[0] == '\'' && t[len(t)-1] == '\'') {
			title = t[1 : len(t)-1]
		}
	}
	dest = strings.TrimSuffix(strings.TrimPrefix(dest, "<"), ">")
	return s[1:end], dest, title, end + 2 + close + 1, true
}

// plain strips Markdown punctuation for alt text.
func plain(s string) string {
	return strings.NewReplacer("*", "", "_", "", "`", "").Replace(s)
}

// isInlineMath applies Pandoc's rule to $body$ followed by rest: the body
// neither starts nor ends with a space, and no digit follows the closing
// dollar ("costs $5 and $6" is not math).
func isInlineMath(body, rest string) bool {
	if body == "" || isSpace(body[0]) || isSpace(body[len(body)-1]) {
		return false
	}
	return rest == "" || rest[0] < '0' || rest[0] > '9'
}
