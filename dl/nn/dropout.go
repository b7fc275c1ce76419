package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gradbook/gradbook/dl"
)

// DropoutLayer zeroes each input element with probability P during
// training and scales the others by 1/(1 − P), so that the expected value
// is unchanged; in evaluation mode it passes its input through. It is
// PyTorch's nn.Dropout, a remedy for overfitting.
type DropoutLayer struct {
	P float64

	rng      *rand.Rand
	training bool
}

// Dropout returns a dropout layer with drop probability p in [0, 1]. Its
// masks come from a generator of its own, seeded from the package's when
// the layer is made (see Seed): the same seed and the same construction
// order give the same masks.
func Dropout(p float64) *DropoutLayer {
	d := &DropoutLayer{P: p, training: true}
	if !(p >= 0 && p <= 1) {
		panicf(d.String(), "probability %g is not in [0, 1]", p)
	}
	d.rng = childRNG()
	return d
}

// Forward applies a fresh random mask in training mode and is the identity
// in evaluation mode.
func (d *DropoutLayer) Forward(x *dl.Tensor) *dl.Tensor {
	if !d.training || d.P == 0 {
		return x
	}
	return dl.Dropout(x, d.P, d.rng)
}

func (d *DropoutLayer) outputShape(in []int) []int { return append([]int(nil), in...) }

func (d *DropoutLayer) slots() []slot { return nil }

// Parameters returns nothing.
func (d *DropoutLayer) Parameters() []*dl.Tensor { return nil }

// StateDict returns nothing.
func (d *DropoutLayer) StateDict() []Named { return nil }

// SetTraining turns dropping on (true) or off (false).
func (d *DropoutLayer) SetTraining(on bool) { d.training = on }

// Training reports whether the layer is in training mode.
func (d *DropoutLayer) Training() bool { return d.training }

// String describes the layer, e.g. "Dropout(0.5)".
func (d *DropoutLayer) String() string { return fmt.Sprintf("Dropout(%g)", d.P) }
