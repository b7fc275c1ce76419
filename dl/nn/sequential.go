package nn

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/gradbook/gradbook/dl"
)

// SequentialModule applies its layers one after the other, as PyTorch's
// nn.Sequential. Its state-dict names are the layers' names prefixed by
// their position: "0.weight", "0.bias", "3.weight", …
type SequentialModule struct {
	Layers []Module
}

// Sequential returns the composition of layers, applied in order.
func Sequential(layers ...Module) *SequentialModule {
	for i, l := range layers {
		if l == nil || reflect.ValueOf(l).Kind() == reflect.Pointer && reflect.ValueOf(l).IsNil() {
			panicf("Sequential", "layer %d is nil", i)
		}
	}
	return &SequentialModule{Layers: slices.Clone(layers)}
}

// Forward passes x through every layer. A layer's panic (a shape that does
// not fit, say) gets the layer's position added to its message.
func (s *SequentialModule) Forward(x *dl.Tensor) *dl.Tensor {
	return forwardAll("nn.Sequential", s.Layers, x)
}

func forwardAll(op string, layers []Module, x *dl.Tensor) *dl.Tensor {
	i := 0
	defer func() {
		if r := recover(); r != nil {
			rethrow(r, op, i)
		}
	}()
	for i = range layers {
		x = layers[i].Forward(x)
	}
	return x
}

func (s *SequentialModule) outputShape(in []int) []int {
	return shapeAll("nn.Sequential", s.Layers, in)
}

func shapeAll(op string, layers []Module, in []int) []int {
	i := 0
	defer func() {
		if r := recover(); r != nil {
			rethrow(r, op, i)
		}
	}()
	for i = range layers {
		in = shapeOf(layers[i], in)
	}
	return in
}

func (s *SequentialModule) layers() []Module { return s.Layers }

func (s *SequentialModule) slots() []slot {
	var out []slot
	for i, l := range s.Layers {
		out = append(out, prefixed("Sequential", fmt.Sprint(i), l)...)
	}
	return out
}

// Parameters returns the layers' parameters in order.
func (s *SequentialModule) Parameters() []*dl.Tensor {
	var out []*dl.Tensor
	for _, l := range s.Layers {
		out = append(out, l.Parameters()...)
	}
	return out
}

// StateDict returns the layers' state dicts under "i.": "0.weight", ….
func (s *SequentialModule) StateDict() []Named {
	var out []Named
	for i, l := range s.Layers {
		out = append(out, prefixedStateDict(fmt.Sprint(i), l)...)
	}
	return out
}

// SetTraining sets every layer's mode.
func (s *SequentialModule) SetTraining(on bool) {
	for _, l := range s.Layers {
		l.SetTraining(on)
	}
}

// String lists the layers as PyTorch prints a Sequential.
func (s *SequentialModule) String() string { return describeLayers(s.Layers) }

func describeLayers(layers []Module) string {
	var b strings.Builder
	b.WriteString("Sequential(")
	for i, l := range layers {
		fmt.Fprintf(&b, "\n  (%d): %s", i, indent(describe(l)))
	}
	b.WriteString("\n)")
	return b.String()
}

// shaper is implemented by this package's modules: the output shape for
// an input shape (batch axis included), panicking as Forward would when
// the input does not fit.
type shaper interface {
	outputShape(in []int) []int
}

// shapeOf returns the output shape of m for inputs of shape in. For a
// module of another package it runs m on zeros (a batch of in[0], or of 1
// for batchN, without recording a graph), in the dtype of m's first
// parameter.
func shapeOf(m Module, in []int) []int {
	if s, ok := m.(shaper); ok {
		return s.outputShape(in)
	}
	d := dl.Float32
	if ps := m.Parameters(); len(ps) > 0 {
		d = ps[0].DType()
	}
	zeros := slices.Clone(in)
	if len(zeros) > 0 && zeros[0] == batchN {
		zeros[0] = 1
	}
	var out []int
	dl.NoGrad(func() { out = m.Forward(d.Zeros(zeros...)).Shape() })
	if len(in) > 0 && in[0] == batchN && len(out) > 0 {
		out[0] = batchN
	}
	return out
}

// typeName is m's type without package and pointer: "MyNet".
func typeName(m any) string {
	t := reflect.TypeOf(m)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" {
		return fmt.Sprintf("%T", m)
	}
	return t.Name()
}
