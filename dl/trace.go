package dl

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Trace is the evaluation trace of the graph that produced a tensor,
// numbered as in Baydin et al., "Automatic differentiation in machine
// learning: a survey": the n inputs are v₋ₙ₊₁ … v₀ in the order they were
// created, and every op is vᵢ (i = 1, 2, …) in evaluation order. Of the
// evaluation orders, the trace takes the one the survey's tables use: each
// op as early as its inputs allow (level by level), ties in the order the
// ops ran. Constants (tensors that need no gradient) appear inline, by name
// or value.
//
// Primal, Adjoint and Tangent render the three sweeps as tables; the
// numbers are recomputed from the recorded graph, so a trace can be shown
// before or after Backward and does not touch any Grad.
type Trace struct {
	y      *Tensor
	inputs []*Tensor       // variables, in creation order
	ops    []*Tensor       // op results, in evaluation order
	index  map[*Tensor]int // Baydin index of inputs and ops
	digits int
}

// defaultDigits reproduces the lecture's tables.
const defaultDigits = 3

// TraceOf returns the evaluation trace of the graph that produced y.
func TraceOf(y *Tensor) *Trace {
	tr := &Trace{y: y, index: map[*Tensor]int{}, digits: defaultDigits}
	for _, t := range graphOf(y) {
		switch {
		case t.node != nil:
			tr.ops = append(tr.ops, t)
		case t.requiresGrad || t == y:
			tr.inputs = append(tr.inputs, t)
		}
	}
	for i, t := range tr.inputs {
		tr.index[t] = i - len(tr.inputs) + 1
	}
	// graphOf gives creation order, so inputs' levels are known in time.
	level := map[*Tensor]int{}
	for _, t := range tr.ops {
		for _, in := range t.node.inputs {
			level[t] = max(level[t], level[in]+1)
		}
	}
	slices.SortStableFunc(tr.ops, func(a, b *Tensor) int { return level[a] - level[b] })
	for i, t := range tr.ops {
		tr.index[t] = i + 1
	}
	return tr
}

// Digits returns a copy of the trace that shows values rounded to n digits
// after the point (trailing zeros dropped); 3 is the default and reproduces
// the lecture. Values too small for n digits show n significant digits.
func (tr *Trace) Digits(n int) *Trace {
	if n < 0 || n > 17 {
		panicf("Trace.Digits", "digits %d is not in [0, 17]", n)
	}
	c := *tr
	c.digits = n
	return &c
}

// Inputs returns the trace's inputs v₋ₙ₊₁ … v₀.
func (tr *Trace) Inputs() []*Tensor { return append([]*Tensor(nil), tr.inputs...) }

// Label returns how the trace names t: "v₋₁", "v₃", or, for a tensor that
// is not a node of the trace (a constant), its name or value.
func (tr *Trace) Label(t *Tensor) string {
	if i, ok := tr.index[t]; ok {
		return "v" + subscript(i)
	}
	if t.name != "" {
		return prettyName(t.name)
	}
	if t.Len() == 1 {
		return tr.num(t.at(0))
	}
	return fmt.Sprintf("const%v", t.shape)
}

// String renders the primal and adjoint tables.
func (tr *Trace) String() string { return tr.Primal().String() + "\n" + tr.Adjoint().String() }

// Primal returns the forward primal trace: each input with its value, then
// each vᵢ with its definition, the values substituted and the result.
func (tr *Trace) Primal() *Table {
	t := &Table{Title: "Forward primal trace", Header: []string{"node", "definition", "with values", "value"}}
	for _, in := range tr.inputs {
		def := ""
		if in.name != "" {
			def = "= " + prettyName(in.name)
		}
		t.Rows = append(t.Rows, TableRow{Cells: []string{tr.Label(in), def, "", "= " + tr.summary(in)}})
	}
	for _, v := range tr.ops {
		n := v.node
		labels := tr.templateLabels(v, n.inputs, tr.Label)
		t.Rows = append(t.Rows, TableRow{Cells: []string{tr.Label(v), "= " + tr.withAttr(fill(n.op.def, labels), n.attr),
			tr.substituted(n.op.def, v), "= " + tr.summary(v)}})
	}
	t.Rows = append(t.Rows, TableRow{Cells: []string{tr.outputName(), "= " + tr.Label(tr.y), "", "= " + tr.summary(tr.y)}})
	return t
}

