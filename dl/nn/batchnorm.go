package nn

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
)

// BatchNormLayer normalises each channel (feature) to zero mean and unit
// variance and then scales and shifts it by learned γ (Weight) and β (Bias),
// as PyTorch's nn.BatchNorm1d and nn.BatchNorm2d:
//
//	y = (x − μ) / √(σ² + ε) · γ + β
//
// In training mode μ and σ² are the batch's mean and biased variance per
// channel, and the running statistics move towards them:
//
//	running_mean ← (1 − momentum)·running_mean + momentum·μ
//	running_var  ← (1 − momentum)·running_var + momentum·σ²·n/(n − 1)
//
// (the unbiased variance, n values per channel). In evaluation mode the
// running statistics take the place of μ and σ². Normalising keeps the
// inputs of the next layer in a good range, which is one remedy the
// lecture gives for vanishing and exploding gradients.
type BatchNormLayer struct {
	Features int
	Spatial  bool    // BatchNorm2d: input [N C H W]; else [N C] or [N C L]
	Momentum float64 // 0.1
	Eps      float64 // 1e-5

	Weight, Bias      *dl.Tensor // γ and β, [Features]
	RunningMean       *dl.Tensor // [Features]
	RunningVar        *dl.Tensor // [Features]
	NumBatchesTracked *dl.Tensor // a scalar counting the training batches seen

	training bool
}

// BatchNorm1d normalises the features of [N C] or [N C L] inputs.
func BatchNorm1d(features int) *BatchNormLayer { return newBatchNorm(features, false) }

// BatchNorm2d normalises the channels of [N C H W] inputs.
func BatchNorm2d(channels int) *BatchNormLayer { return newBatchNorm(channels, true) }

func newBatchNorm(c int, spatial bool) *BatchNormLayer {
	b := &BatchNormLayer{Features: c, Spatial: spatial, Momentum: 0.1, Eps: 1e-5, training: true}
	if c <= 0 {
		panicf(b.String(), "number of features must be positive")
	}
	b.Weight = dl.Ones(c).SetRequiresGrad(true)
	b.Bias = dl.Zeros(c).SetRequiresGrad(true)
	b.RunningMean = dl.Zeros(c)
	b.RunningVar = dl.Ones(c)
	b.NumBatchesTracked = dl.Scalar(0)
	return b
}

// Forward normalises x with the batch's statistics in training mode (and
// updates the running ones) or with the running statistics in evaluation
// mode.
func (b *BatchNormLayer) Forward(x *dl.Tensor) *dl.Tensor {
	shape := x.Shape()
	b.outputShape(shape)
	checkDType(b, x, b.Weight)
	axes := []int{0}
	for i := 2; i < len(shape); i++ {
		axes = append(axes, i)
	}
	// Per-channel tensors broadcast as [C 1 …] against [N C …].
	pshape := []int{b.Features}
	for i := 2; i < len(shape); i++ {
		pshape = append(pshape, 1)
	}
	per := func(t *dl.Tensor) *dl.Tensor { return t.Reshape(pshape...) }
	eps := x.DType().Scalar(b.Eps)

	var xhat *dl.Tensor
	if b.training {
		n := x.Len() / b.Features
		if n <= 1 {
			panicf(b.String(), "input of shape %v has %d value per channel; training needs more than 1", shape, n)
		}
		mean := x.MeanKeepDim(axes...)
		xc := x.Sub(mean)
		v := xc.Square().MeanKeepDim(axes...)
		xhat = xc.Div(v.Add(eps).Sqrt())
		dl.NoGrad(func() {
			m := b.RunningMean.DType().Scalar(b.Momentum)
			keep := b.RunningMean.DType().Scalar(1 - b.Momentum)
			unbiased := v.Reshape(b.Features).Mul(x.DType().Scalar(float64(n) / float64(n-1)))
			b.RunningMean.Assign(b.RunningMean.Mul(keep).Add(mean.Reshape(b.Features).Mul(m)))
			b.RunningVar.Assign(b.RunningVar.Mul(keep).Add(unbiased.Mul(m)))
			b.NumBatchesTracked.Assign(b.NumBatchesTracked.Add(b.NumBatchesTracked.DType().Scalar(1)))
		})
	} else {
		xhat = x.Sub(per(b.RunningMean)).Div(per(b.RunningVar).Add(eps).Sqrt())
	}
	return xhat.Mul(per(b.Weight)).Add(per(b.Bias))
}

func (b *BatchNormLayer) outputShape(in []int) []int {
	ok := len(in) >= 2 && in[1] == b.Features
	if b.Spatial {
		ok = ok && len(in) == 4
		if !ok {
			panicf(b.String(), "input of shape %s is not [N %d H W]", fmtShape(in), b.Features)
		}
	} else if ok = ok && len(in) <= 3; !ok {
		panicf(b.String(), "input of shape %s is not [N %d] or [N %d L]", fmtShape(in), b.Features, b.Features)
	}
	return append([]int(nil), in...)
}

func (b *BatchNormLayer) slots() []slot {
	return []slot{
		{"weight", &b.Weight, true}, {"bias", &b.Bias, true},
		{"running_mean", &b.RunningMean, false}, {"running_var", &b.RunningVar, false},
		{"num_batches_tracked", &b.NumBatchesTracked, false},
	}
}

// Parameters returns γ (weight) and β (bias).
func (b *BatchNormLayer) Parameters() []*dl.Tensor { return parametersOf(b.slots()) }

// StateDict returns weight, bias, running_mean, running_var and
// num_batches_tracked, in PyTorch's order.
func (b *BatchNormLayer) StateDict() []Named { return stateDictOf(b.slots()) }

// SetTraining chooses batch statistics (true) or running statistics (false).
func (b *BatchNormLayer) SetTraining(on bool) { b.training = on }

// Training reports whether the layer is in training mode.
func (b *BatchNormLayer) Training() bool { return b.training }

// String describes the layer, e.g. "BatchNorm2d(16)".
func (b *BatchNormLayer) String() string {
	if b.Spatial {
		return fmt.Sprintf("BatchNorm2d(%d)", b.Features)
	}
	return fmt.Sprintf("BatchNorm1d(%d)", b.Features)
}
