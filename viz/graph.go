package viz

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/gradbook/gradbook/dl"
)

// GraphDrawing is the compute graph of a tensor drawn as SVG; Graph makes
// one.
type GraphDrawing struct {
	svg   string
	nodes int
}

// Graph draws the compute graph that produced y, left to right: a box for
// every value (inputs blue, the output orange) holding its value and its
// adjoint v̄ = ∂y/∂v, and a circle for every operation between its inputs
// and its result. Values are numbered as dl.TraceOf(y) numbers them (v₋₁,
// v₀ for the inputs, v₁, v₂, … for the operations), so the drawing and the
// trace tables read together; the numbers are the trace's too (Digits
// changes them there). Constants appear as grey boxes. Hovering over a
// circle shows its definition. The drawing is plain SVG made here, no
// Graphviz needed.
func Graph(y *dl.Tensor) *GraphDrawing {
	return graphOf(dl.TraceOf(y), y)
}

// SVG returns the drawing as a standalone SVG document.
func (g *GraphDrawing) SVG() string { return g.svg }

// Save writes the drawing to an .svg file.
func (g *GraphDrawing) Save(path string) error {
	if !strings.HasSuffix(strings.ToLower(path), ".svg") {
		return fmt.Errorf("viz: Save %s: a graph is saved as .svg", path)
	}
	return writeFileAtomic(path, []byte(g.svg))
}

// String describes the drawing in one line.
func (g *GraphDrawing) String() string { return fmt.Sprintf("compute graph: %d nodes", g.nodes) }

func (g *GraphDrawing) baseName() string { return "graph" }

// gnode is a box (a value or a constant) or a circle (an op) of the
// drawing.
type gnode struct {
	t        *dl.Tensor
	op       bool // the circle of t's op
	constant bool
	lines    []string // a box's text: header, value, adjoint
	symbol   string   // a circle's text
	title    string   // hover text
	col      int
	order    float64 // position in its column, for sorting
	seq      int     // creation order, the tie-break
	preds    []*gnode
	x, y     float64 // centre
	w, h     float64
	kind     string // "input", "output", "value", "constant", "op"
}

// Layout constants, in pixels.
const (
	gFont    = 12.0
	gCharW   = 0.602 * gFont // DejaVu Sans Mono's advance
	gLineH   = 16.0
	gPadX    = 9.0
	gPadY    = 6.0
	gColGap  = 34.0
	gRowGap  = 16.0
	gOpR     = 15.0
	gMargin  = 14.0
	gFooterH = 22.0
)

