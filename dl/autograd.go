package dl

import (
	"slices"
	"sync/atomic"
)

// node records how a tensor was computed: the op, its inputs, and the two
// local rules autodiff needs. Backward (reverse mode), traces and graph
// drawings all read this record.
type node struct {
	op     *opDef
	inputs []*Tensor
	attr   string // the op's arguments beyond its inputs, e.g. "axis=1"

	// vjp maps the adjoint of the output to the adjoint contribution of each
	// input (nil where an input gets none).
	vjp func(g *Tensor) []*Tensor
	// jvp maps the tangents of the inputs (zeros where an input has none)
	// to the tangent of the output.
	jvp func(tangents []*Tensor) *Tensor
}

// noGradDepth > 0 turns recording off; see NoGrad. ruleDepth > 0 while
// autodiff's own rules run: then neither graphs nor tangents are made.
var noGradDepth, ruleDepth atomic.Int32

// inRules runs f, an evaluation of autodiff rules, recording nothing.
func inRules(f func()) {
	ruleDepth.Add(1)
	defer ruleDepth.Add(-1)
	f()
}

// NoGrad runs f without recording any graph: ops inside it make plain
// tensors, as in PyTorch's torch.no_grad. The setting is process-wide.
func NoGrad(f func()) {
	noGradDepth.Add(1)
	defer noGradDepth.Add(-1)
	f()
}

// GradEnabled reports whether ops record the graph (false inside NoGrad).
func GradEnabled() bool { return noGradDepth.Load() == 0 && ruleDepth.Load() == 0 }

// SetRequiresGrad marks a leaf tensor as a variable whose gradient Backward
// computes, and returns t.
func (t *Tensor) SetRequiresGrad(on bool) *Tensor {
	if t.node != nil && !on {
		panicf("SetRequiresGrad", "tensor of shape %v was computed by %s; call Detach instead", t.shape, t.node.op.name)
	}
	t.requiresGrad = on
	return t
}

// RequiresGrad reports whether gradients flow back to or through t.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad || t.node != nil }

// IsLeaf reports whether t was made directly rather than computed by an op
// that recorded it.
func (t *Tensor) IsLeaf() bool { return t.node == nil }

// Grad returns the gradient accumulated by Backward, or nil.
func (t *Tensor) Grad() *Tensor { return t.grad }

// ZeroGrad clears the accumulated gradient.
func (t *Tensor) ZeroGrad() { t.grad = nil }

// Op returns the name of the op that computed t, or "" for a leaf.
func (t *Tensor) Op() string {
	if t.node == nil {
		return ""
	}
	return t.node.op.name
}

// Inputs returns the tensors t was computed from (nil for a leaf).
func (t *Tensor) Inputs() []*Tensor {
	if t.node == nil {
		return nil
	}
	return slices.Clone(t.node.inputs)
}

// record attaches the history of out when an input needs a gradient, and
// computes out's tangent when an input carries one (forward mode).
func record(out *Tensor, op *opDef, inputs []*Tensor, attr string,
	vjp func(g *Tensor) []*Tensor, jvp func(tangents []*Tensor) *Tensor) *Tensor {
	needGrad, needTangent := false, false
	for _, in := range inputs {
		needGrad = needGrad || in.requiresGrad || in.node != nil
		needTangent = needTangent || in.tangent != nil
	}
	if ruleDepth.Load() > 0 {
		return out
	}
	if needGrad && noGradDepth.Load() == 0 {
		out.node = &node{op: op, inputs: inputs, attr: attr, vjp: vjp, jvp: jvp}
	}
	if needTangent {
		ts := make([]*Tensor, len(inputs))
		for i, in := range inputs {
			ts[i] = in.tangent
			if ts[i] == nil {
				ts[i] = in.like(slices.Clone(in.shape))
			}
		}
		inRules(func() { out.tangent = jvp(ts) })
	}
	return out
}

