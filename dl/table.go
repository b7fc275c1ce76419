package dl

import (
	"html"
	"strings"
)

// Table is a trace table (or any small table this package prints): a
// title, column headers and rows of cells. It renders as aligned text
// (String), Markdown and HTML.
type Table struct {
	Title  string
	Header []string
	Rows   []TableRow
	// TextHeader makes String print the header too; Markdown and HTML
	// always do. Trace tables read better without one in text.
	TextHeader bool
}

// TableRow is one row. Accumulate marks an adjoint row that adds to an
// adjoint already started (v̄ = v̄ + …); renderers highlight it.
type TableRow struct {
	Cells      []string
	Accumulate bool
}

// shown returns the table without the columns that are empty in every
// row (such as "with values" in a trace of tensors).
func (t *Table) shown() *Table {
	keep := func(j int) bool {
		for _, r := range t.Rows {
			if j < len(r.Cells) && r.Cells[j] != "" {
				return true
			}
		}
		return len(t.Rows) == 0
	}
	pick := func(cells []string) []string {
		var out []string
		for j, c := range cells {
			if keep(j) {
				out = append(out, c)
			}
		}
		return out
	}
	c := &Table{Title: t.Title, Header: pick(t.Header), TextHeader: t.TextHeader}
	for _, r := range t.Rows {
		c.Rows = append(c.Rows, TableRow{Cells: pick(r.Cells), Accumulate: r.Accumulate})
	}
	return c
}

// String renders the table as text: the title, then the rows with their
// columns aligned.
func (t *Table) String() string {
	t = t.shown()
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(t.Title + "\n")
	}
	var rows [][]string
	if t.TextHeader {
		rows = append(rows, t.Header)
	}
	for _, r := range t.Rows {
		rows = append(rows, r.Cells)
	}
	writeAligned(&b, rows)
	return b.String()
}

// Markdown renders the table as a GitHub-flavoured Markdown table under a
// bold title.
func (t *Table) Markdown() string {
	t = t.shown()
	var b strings.Builder
	if t.Title != "" {
		b.WriteString("**" + t.Title + "**\n\n")
	}
	esc := strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`)
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + esc.Replace(c) + " |")
		}
		b.WriteString("\n")
	}
	line(t.Header)
	b.WriteString("|")
	for range t.Header {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		line(r.Cells)
	}
	return b.String()
}

// HTML renders the table as a self-contained HTML table with a caption;
// accumulation rows carry the class "accumulate" and a highlight.
func (t *Table) HTML() string {
	t = t.shown()
	var b strings.Builder
	b.WriteString(tableStyle)
	b.WriteString(`<table class="gradbook-table">` + "\n")
	if t.Title != "" {
		b.WriteString("<caption>" + html.EscapeString(t.Title) + "</caption>\n")
	}
	b.WriteString("<thead><tr>")
	for _, h := range t.Header {
		b.WriteString("<th>" + html.EscapeString(h) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range t.Rows {
		if r.Accumulate {
			b.WriteString(`<tr class="accumulate">`)
		} else {
			b.WriteString("<tr>")
		}
		for _, c := range r.Cells {
			b.WriteString("<td>" + html.EscapeString(c) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	return b.String()
}

// tableStyle is scoped to the gradbook-table class, so it styles only our
// tables wherever the HTML is shown (a notebook, an exported page).
const tableStyle = `<style>
.gradbook-table{border-collapse:collapse;font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:13px;margin:6px 0}
.gradbook-table caption{text-align:left;font-weight:bold;padding:4px 0}
.gradbook-table th,.gradbook-table td{padding:2px 10px;text-align:left;white-space:nowrap;border-bottom:1px solid #e4e4e4}
.gradbook-table th{border-bottom:2px solid #999}
.gradbook-table tr.accumulate{background:#fff3d6}
</style>
`