func graphOf(tr *dl.Trace, y *dl.Tensor) *GraphDrawing {
	values := map[string]string{} // label → value, from the primal table
	defs := map[string]string{}   // label → definition
	for _, r := range tr.Primal().Rows {
		if len(r.Cells) >= 4 {
			values[r.Cells[0]] = strings.TrimPrefix(r.Cells[3], "= ")
			defs[r.Cells[0]] = strings.TrimPrefix(r.Cells[1], "= ")
		}
	}
	adjoints := map[string]string{} // adjoint label → its final value
	for _, r := range tr.Adjoint().Rows {
		if len(r.Cells) >= 4 {
			adjoints[r.Cells[0]] = strings.TrimPrefix(r.Cells[3], "= ")
		}
	}

	// Collect the graph from y, in creation order.
	var all []*dl.Tensor
	seen := map[*dl.Tensor]bool{}
	var visit func(t *dl.Tensor)
	visit = func(t *dl.Tensor) {
		if seen[t] {
			return
		}
		seen[t] = true
		for _, in := range t.Inputs() {
			visit(in)
		}
		all = append(all, t)
	}
	visit(y)

	level := map[*dl.Tensor]int{}
	for _, t := range all { // inputs come before their uses
		l := 0
		for _, in := range t.Inputs() {
			l = max(l, level[in]+1)
		}
		level[t] = l
	}
	var nodes []*gnode
	box := map[*dl.Tensor]*gnode{}
	for i, t := range all {
		label := tr.Label(t)
		n := &gnode{t: t, col: 2 * level[t], seq: 2 * i}
		switch {
		case !t.RequiresGrad():
			n.constant, n.kind = true, "constant"
			n.lines = []string{label}
			if t.Len() > 1 {
				n.lines = []string{dl.Summarize(t, 3)}
				if t.Name() != "" {
					n.lines = []string{t.Name(), dl.Summarize(t, 3)}
				}
			}
			n.title = "constant " + strings.Join(n.lines, " ")
		default:
			n.kind = "value"
			head := label
			if t.IsLeaf() {
				n.kind = "input"
				if d := defs[label]; d != "" {
					head += " = " + d
				}
			}
			if t == y {
				n.kind = "output"
				head += " = y"
			}
			v := values[label]
			if v == "" {
				v = dl.Summarize(t, 3)
			}
			n.lines = []string{head, v}
			if a, ok := adjoints[adjointLabel(label)]; ok {
				n.lines = append(n.lines, adjointLabel(label)+" = "+a)
			}
			n.title = label
			if d := defs[label]; d != "" {
				n.title += " = " + d
			}
		}
		box[t] = n
		nodes = append(nodes, n)
	}
	// Constants sit in the column before the first op that uses them.
	for _, t := range all {
		for _, in := range t.Inputs() {
			if c := box[in]; c.constant && c.col != 2*level[t]-2 {
				c.col = 2*level[t] - 2
			}
		}
	}
	// A circle for each op, just before its result.
	for _, t := range all {
		if len(t.Inputs()) == 0 {
			continue
		}
		label := tr.Label(t)
		op := &gnode{t: t, op: true, kind: "op", col: box[t].col - 1, seq: box[t].seq - 1, symbol: opSymbol(t.Op())}
		op.title = t.Op()
		if d := defs[label]; d != "" {
			op.title = label + " = " + d
		}
		for _, in := range t.Inputs() {
			op.preds = append(op.preds, box[in])
		}
		box[t].preds = []*gnode{op}
		nodes = append(nodes, op)
	}
	for _, n := range nodes {
		n.measure()
	}
	count := len(nodes)
	// An edge that spans columns passes through a waypoint in each column
	// between, so that ordering the columns also routes it around boxes.
	seq := 2 * len(all)
	for _, n := range slices.Clone(nodes) {
		for i, p := range n.preds {
			prev := p
			for c := p.col + 1; c < n.col; c++ {
				d := &gnode{kind: "waypoint", col: c, seq: seq, preds: []*gnode{prev}, h: 6}
				seq++
				nodes = append(nodes, d)
				prev = d
			}
			n.preds[i] = prev
		}
	}
	cols := arrange(nodes)
	return &GraphDrawing{svg: renderGraph(nodes, cols), nodes: count}
}

// adjointLabel turns v₃ into v̄₃.
func adjointLabel(label string) string {
	if strings.HasPrefix(label, "v") {
		return "v̄" + label[1:]
	}
	return label
}

// textWidth estimates the width of monospace text in pixels: combining
// marks (the bar of v̄) take no room.
func textWidth(s string, charW float64) float64 {
	n := 0
	for _, r := range s {
		if !unicode.Is(unicode.Mn, r) {
			n++
		}
	}
	return float64(n) * charW
}

func (n *gnode) measure() {
	if n.op {
		w := textWidth(n.symbol, gCharW) + 12
		n.w, n.h = math.Max(2*gOpR, w), 2*gOpR
		return
	}
	w := 0.0
	for _, l := range n.lines {
		w = math.Max(w, textWidth(l, gCharW))
	}
	n.w = math.Ceil(w + 2*gPadX)
	n.h = float64(len(n.lines))*gLineH + 2*gPadY
}