// Backward computes the gradient of t with respect to every variable it
// depends on and adds it to that variable's Grad, as PyTorch's backward.
// A one-element t needs no seed; otherwise pass the seed (the adjoint of t),
// a tensor of t's shape. The graph is kept: calling Backward again adds the
// gradients again.
func (t *Tensor) Backward(seed ...*Tensor) {
	if !t.RequiresGrad() {
		panicf("Backward", "tensor of shape %v does not depend on any tensor that requires a gradient (name an input or call SetRequiresGrad(true))", t.shape)
	}
	var g *Tensor
	switch {
	case len(seed) > 1:
		panicf("Backward", "want at most one seed, got %d", len(seed))
	case len(seed) == 1:
		g = seed[0]
		if !slices.Equal(g.shape, t.shape) {
			panicf("Backward", "seed of shape %v does not match the output's shape %v", g.shape, t.shape)
		}
		g = g.AsType(t.dtype).Detach()
	case t.Len() != 1:
		panicf("Backward", "output of shape %v is not a scalar; pass a seed of that shape", t.shape)
	default:
		g = t.dtype.Ones(t.shape...)
	}
	inRules(func() {
		for tensor, grad := range adjoints(t, g) {
			if tensor.node == nil && tensor.requiresGrad {
				if tensor.grad == nil {
					tensor.grad = grad.Clone() // its own values: adjoints may share the seed's or each other's
				} else {
					tensor.grad = tensor.grad.Add(grad)
				}
			}
		}
	})
}

// graphOf returns every tensor t depends on through recorded ops, t included,
// in creation order (which is an evaluation order).
func graphOf(t *Tensor) []*Tensor {
	seen := map[*Tensor]bool{}
	var all []*Tensor
	stack := []*Tensor{t}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		all = append(all, x)
		if x.node != nil {
			stack = append(stack, x.node.inputs...)
		}
	}
	slices.SortFunc(all, func(a, b *Tensor) int { return compareID(a.id, b.id) })
	return all
}

func compareID(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// adjoints runs the reverse sweep from t seeded with g and returns the
// adjoint of every tensor that needs one. Call it inside NoGrad.
func adjoints(t, g *Tensor) map[*Tensor]*Tensor {
	order := graphOf(t)
	adj := map[*Tensor]*Tensor{t: g}
	for i := len(order) - 1; i >= 0; i-- {
		x := order[i]
		gx := adj[x]
		if x.node == nil || gx == nil {
			continue
		}
		for j, c := range x.node.vjp(gx) {
			in := x.node.inputs[j]
			if c == nil || !in.RequiresGrad() {
				continue
			}
			if prev := adj[in]; prev != nil {
				adj[in] = prev.Add(c)
			} else {
				adj[in] = c
			}
		}
	}
	return adj
}

// JVP evaluates f at inputs in forward mode and returns its outputs and
// their directional derivatives along tangents (one per input, same shapes),
// as jax.jvp. Nothing is recorded for backward.
func JVP(f func(inputs ...*Tensor) []*Tensor, inputs, tangents []*Tensor) (outputs, outTangents []*Tensor) {
	if len(inputs) != len(tangents) {
		panicf("JVP", "%d inputs but %d tangents", len(inputs), len(tangents))
	}
	dual := make([]*Tensor, len(inputs))
	for i, in := range inputs {
		if !slices.Equal(in.shape, tangents[i].shape) {
			panicf("JVP", "tangent %d of shape %v does not match its input's shape %v", i, tangents[i].shape, in.shape)
		}
		dual[i] = in.Detach()
		dual[i].tangent = tangents[i].AsType(in.dtype).Detach()
	}
	outputs = f(dual...)
	outTangents = make([]*Tensor, len(outputs))
	for i, out := range outputs {
		outTangents[i] = out.tangent
		if outTangents[i] == nil {
			outTangents[i] = out.like(slices.Clone(out.shape))
		}
		out.tangent = nil
	}
	return outputs, outTangents
}
