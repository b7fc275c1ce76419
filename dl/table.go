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
}

// TableRow is one row. Accumulate marks an adjoint row that adds to an
// adjoint already started (v̄ = v̄ + …); renderers highlight it.
type TableRow struct {
	Cells      []string
	Accumulate bool
}

// String renders the table as text: the title, then the rows with their
// columns aligned.
func (t *Table) String() string {
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(t.Title + "\n")
	}
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = r.Cells
	}
	writeAligned(&b, rows)
	return b.String()
}

// Markdown renders the table as a GitHub-flavoured Markdown table under a
// bold title.
func (t *Table) Markdown() string {
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
	var b strings.Builder
	b.WriteString(`<table class="gradbook-table" style="border-collapse:collapse;font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:13px">` + "\n")
	if t.Title != "" {
		b.WriteString(`<caption style="text-align:left;font-weight:bold;padding:4px 0">` + html.EscapeString(t.Title) + "</caption>\n")
	}
	cell := `style="padding:2px 10px;text-align:left;white-space:nowrap"`
	b.WriteString("<thead><tr>")
	for _, h := range t.Header {
		b.WriteString(`<th ` + cell + `>` + html.EscapeString(h) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range t.Rows {
		if r.Accumulate {
			b.WriteString(`<tr class="accumulate" style="background:#fff3d6">`)
		} else {
			b.WriteString("<tr>")
		}
		for _, c := range r.Cells {
			b.WriteString(`<td ` + cell + `>` + html.EscapeString(c) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	return b.String()
}
