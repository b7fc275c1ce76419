package dl

import (
	"cmp"
	"slices"
	"sync/atomic"
)

// node records how a tensor was computed: the op, its inputs, and the two
// local rules autodiff needs. Backward (reverse mode), traces and graph
// drawings all read this record.
type node struct {
	op     *opDef
	inputs []*Tensor
	attr   string     // the op's arguments beyond its inputs, e.g. "axis=1"
	in     [3]*Tensor // inputs' storage for ops with up to three

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

// tracking reports whether an op on these inputs records anything: a node
// for backward (an input needs a gradient and recording is on) or a
// tangent (an input carries one). Ops check it before they build their
// rules, so that an op nothing records allocates no closures. Nil inputs
// (an absent bias) are skipped.
func tracking(inputs ...*Tensor) bool {
	if ruleDepth.Load() > 0 {
		return false
	}
	grad := noGradDepth.Load() == 0
	for _, in := range inputs {
		if in != nil && (in.tangent != nil || grad && (in.requiresGrad || in.node != nil)) {
			return true
		}
	}
	return false
}

// record attaches the history of out when an input needs a gradient, and
// computes out's tangent when an input carries one (forward mode).
//
// The rules are pure: vjp returns, per input, a new tensor or a view of g
// (never a tensor of the forward pass or one it keeps, never a part of g),
// and neither rule changes its arguments, with one exception: when g is
// consumable (a dead adjoint of the reverse sweep), a rule with one input
// may write its contribution over g and return g. Backward relies on this
// to accumulate adjoints in place, to recycle dead adjoints, and to hand a
// fresh adjoint to a leaf as its Grad without a copy.
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
		n := &node{op: op, attr: attr, vjp: vjp, jvp: jvp}
		if len(inputs) <= len(n.in) {
			n.inputs = n.in[:len(inputs):len(inputs)]
			copy(n.inputs, inputs)
		} else {
			n.inputs = slices.Clone(inputs)
		}
		out.node = n
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
//
// A variable's Grad after Backward is a tensor of its own: it shares values
// with no other tensor, and later calls never change it in place (a second
// Backward makes a new tensor holding the sum), so a Grad taken earlier
// keeps its values. Backward keeps its working state on the tensors of the
// graph: sweeps of graphs that share variables must not run concurrently
// (they would race on the variables' Grad in any case).
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
		g = g.To(t.Device())
	case t.Len() != 1:
		panicf("Backward", "output of shape %v is not a scalar; pass a seed of that shape", t.shape)
	default:
		g = fullOn(t.backend(), t.dtype, 1, slices.Clone(t.shape))
	}
	ruleDepth.Add(1)
	defer ruleDepth.Add(-1)
	backward(t, g)
}

// backwardGen numbers the reverse sweeps; a tensor's mark says which sweep
// last visited it.
var backwardGen atomic.Uint64

// backward runs the reverse sweep from t seeded with g and adds the
// adjoints of the variables to their Grad. The adjoints live on the
// tensors (adj) during the sweep and are cleared as it goes.
func backward(t, g *Tensor) {
	var buf [32]*Tensor
	order := sweepOrder(t, buf[:0])
	t.adj, t.adjOwned = g, false
	defer func() { // also when a rule panics: leave no adjoints behind
		for _, x := range order {
			x.adj = nil
		}
	}()
	for _, x := range order {
		gx := x.adj
		if x.node == nil || gx == nil {
			continue
		}
		owned := x.adjOwned
		x.adj = nil
		// An adjoint the sweep made is dead once x's rule has run: the
		// rule may write its result over it, and unless a contribution
		// shares its values, its buffer is recycled.
		gx.consumable = owned
		contribs := x.node.vjp(gx)
		gx.consumable = false
		shared := false
		for j, c := range contribs {
			in := x.node.inputs[j]
			if c == nil || !in.RequiresGrad() {
				continue
			}
			shared = shared || dataAddr(c) == dataAddr(gx)
			accumulate(in, c, fresh(c, j, contribs, gx, x, owned))
		}
		if owned && !shared {
			release(gx)
		}
	}
	for _, x := range order {
		if x.node != nil || !x.requiresGrad || x.adj == nil {
			continue
		}
		switch {
		case x.grad != nil:
			x.grad = x.grad.Add(x.adj)
		case x.adjOwned:
			x.grad = x.adj
		default:
			x.grad = x.adj.Clone() // its own values: the adjoint shares the seed's or another's
		}
	}
}

// sweepOrder appends to order t and every tensor it depends on that needs
// a gradient, latest first (creation order reversed: each tensor comes after
// every tensor computed from it), with their adjoints cleared.
func sweepOrder(t *Tensor, order []*Tensor) []*Tensor {
	gen := backwardGen.Add(1)
	order = append(order, t)
	t.mark, t.adj = gen, nil
	for i := 0; i < len(order); i++ {
		x := order[i]
		if x.node == nil {
			continue
		}
		for _, in := range x.node.inputs {
			if in.mark != gen && in.RequiresGrad() {
				in.mark, in.adj = gen, nil
				order = append(order, in)
			}
		}
	}
	slices.SortFunc(order, func(a, b *Tensor) int { return cmp.Compare(b.id, a.id) })
	return order
}

// fresh reports whether c, the adjoint contribution for input j of x's op,
// shares its values with nothing else the sweep can see: not with the
// other contributions, x or its inputs, and not with the adjoint gx it was
// computed from unless that was the sweep's own (gxOwned) and dies now.
// Such a contribution may be changed in place and recycled.
func fresh(c *Tensor, j int, contribs []*Tensor, gx, x *Tensor, gxOwned bool) bool {
	p := dataAddr(c)
	if p == nil || p == dataAddr(x) {
		return false
	}
	for k, o := range contribs {
		if k != j && o != nil && dataAddr(o) == p {
			return false
		}
	}
	for _, in := range x.node.inputs {
		if dataAddr(in) == p {
			return false
		}
	}
	if p == dataAddr(gx) {
		return gxOwned
	}
	return true
}

// dataAddr returns the address of t's storage, or nil when t is empty.
func dataAddr(t *Tensor) *byte { return t.data.addr() }

// accumulate adds the contribution c to in's adjoint, in place when the
// adjoint so far is the sweep's own.
func accumulate(in, c *Tensor, cFresh bool) {
	prev := in.adj
	switch {
	case prev == nil:
		in.adj, in.adjOwned = c, cFresh
	case prev.dtype != c.dtype || !slices.Equal(prev.shape, c.shape):
		in.adj, in.adjOwned = prev.Add(c), true
	case in.adjOwned:
		addInto(prev, c)
	case cFresh:
		addInto(c, prev) // addition commutes exactly: c + prev = prev + c
		in.adj, in.adjOwned = c, true
	default:
		in.adj, in.adjOwned = prev.Add(c), true
	}
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
	slices.SortFunc(all, func(a, b *Tensor) int { return cmp.Compare(a.id, b.id) })
	return all
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