// arrange places the nodes: columns left to right, each column's nodes
// ordered to keep edges short (a few sweeps of the barycentre heuristic,
// ties broken by trace numbering) and stacked about a common middle. It
// returns the columns' nodes.
func arrange(nodes []*gnode) [][]*gnode {
	maxCol := 0
	for _, n := range nodes {
		maxCol = max(maxCol, n.col)
	}
	cols := make([][]*gnode, maxCol+1)
	for _, n := range nodes {
		cols[n.col] = append(cols[n.col], n)
	}
	succ := map[*gnode][]*gnode{}
	for _, n := range nodes {
		for _, p := range n.preds {
			succ[p] = append(succ[p], n)
		}
	}
	sortCol := func(c []*gnode) {
		slices.SortStableFunc(c, func(a, b *gnode) int {
			if a.order != b.order {
				if a.order < b.order {
					return -1
				}
				return 1
			}
			return a.seq - b.seq
		})
		for i, n := range c {
			n.order = float64(i)
		}
	}
	for _, c := range cols {
		for _, n := range c {
			n.order = float64(n.seq)
		}
		sortCol(c)
	}
	bary := func(n *gnode, next []*gnode) {
		if len(next) == 0 {
			return
		}
		s := 0.0
		for _, m := range next {
			s += m.order
		}
		// A small pull towards the current place keeps ties stable.
		n.order = s/float64(len(next)) + 1e-3*n.order
	}
	for range 3 {
		for _, c := range cols[1:] {
			for _, n := range c {
				bary(n, n.preds)
			}
			sortCol(c)
		}
		for i := len(cols) - 2; i >= 0; i-- {
			for _, n := range cols[i] {
				bary(n, succ[n])
			}
			sortCol(cols[i])
		}
	}
	// Geometry.
	x := gMargin
	height := 0.0
	for _, c := range cols {
		h := 0.0
		for i, n := range c {
			if i > 0 {
				h += gRowGap
			}
			h += n.h
		}
		height = math.Max(height, h)
	}
	for _, c := range cols {
		w, h := 0.0, 0.0
		for i, n := range c {
			w = math.Max(w, n.w)
			if i > 0 {
				h += gRowGap
			}
			h += n.h
		}
		y := gMargin + (height-h)/2
		for _, n := range c {
			n.x, n.y = x+w/2, y+n.h/2
			y += n.h + gRowGap
			if n.kind == "waypoint" {
				n.w = w // an edge crosses the whole column
			}
		}
		if len(c) > 0 {
			x += w + gColGap
		}
	}
	return cols
}

// Colours of the drawing: [fill, stroke] per kind.
var graphColors = map[string][2]string{
	"input":    {"#e7f1f9", "#0877bd"},
	"output":   {"#fdf0e1", "#f59322"},
	"value":    {"#ffffff", "#8a8a8a"},
	"constant": {"#f4f4f4", "#b0b0b0"},
	"op":       {"#f2f2f2", "#6f6f6f"},
}

