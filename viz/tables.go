package viz

import (
	"html"
	"strings"
	"unicode"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/backprop"
)

// TableHTML renders a table (a trace table, a model summary, a backprop
// table, a training history) as self-contained HTML in the package's
// style: a monospace grid, columns of plain numbers right-aligned on
// their digits, indentation kept (nested layers of a summary), a total row
// set off, and accumulation rows highlighted with a marker in the margin:
// those of an adjoint trace (v̄ = v̄ + …) and backprop's Δ += …. The style sheet is scoped to the table's class, so
// it styles nothing else on the page, and reads in light and dark themes.
func TableHTML(t *dl.Table) string {
	var b strings.Builder
	b.WriteString(tableCSS)
	writeTable(&b, t)
	return b.String()
}

// TraceHTML renders a trace's primal and adjoint tables side by side
// (stacked when the page is narrow).
func TraceHTML(tr *dl.Trace) string {
	var b strings.Builder
	b.WriteString(tableCSS)
	b.WriteString(`<div class="gradbook-tables">` + "\n")
	writeTable(&b, tr.Primal())
	writeTable(&b, tr.Adjoint())
	b.WriteString("</div>\n")
	return b.String()
}

// ExplanationHTML renders the lecture's backprop as Show displays it: the
// first instance's steps and the batch's gradient table, as
// Explanation.String prints them.
func ExplanationHTML(e *backprop.Explanation) string {
	var b strings.Builder
	b.WriteString(tableCSS)
	b.WriteString(`<div class="gradbook-tables">` + "\n")
	writeTable(&b, e.Steps(0))
	writeTable(&b, e.Gradients())
	b.WriteString("</div>\n")
	return b.String()
}

// tableCSS styles the tables of this package; every rule is scoped to
// .gradbook-vt. Colours are translucent so that the table reads on dark
// notebook themes too.
const tableCSS = `<style>
.gradbook-tables{display:flex;flex-wrap:wrap;gap:8px 28px;align-items:flex-start}
.gradbook-vt{border-collapse:collapse;font-family:'DejaVu Sans Mono','Liberation Mono',Menlo,Consolas,monospace;font-size:13px;line-height:1.45;margin:6px 0;font-variant-numeric:tabular-nums}
.gradbook-vt caption{text-align:left;font-weight:bold;padding:2px 0 6px;font-family:'Liberation Sans',Arial,Helvetica,sans-serif;font-size:14px}
.gradbook-vt th{text-align:left;font-weight:600;padding:3px 12px;border-bottom:2px solid rgba(128,128,128,.6);white-space:nowrap}
.gradbook-vt td{padding:2px 12px;text-align:left;white-space:pre;border-bottom:1px solid rgba(128,128,128,.18);vertical-align:top}
.gradbook-vt .num{text-align:right}
.gradbook-vt tbody tr:hover{background:rgba(128,128,128,.08)}
.gradbook-vt tr.accumulate{background:rgba(245,147,34,.16)}
.gradbook-vt tr.accumulate td:first-child{box-shadow:inset 3px 0 0 #f59322}
.gradbook-vt tr.total td{border-top:2px solid rgba(128,128,128,.6);font-weight:600}
</style>
`

// writeTable writes one table without the style sheet. Columns that are
// empty in every row are left out, as dl's renderers do.
func writeTable(b *strings.Builder, t *dl.Table) {
	width := len(t.Header)
	for _, r := range t.Rows {
		width = max(width, len(r.Cells))
	}
	keep := make([]bool, width)
	for j := range keep {
		for _, r := range t.Rows {
			if j < len(r.Cells) && r.Cells[j] != "" {
				keep[j] = true
			}
		}
		if len(t.Rows) == 0 {
			keep[j] = true
		}
	}
	numeric := make([]bool, width)
	for j := range numeric {
		numeric[j] = keep[j]
		seen := false
		for _, r := range t.Rows {
			if j >= len(r.Cells) || r.Cells[j] == "" {
				continue
			}
			seen = true
			if !isNumber(r.Cells[j]) {
				numeric[j] = false
			}
		}
		numeric[j] = numeric[j] && seen
	}
	b.WriteString(`<table class="gradbook-vt">` + "\n")
	if t.Title != "" {
		b.WriteString("<caption>" + html.EscapeString(t.Title) + "</caption>\n")
	}
	if len(t.Header) > 0 {
		b.WriteString("<thead><tr>")
		for j, h := range t.Header {
			if !keep[j] {
				continue
			}
			if numeric[j] {
				b.WriteString(`<th class="num">`)
			} else {
				b.WriteString("<th>")
			}
			b.WriteString(html.EscapeString(h) + "</th>")
		}
		b.WriteString("</tr></thead>\n")
	}
	b.WriteString("<tbody>\n")
	for i, r := range t.Rows {
		var classes []string
		if r.Accumulate || len(r.Cells) > 1 && strings.HasPrefix(r.Cells[1], "+=") {
			classes = append(classes, "accumulate") // v̄ = v̄ + …, and backprop's Δ += …
		}
		if i == len(t.Rows)-1 && i > 0 && isTotal(r.Cells) {
			classes = append(classes, "total")
		}
		if len(classes) > 0 {
			b.WriteString(`<tr class="` + strings.Join(classes, " ") + `">`)
		} else {
			b.WriteString("<tr>")
		}
		for j := range width {
			if !keep[j] {
				continue
			}
			c := ""
			if j < len(r.Cells) {
				c = r.Cells[j]
			}
			if numeric[j] {
				b.WriteString(`<td class="num">`)
			} else {
				b.WriteString("<td>")
			}
			b.WriteString(html.EscapeString(c) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
}

// isNumber reports whether a cell holds one plain number, as tables write
// them: "5.5", "= −0.959", "81,194", "93.1%", "2.5e-05".
func isNumber(s string) bool {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "= ")
	s = strings.TrimSuffix(s, "%")
	s = strings.TrimPrefix(s, "−")
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case r == '.' || r == ',':
		case (r == 'e' || r == 'E') && i > 0:
		case (r == '-' || r == '+' || r == '−') && i > 0 && (s[i-1] == 'e' || s[i-1] == 'E'):
		default:
			return false
		}
	}
	return digits > 0
}

// isTotal reports whether a row is a table's total: its first non-empty
// cell says so.
func isTotal(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return strings.HasPrefix(strings.ToLower(c), "total")
		}
	}
	return false
}
