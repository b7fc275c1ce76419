package nn

import (
	"fmt"
	"slices"

	"github.com/gradbook/gradbook/dl"
)

// slot is a tensor field of a module: its state-dict name, where it lives,
// and whether it is a trainable parameter (else a buffer such as
// BatchNorm's running mean).
type slot struct {
	name  string
	t     **dl.Tensor
	param bool
}

// slotter is implemented by every module of this package: it lists its
// tensor fields in state-dict order, so that the state dict, the parameter
// list and dtype conversion come from one place.
type slotter interface {
	slots() []slot
}

func stateDictOf(ss []slot) []Named {
	var out []Named
	for _, s := range ss {
		if *s.t != nil {
			out = append(out, Named{Name: s.name, Tensor: *s.t})
		}
	}
	return out
}

func parametersOf(ss []slot) []*dl.Tensor {
	var out []*dl.Tensor
	for _, s := range ss {
		if s.param && *s.t != nil {
			out = append(out, *s.t)
		}
	}
	return out
}

// prefixed returns the slots of m under "prefix.name"; it panics for a
// module of another package, whose fields it cannot reach.
func prefixed(op, prefix string, m Module) []slot {
	s, ok := m.(slotter)
	if !ok {
		panicf(op, "module %s (%T) is not one of package nn's, so its tensors cannot be reached", prefix, m)
	}
	out := s.slots()
	for i := range out {
		out[i].name = prefix + "." + out[i].name
	}
	return out
}

// prefixedStateDict returns m's state dict under "prefix.name".
func prefixedStateDict(prefix string, m Module) []Named {
	sd := m.StateDict()
	out := make([]Named, len(sd))
	for i, n := range sd {
		out[i] = Named{Name: prefix + "." + n.Name, Tensor: n.Tensor}
	}
	return out
}

// CountParams returns the number of trainable values in m: the sum of the
// sizes of its parameters.
func CountParams(m Module) int {
	n := 0
	for _, p := range m.Parameters() {
		n += p.Len()
	}
	return n
}

// ToDType converts every parameter and buffer of m to dtype d in place and
// returns m, as PyTorch's module.double() or module.to(dtype): build a layer
// or a net in Float32 (the default) and call ToDType(m, dl.Float64) for
// gradient checks or reference values. Parameters stay trainable; their
// gradients are dropped. Tensors taken from m before the call (Parameters,
// StateDict, an optimizer made from them) still hold the old ones, so convert
// before making an optimizer. m must be made of this package's modules.
func ToDType[M Module](m M, d dl.DType) M {
	s, ok := any(m).(slotter)
	if !ok {
		panicf("ToDType", "module %T is not one of package nn's, so its tensors cannot be reached", m)
	}
	for _, sl := range s.slots() {
		old := *sl.t
		if old == nil || old.DType() == d {
			continue
		}
		var c *dl.Tensor
		dl.NoGrad(func() { c = old.AsType(d) })
		*sl.t = c.SetRequiresGrad(sl.param)
	}
	return m
}

// newTensor returns a tensor of dtype d and the given shape holding vals.
func newTensor(d dl.DType, vals []float64, shape ...int) *dl.Tensor {
	shape = slices.Clone(shape)
	if len(vals) == 0 {
		return d.Zeros(shape...)
	}
	var t *dl.Tensor
	switch d {
	case dl.Float64:
		t = dl.FromSlice(vals)
	default:
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		t = dl.FromSlice(f)
	}
	return t.Reshape(shape...)
}

// thousands writes n with commas between groups of three digits: 81,194.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}
