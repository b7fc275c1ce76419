package viz

import (
	"fmt"
	"strings"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/nn"
)

// Model is what the pictures of a network need: a forward pass from a
// batch of inputs to a batch of outputs. Every nn.Module is one; a
// function is one through ModelFunc.
type Model interface {
	Forward(x *dl.Tensor) *dl.Tensor
}

// ModelFunc makes a function a Model, e.g. the lecture's hand-written
// network: viz.ModelFunc(net.Predict).
type ModelFunc func(x *dl.Tensor) *dl.Tensor

// Forward calls f.
func (f ModelFunc) Forward(x *dl.Tensor) *dl.Tensor { return f(x) }

// layersOf returns the top-level layers of a Sequential or a Builder, and
// nil for any other model.
func layersOf(m Model) []nn.Module {
	switch v := m.(type) {
	case *nn.SequentialModule:
		return v.Layers
	case *nn.Builder:
		return v.Layers()
	}
	return nil
}

// stage is one layer of a network as the lecture counts them: a layer with
// weights (Linear, Conv2d, a Residual block) and the layers without
// weights that follow it (activation, pooling, BatchNorm, Dropout).
type stage struct {
	layers []nn.Module
	act    string // the name of its last activation ("Tanh"), or ""
}

// stagesOf groups layers into stages.
func stagesOf(layers []nn.Module) []stage {
	var out []stage
	for _, l := range layers {
		if len(out) == 0 || weighted(l) && stageWeighted(out[len(out)-1]) {
			out = append(out, stage{})
		}
		s := &out[len(out)-1]
		s.layers = append(s.layers, l)
		if a, ok := l.(*nn.ActivationLayer); ok {
			s.act = a.Name()
		}
	}
	return out
}

func stageWeighted(s stage) bool {
	for _, l := range s.layers {
		if weighted(l) {
			return true
		}
	}
	return false
}

// weighted reports whether a module has a weight matrix or filter bank
// (a parameter with two or more axes).
func weighted(m nn.Module) bool { return len(weightsOf(m)) > 0 }

func weightsOf(m nn.Module) []*dl.Tensor {
	var ws []*dl.Tensor
	for _, p := range m.Parameters() {
		if p.Rank() >= 2 {
			ws = append(ws, p)
		}
	}
	return ws
}

// label describes a stage briefly: "Linear 2→8, Tanh".
func (s stage) label() string {
	var parts []string
	for _, l := range s.layers {
		switch v := l.(type) {
		case *nn.LinearLayer:
			parts = append(parts, fmt.Sprintf("Linear %d→%d", v.In, v.Out))
		case *nn.Conv2dLayer:
			parts = append(parts, fmt.Sprintf("Conv %d→%d", v.In, v.Out))
		case *nn.ActivationLayer:
			parts = append(parts, v.Name())
		case *nn.ResidualModule:
			parts = append(parts, "Residual")
		case *nn.BatchNormLayer:
			parts = append(parts, "BatchNorm")
		case *nn.DropoutLayer:
			parts = append(parts, "Dropout")
		default:
			s := fmt.Sprint(l)
			if i := strings.IndexByte(s, '('); i > 0 {
				s = s[:i]
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// params returns the stage's parameters.
func (s stage) params() []*dl.Tensor {
	var ps []*dl.Tensor
	for _, l := range s.layers {
		ps = append(ps, l.Parameters()...)
	}
	return ps
}

// forward runs x through the stage.
func (s stage) forward(x *dl.Tensor) *dl.Tensor {
	for _, l := range s.layers {
		x = l.Forward(x)
	}
	return x
}

// inEvalMode runs f with the model in evaluation mode when that can be
// undone: when the model has BatchNorm layers, whose mode can be read, it
// is switched to evaluation and back. Without them the mode is left alone
// (an activation map of a model with Dropout in training mode is then
// noisy, but the caller's training is not disturbed).
func inEvalMode(m Model, f func()) {
	mod, ok := m.(nn.Module)
	bn := findBatchNorm(m)
	if !ok || bn == nil || !bn.Training() {
		f()
		return
	}
	mod.SetTraining(false)
	defer mod.SetTraining(true)
	f()
}

func findBatchNorm(m Model) *nn.BatchNormLayer {
	switch v := m.(type) {
	case *nn.BatchNormLayer:
		return v
	case *nn.ResidualModule:
		return findBatchNorm(v.Block)
	}
	for _, l := range layersOf(m) {
		if b := findBatchNorm(l); b != nil {
			return b
		}
	}
	return nil
}