// Adjoint returns the reverse adjoint trace in the order the sweep runs:
// ȳ = 1 first, then for each op from the last to the first, one row per
// input that needs a gradient with its chain-rule term; a row that adds to
// an adjoint already started is shown as an accumulation. The inputs'
// adjoints (the gradient) close the table.
func (tr *Trace) Adjoint() *Table {
	t := &Table{Title: "Reverse adjoint trace", Header: []string{"adjoint", "chain rule", "local derivative", "value"}}
	y := tr.y
	seed := y.dtype.Ones(y.shape...)
	adj := map[*Tensor]*Tensor{y: seed}
	t.Rows = append(t.Rows, TableRow{Cells: []string{bar(tr.Label(y)), "= " + bar(tr.outputName()), "", "= " + tr.summary(seed)}})
	inRules(func() {
		for i := len(tr.ops) - 1; i >= 0; i-- {
			v := tr.ops[i]
			g := adj[v]
			if g == nil {
				continue
			}
			n := v.node
			contribs := n.vjp(g)
			for j, c := range contribs {
				in := n.inputs[j]
				if c == nil || !in.RequiresGrad() {
					continue
				}
				lhs, out := bar(tr.Label(in)), bar(tr.Label(v))
				chain := out + " ∂" + tr.Label(v) + "/∂" + tr.Label(in)
				local := fill(n.op.adj[j], tr.templateLabels(v, n.inputs, tr.Label))
				if n.op.broadcasts && !slices.Equal(in.shape, v.shape) {
					local += fmt.Sprintf(", summed to %v", in.shape)
				}
				row := TableRow{}
				if prev := adj[in]; prev != nil {
					adj[in] = prev.Add(c)
					row.Accumulate = true
					chain = lhs + " + " + chain
					local = lhs + " + " + local
				} else {
					adj[in] = c
				}
				row.Cells = []string{lhs, "= " + chain, "= " + local, "= " + tr.summary(adj[in])}
				t.Rows = append(t.Rows, row)
			}
		}
	})
	for _, in := range tr.inputs {
		if in.name == "" {
			continue
		}
		g := adj[in]
		if g == nil {
			g = in.like(in.Shape())
		}
		t.Rows = append(t.Rows, TableRow{Cells: []string{bar(prettyName(in.name)), "= " + bar(tr.Label(in)), "", "= " + tr.summary(g)}})
	}
	return t
}

// Tangent returns the forward tangent trace seeded with ẋ = 1 (all ones
// for a tensor x) and 0 for the other inputs: each v̇ᵢ with its rule, the
// values substituted and the result; ẏ is ∂y/∂x (its sum with x's
// elements for tensors). x must be one of the trace's inputs.
func (tr *Trace) Tangent(x *Tensor) *Table {
	if i, ok := tr.index[x]; !ok || i > 0 {
		panicf("Trace.Tangent", "tensor of shape %v is not an input of this trace", x.shape)
	}
	t := &Table{Title: "Forward tangent trace", Header: []string{"tangent", "rule", "with values", "value"}}
	tan := map[*Tensor]*Tensor{}
	for _, in := range tr.inputs {
		if in == x {
			tan[in] = in.dtype.Ones(in.shape...)
		} else {
			tan[in] = in.like(in.Shape())
		}
		def := ""
		if in.name != "" {
			def = "= " + dot(prettyName(in.name))
		}
		t.Rows = append(t.Rows, TableRow{Cells: []string{dot(tr.Label(in)), def, "", "= " + tr.summary(tan[in])}})
	}
	inRules(func() {
		for _, v := range tr.ops {
			n := v.node
			ts := make([]*Tensor, len(n.inputs))
			for j, in := range n.inputs {
				ts[j] = tan[in]
				if ts[j] == nil {
					ts[j] = in.like(in.Shape())
				}
			}
			tan[v] = n.jvp(ts)
			labels := tr.templateLabels(v, n.inputs, tr.Label)
			subst := ""
			if allScalar(v, n.inputs) {
				vals := tr.templateLabels(v, n.inputs, tr.value)
				for j := range n.inputs {
					vals["d"+itoa(j)] = tr.value(ts[j])
				}
				subst = "= " + tr.tangentRule(n, vals)
			}
			t.Rows = append(t.Rows, TableRow{Cells: []string{dot(tr.Label(v)), "= " + tr.tangentRule(n, labels), subst, "= " + tr.summary(tan[v])}})
		}
	})
	t.Rows = append(t.Rows, TableRow{Cells: []string{dot(tr.outputName()), "= " + dot(tr.Label(tr.y)), "", "= " + tr.summary(tan[tr.y])}})
	return t
}

