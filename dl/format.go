package dl

import (
	"strconv"
	"strings"

	"github.com/gradbook/gradbook/dl/cpu"
)

// Printing follows NumPy: nested brackets, columns aligned, and for tensors
// of more than printThreshold elements only the first and last edgeItems
// along each axis, with "…" between.
const (
	printThreshold = 1000
	edgeItems      = 3
)

// String renders t as NumPy does, e.g. "[[1 2]\n [3 4]]"; values have up to
// 6 significant digits.
func (t *Tensor) String() string {
	if t == nil {
		return "<nil>"
	}
	t = hostOf(t) // one copy, not one per element
	if len(t.shape) == 0 {
		return formatValue(t.at(0))
	}
	summarize := t.Len() > printThreshold
	width := 0
	strs := map[int]string{}
	visit(t.shape, 0, 0, summarize, func(i int) {
		s := formatValue(t.at(i))
		strs[i] = s
		width = max(width, len(s))
	})
	var b strings.Builder
	writeNested(&b, t.shape, 0, 0, summarize, width, strs)
	return b.String()
}

// visit calls f with the flat index of every element that is printed.
func visit(shape []int, axis, offset int, summarize bool, f func(int)) {
	if axis == len(shape) {
		f(offset)
		return
	}
	inner := cpu.Numel(shape[axis+1:])
	for _, i := range shownIndices(shape[axis], summarize) {
		if i >= 0 {
			visit(shape, axis+1, offset+i*inner, summarize, f)
		}
	}
}

// shownIndices lists the printed positions along an axis of size n; −1
// marks the ellipsis.
func shownIndices(n int, summarize bool) []int {
	var out []int
	if summarize && n > 2*edgeItems {
		for i := 0; i < edgeItems; i++ {
			out = append(out, i)
		}
		out = append(out, -1)
		for i := n - edgeItems; i < n; i++ {
			out = append(out, i)
		}
		return out
	}
	for i := 0; i < n; i++ {
		out = append(out, i)
	}
	return out
}

func writeNested(b *strings.Builder, shape []int, axis, offset int, summarize bool, width int, strs map[int]string) {
	b.WriteByte('[')
	inner := cpu.Numel(shape[axis+1:])
	for j, i := range shownIndices(shape[axis], summarize) {
		if j > 0 {
			if axis == len(shape)-1 {
				b.WriteByte(' ')
			} else {
				b.WriteString(strings.Repeat("\n", len(shape)-axis-1))
				b.WriteString(strings.Repeat(" ", axis+1))
			}
		}
		switch {
		case i < 0 && axis == len(shape)-1:
			b.WriteString(pad("…", width))
		case i < 0:
			b.WriteString("…")
		case axis == len(shape)-1:
			b.WriteString(pad(strs[offset+i], width))
		default:
			writeNested(b, shape, axis+1, offset+i*inner, summarize, width, strs)
		}
	}
	b.WriteByte(']')
}

func pad(s string, width int) string {
	if n := len([]rune(s)); n < width {
		return strings.Repeat(" ", width-n) + s
	}
	return s
}

// formatValue writes v with up to 6 significant digits, as %g does, but
// without an exponent for ordinary magnitudes.
func formatValue(v float64) string {
	return strconv.FormatFloat(v, 'g', 6, 64)
}
