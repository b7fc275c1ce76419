package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gradbook/gradbook/dl"
)

// SummaryTable is what Summary returns: a dl.Table (so it renders as
// Markdown and HTML too) of the layers, their output shapes and their
// parameter counts, and the total.
type SummaryTable struct {
	dl.Table
	Params int // the total number of trainable values
}

// String renders the table as aligned text with a header line and the
// parameter counts aligned on the right.
func (s *SummaryTable) String() string {
	t := dl.Table{Title: s.Title}
	rows := append([]dl.TableRow{{Cells: s.Header}}, s.Rows...)
	last := len(s.Header) - 1
	width := 0
	for _, r := range rows {
		width = max(width, len([]rune(r.Cells[last])))
	}
	for _, r := range rows {
		cells := slices.Clone(r.Cells)
		cells[last] = strings.Repeat(" ", width-len([]rune(cells[last]))) + cells[last]
		t.Rows = append(t.Rows, dl.TableRow{Cells: cells})
	}
	return t.String()
}

// Summary tabulates the layers of m with their output shapes and numbers
// of parameters, and the total with thousands separators, as Keras's
// model.summary() or torchinfo:
//
//	fmt.Print(nn.Summary(net, 1, 32, 32)) // LeNet: 81,194 parameters
//
// inputShape is the shape of one input, without the batch axis; shapes
// show the batch axis as N. Without it, the shapes come from the input
// a Builder knows, or from a first Linear layer's size; failing those,
// the table has no shape column. The layers of nested Sequentials and
// Residual blocks are listed under their own rows, indented. Shapes are
// inferred without running the net, except for modules of other packages,
// which run once on zeros.
func Summary(m Module, inputShape ...int) *SummaryTable {
	in := knownInput(m, inputShape)
	s := &summarizer{shapes: in != nil}
	title := "Summary of " + describeShort(m)
	if seq, ok := m.(sequence); ok {
		s.addAll("", 0, seq.layers(), in)
	} else {
		s.add("", 0, m, in)
	}
	if in != nil {
		title += ", input " + shapeN(in)
	}
	total := CountParams(m)
	header := []string{"name", "layer", "output shape", "params"}
	totalRow := []string{"", "total", "", thousands(total)}
	if !s.shapes {
		header = slices.Delete(header, 2, 3)
		totalRow = slices.Delete(totalRow, 2, 3)
	}
	s.rows = append(s.rows, dl.TableRow{Cells: totalRow})
	return &SummaryTable{Table: dl.Table{Title: title, Header: header, Rows: s.rows}, Params: total}
}

// sequence is a module made of layers in a row: Sequential and Builder.
type sequence interface {
	layers() []Module
}

// knownInput returns the full input shape (batch axis batchN) for Summary.
func knownInput(m Module, given []int) []int {
	switch {
	case len(given) > 0:
		return append([]int{batchN}, given...)
	case isBuilder(m):
		return append([]int{batchN}, m.(*Builder).in...)
	}
	if seq, ok := m.(sequence); ok && len(seq.layers()) > 0 {
		m = seq.layers()[0]
	}
	if l, ok := m.(*LinearLayer); ok {
		return []int{batchN, l.In}
	}
	return nil
}

func isBuilder(m Module) bool { _, ok := m.(*Builder); return ok }

type summarizer struct {
	rows   []dl.TableRow
	shapes bool
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// addAll adds rows for layers applied in a row to inputs of shape in and
// returns the output shape (nil when unknown).
func (s *summarizer) addAll(prefix string, depth int, layers []Module, in []int) []int {
	for i, l := range layers {
		in = s.add(join(prefix, fmt.Sprint(i)), depth, l, in)
	}
	return in
}

// add adds the row of m (and of the layers inside it) and returns its
// output shape.
func (s *summarizer) add(name string, depth int, m Module, in []int) []int {
	at := len(s.rows)
	s.rows = append(s.rows, dl.TableRow{})
	var out []int
	switch c := m.(type) {
	case sequence:
		out = s.addAll(name, depth+1, c.layers(), in)
	case *ResidualModule:
		if seq, ok := c.Block.(sequence); ok { // its layers go right under the Residual
			s.addAll(join(name, "block"), depth+1, seq.layers(), in)
		} else {
			s.add(join(name, "block"), depth+1, c.Block, in)
		}
		if in != nil {
			out = summaryShape(name, c, in)
		}
	default:
		if in != nil {
			out = summaryShape(name, m, in)
		}
	}
	cells := []string{name, strings.Repeat("  ", depth) + describeShort(m)}
	if s.shapes {
		cells = append(cells, shapeN(out))
	}
	s.rows[at] = dl.TableRow{Cells: append(cells, thousands(CountParams(m)))}
	return out
}

// summaryShape is shapeOf with the layer's name added to a panic.
func summaryShape(name string, m Module, in []int) []int {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*dl.Error); ok {
				panic(&dl.Error{Op: "nn.Summary", Msg: fmt.Sprintf("layer %s: %s", name, strings.TrimPrefix(e.Error(), "dl: "))})
			}
			panic(r)
		}
	}()
	return shapeOf(m, in)
}

// describeShort is a one-line description: a layer's String, or the type
// of a container.
func describeShort(m Module) string {
	switch m.(type) {
	case *SequentialModule, *Builder:
		return "Sequential"
	case *ResidualModule:
		return "Residual"
	}
	d := describe(m)
	if i := strings.IndexByte(d, '\n'); i >= 0 {
		d = strings.TrimSuffix(d[:i], "(")
	}
	return d
}