// tangentRule writes node n's tangent with the given placeholders: the sum
// of the terms of the inputs that are variables of the trace (a constant's
// tangent is 0), or the op's whole expression with 0 for constants.
func (tr *Trace) tangentRule(n *node, m map[string]string) string {
	isVar := func(j int) bool { _, ok := tr.index[n.inputs[j]]; return ok }
	if len(n.op.tan) != len(n.inputs) {
		for j := range n.inputs {
			if !isVar(j) {
				m["d"+itoa(j)] = "0"
			}
		}
		return fill(n.op.tan[0], m)
	}
	var b strings.Builder
	for j, term := range n.op.tan {
		if term == "" || !isVar(j) {
			continue
		}
		term = fill(term, m)
		switch {
		case b.Len() == 0:
			b.WriteString(term)
		case strings.HasPrefix(term, "−"):
			b.WriteString(" − " + strings.TrimPrefix(term, "−"))
		default:
			b.WriteString(" + " + term)
		}
	}
	return b.String()
}

// outputName is what the tables call the traced output: y, as in the
// survey, unless an input already has that name; then f.
func (tr *Trace) outputName() string {
	for _, in := range tr.inputs {
		if in.name == "y" {
			return "f"
		}
	}
	return "y"
}

// templateLabels maps a template's placeholders to names (or values) for
// node v computed from inputs.
func (tr *Trace) templateLabels(v *Tensor, inputs []*Tensor, name func(*Tensor) string) map[string]string {
	m := map[string]string{"out": name(v), "g": bar(tr.Label(v))}
	for j, in := range inputs {
		m[itoa(j)] = name(in)
		m["d"+itoa(j)] = dot(tr.Label(in))
	}
	return m
}

// substituted is the definition with values in place of labels, when every
// operand is a single number.
func (tr *Trace) substituted(def string, v *Tensor) string {
	if !allScalar(v, v.node.inputs) {
		return ""
	}
	return "= " + fill(def, tr.templateLabels(v, v.node.inputs, tr.value))
}

func allScalar(v *Tensor, inputs []*Tensor) bool {
	for _, in := range inputs {
		if in.Len() != 1 {
			return false
		}
	}
	return v.Len() == 1
}

// value writes a one-element tensor's value for substitution into a
// template: negative values are parenthesised.
func (tr *Trace) value(t *Tensor) string {
	s := tr.num(t.at(0))
	if strings.HasPrefix(s, "−") {
		return "(" + s + ")"
	}
	return s
}

func (tr *Trace) withAttr(s, attr string) string {
	if attr == "" {
		return s
	}
	return s + " (" + attr + ")"
}

func (tr *Trace) summary(t *Tensor) string { return Summarize(t, tr.digits) }

func (tr *Trace) num(v float64) string { return FormatNumber(v, tr.digits) }

// fill replaces {key} in tpl by m[key].
func fill(tpl string, m map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		b.WriteString(tpl[:i])
		b.WriteString(m[tpl[i+1:i+j]])
		tpl = tpl[i+j+1:]
	}
}

var subDigits = []rune("₀₁₂₃₄₅₆₇₈₉")

// subscript writes i with subscript digits: −1 → "₋₁".
func subscript(i int) string {
	var b strings.Builder
	if i < 0 {
		b.WriteRune('₋')
		i = -i
	}
	for _, d := range strconv.Itoa(i) {
		b.WriteRune(subDigits[d-'0'])
	}
	return b.String()
}

// prettyName writes trailing digits of a name as subscripts: x1 → x₁.
func prettyName(name string) string {
	end := len(name)
	for end > 0 && name[end-1] >= '0' && name[end-1] <= '9' {
		end--
	}
	if end == 0 || end == len(name) {
		return name
	}
	n, _ := strconv.Atoi(name[end:])
	if strconv.Itoa(n) != name[end:] {
		return name
	}
	return name[:end] + subscript(n)
}

// bar and dot put the adjoint bar or the tangent dot over a label's base
// (before its subscript): v₋₁ → v̄₋₁, x₁ → ẋ₁.
func bar(label string) string { return mark(label, '\u0304') }
func dot(label string) string { return mark(label, '\u0307') }

func mark(label string, m rune) string {
	runes := []rune(label)
	end := len(runes)
	for end > 0 && isSubscript(runes[end-1]) {
		end--
	}
	if end == 0 {
		return label
	}
	return string(runes[:end]) + string(m) + string(runes[end:])
}

func isSubscript(r rune) bool { return r == '₋' || (r >= '₀' && r <= '₉') }