func renderGraph(nodes []*gnode, cols [][]*gnode) string {
	width, height := 0.0, 0.0
	for _, n := range nodes {
		if n.kind == "waypoint" {
			continue
		}
		width = math.Max(width, n.x+n.w/2)
		height = math.Max(height, n.y+n.h/2)
	}
	width += gMargin
	height += gMargin + gFooterH
	var b strings.Builder
	f := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	fmt.Fprintf(&b, `<?xml version="1.0"?>`+"\n"+`<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="'DejaVu Sans Mono','Liberation Mono',Menlo,Consolas,monospace" font-size="%g">`+"\n",
		f(width), f(height), f(width), f(height), gFont)
	fmt.Fprintf(&b, `<rect width="%s" height="%s" fill="#ffffff"/>`+"\n", f(width), f(height))
	// Edges first, under the nodes.
	b.WriteString(`<g fill="none" stroke="#9a9a9a" stroke-width="1.2">` + "\n")
	var heads strings.Builder
	for _, n := range nodes {
		if n.kind == "waypoint" {
			continue
		}
		for i, p := range n.preds {
			// Follow the waypoints back to the edge's source.
			var way []*gnode
			for p.kind == "waypoint" {
				way = append(way, p)
				p = p.preds[0]
			}
			slices.Reverse(way)
			x0, y0 := p.x+p.w/2, p.y
			x1, y1 := n.x-n.w/2, n.y
			if n.op {
				// Spread the inputs over the circle's left side, in
				// argument order from the top, and end on the circle.
				k := len(n.preds)
				dy := 0.0
				if k > 1 {
					dy = (float64(i) - float64(k-1)/2) * math.Min(9, 2*gOpR/float64(k))
				}
				y1 = n.y + dy
				x1 = n.x - math.Sqrt(math.Max(0, (n.w/2)*(n.w/2)-dy*dy))
			}
			fmt.Fprintf(&b, `<path d="M%s,%s`, f(x0), f(y0))
			px, py := x0, y0
			for _, w := range way {
				wx0, wx1 := w.x-w.w/2, w.x+w.w/2
				mid := (px + wx0) / 2
				fmt.Fprintf(&b, ` C%s,%s %s,%s %s,%s`, f(mid), f(py), f(mid), f(w.y), f(wx0), f(w.y))
				if wx1 > wx0 {
					fmt.Fprintf(&b, ` L%s,%s`, f(wx1), f(w.y))
				}
				px, py = wx1, w.y
			}
			mid := (px + x1) / 2
			fmt.Fprintf(&b, ` C%s,%s %s,%s %s,%s"/>`+"\n", f(mid), f(py), f(mid), f(y1), f(x1-5), f(y1))
			fmt.Fprintf(&heads, `<path d="M%s,%s L%s,%s L%s,%s Z"/>`+"\n", f(x1), f(y1), f(x1-6), f(y1-3.5), f(x1-6), f(y1+3.5))
		}
	}
	b.WriteString("</g>\n")
	b.WriteString(`<g fill="#9a9a9a">` + "\n" + heads.String() + "</g>\n")
	for _, n := range nodes {
		if n.kind == "waypoint" {
			continue
		}
		c := graphColors[n.kind]
		if n.op {
			fmt.Fprintf(&b, `<g><title>%s</title><ellipse cx="%s" cy="%s" rx="%s" ry="%s" fill="%s" stroke="%s" stroke-width="1.2"/>`,
				html.EscapeString(n.title), f(n.x), f(n.y), f(n.w/2), f(n.h/2), c[0], c[1])
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" dominant-baseline="central" fill="#333333">%s</text></g>`+"\n",
				f(n.x), f(n.y+0.5), html.EscapeString(n.symbol))
			continue
		}
		dash := ""
		if n.constant {
			dash = ` stroke-dasharray="3 2"`
		}
		x0, y0 := n.x-n.w/2, n.y-n.h/2
		fmt.Fprintf(&b, `<g><title>%s</title><rect x="%s" y="%s" width="%s" height="%s" rx="4" fill="%s" stroke="%s" stroke-width="1.2"%s/>`,
			html.EscapeString(n.title), f(x0), f(y0), f(n.w), f(n.h), c[0], c[1], dash)
		for i, l := range n.lines {
			color, weight := "#333333", ""
			switch {
			case n.constant:
				color = "#777777"
			case i == 0:
				weight = ` font-weight="bold"`
			case i == 2:
				color = "#b35900" // the adjoint
			}
			fmt.Fprintf(&b, `<text x="%s" y="%s" fill="%s"%s>%s</text>`, f(x0+gPadX), f(y0+gPadY+float64(i)*gLineH+gLineH*0.75), color, weight, html.EscapeString(l))
		}
		b.WriteString("</g>\n")
	}
	fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#777777" font-size="11" font-family="'Liberation Sans',Arial,Helvetica,sans-serif">each box: vᵢ, its value, and its adjoint v̄ᵢ = ∂y/∂vᵢ</text>`+"\n",
		f(gMargin), f(height-gMargin+2))
	b.WriteString("</svg>\n")
	return b.String()
}

// opSymbol is how a circle names an op.
func opSymbol(op string) string {
	if s, ok := opSymbols[op]; ok {
		return s
	}
	return strings.ToLower(op)
}

var opSymbols = map[string]string{
	"Add": "+", "Sub": "−", "Mul": "×", "Div": "/", "Pow": "^", "Neg": "−",
	"Exp": "exp", "Log": "ln", "Sin": "sin", "Cos": "cos", "Tan": "tan", "Tanh": "tanh",
	"Sigmoid": "σ", "ReLU": "relu", "Sqrt": "√", "Abs": "|·|", "Square": "x²", "Erf": "erf",
	"Sum": "Σ", "Mean": "mean", "Max": "max", "Min": "min", "Maximum": "max", "Minimum": "min",
	"MatMul": "@", "Linear": "linear", "Conv2d": "conv", "MaxPool2d": "maxpool", "AvgPool2d": "avgpool",
	"Softmax": "softmax", "LogSoftmax": "logsoftmax", "LogSumExp": "logΣexp",
	"Reshape": "reshape", "BroadcastTo": "bcast", "Permute": "ᵀ", "Slice": "[…]", "Index": "[…]",
	"Gather": "gather", "Concat": "concat", "Where": "where", "AsType": "cast", "Clamp": "clamp",
}
