package nn

import (
	"math"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// nnClose reports whether got and want agree to tol elementwise.
func nnClose(t *testing.T, what string, got []float64, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d values %v, want %d %v", what, len(got), got, len(want), want)
		return
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol || math.IsNaN(got[i]) {
			t.Errorf("%s: got %v, want %v", what, got, want)
			return
		}
	}
}

// BatchNorm1d on x = [[1 2] [3 6]]: per feature the batch mean is [2 4], the
// biased variance [1 4] (normalising) and the unbiased one [2 8] (running).
func TestBatchNorm1dByHand(t *testing.T) {
	bn := ToDType(BatchNorm1d(2), dl.Float64)
	bn.Weight.Assign(dl.FromSlice([]float64{2, 3}))
	bn.Bias.Assign(dl.FromSlice([]float64{1, -1}))
	x := dl.FromSlice([]float64{1, 2, 3, 6}, 2, 2)
	eps := 1e-5

	y := bn.Forward(x)
	a, b := 1/math.Sqrt(1+eps), 2/math.Sqrt(4+eps) // |x − μ|/√(σ² + ε) per feature
	nnClose(t, "training output", y.Float64s(), []float64{-2*a + 1, -3*b - 1, 2*a + 1, 3*b - 1}, 1e-12)
	nnClose(t, "running_mean after 1", bn.RunningMean.Float64s(), []float64{0.2, 0.4}, 1e-12)
	nnClose(t, "running_var after 1", bn.RunningVar.Float64s(), []float64{0.9 + 0.2, 0.9 + 0.8}, 1e-12)
	nnClose(t, "num_batches_tracked", bn.NumBatchesTracked.Float64s(), []float64{1}, 0)

	bn.Forward(x)
	nnClose(t, "running_mean after 2", bn.RunningMean.Float64s(), []float64{0.38, 0.76}, 1e-12)
	nnClose(t, "running_var after 2", bn.RunningVar.Float64s(), []float64{1.19, 2.33}, 1e-12)
	nnClose(t, "num_batches_tracked", bn.NumBatchesTracked.Float64s(), []float64{2}, 0)

	// Evaluation uses the running statistics and leaves them alone.
	bn.SetTraining(false)
	y = bn.Forward(dl.FromSlice([]float64{1, 2}, 1, 2))
	nnClose(t, "eval output", y.Float64s(), []float64{
		(1-0.38)/math.Sqrt(1.19+eps)*2 + 1,
		(2-0.76)/math.Sqrt(2.33+eps)*3 - 1,
	}, 1e-12)
	nnClose(t, "running_mean in eval", bn.RunningMean.Float64s(), []float64{0.38, 0.76}, 1e-12)
	nnClose(t, "num_batches_tracked in eval", bn.NumBatchesTracked.Float64s(), []float64{2}, 0)
	if y.RequiresGrad() != true {
		t.Errorf("eval output does not depend on the parameters")
	}
}

// BatchNorm2d takes statistics over the batch and both spatial axes.
func TestBatchNorm2dByHand(t *testing.T) {
	bn := ToDType(BatchNorm2d(2), dl.Float64)
	// Channel 0 holds 1…8 (mean 4.5, biased variance 5.25, unbiased 6);
	// channel 1 holds 10 everywhere (variance 0).
	x := dl.FromSlice([]float64{1, 2, 3, 4, 10, 10, 10, 10, 5, 6, 7, 8, 10, 10, 10, 10}, 2, 2, 2, 2)
	y := bn.Forward(x)
	s := math.Sqrt(5.25 + 1e-5)
	want := []float64{}
	for n := 0; n < 2; n++ {
		for i := 1; i <= 4; i++ {
			want = append(want, (float64(n*4+i)-4.5)/s)
		}
		want = append(want, 0, 0, 0, 0)
	}
	nnClose(t, "training output", y.Float64s(), want, 1e-12)
	nnClose(t, "running_mean", bn.RunningMean.Float64s(), []float64{0.45, 1}, 1e-12)
	nnClose(t, "running_var", bn.RunningVar.Float64s(), []float64{0.9 + 0.6, 0.9}, 1e-12)

	// Batch statistics and running ones give different outputs.
	bn.SetTraining(false)
	z := bn.Forward(x)
	if math.Abs(z.At(0, 0, 0, 0)-y.At(0, 0, 0, 0)) < 0.1 {
		t.Errorf("eval output %v is the training output %v", z.At(0, 0, 0, 0), y.At(0, 0, 0, 0))
	}
	nnClose(t, "eval output", []float64{z.At(0, 0, 0, 0), z.At(1, 1, 1, 1)},
		[]float64{(1 - 0.45) / math.Sqrt(1.5+1e-5), (10 - 1) / math.Sqrt(0.9+1e-5)}, 1e-12)
}

func TestBatchNormFloat32AndModes(t *testing.T) {
	bn := BatchNorm1d(3)
	if !bn.Training() {
		t.Errorf("a new BatchNorm is not in training mode")
	}
	x := dl.FromSlice([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 3, 2) // [N C L]
	y := bn.Forward(x)
	if y.DType() != dl.Float32 || len(y.Shape()) != 3 {
		t.Errorf("output %v %v", y.DType(), y.Shape())
	}
	// Channel 0 holds 1 2 7 8: mean 4.5.
	nnClose(t, "running_mean", bn.RunningMean.Float64s(), []float64{0.45, 0.65, 0.85}, 1e-6)
	net := Sequential(Linear(3, 3), Residual(Sequential(bn, Dropout(0.5))))
	net.SetTraining(false)
	if bn.Training() || net.Layers[1].(*ResidualModule).Block.(*SequentialModule).Layers[1].(*DropoutLayer).Training() {
		t.Errorf("SetTraining(false) did not reach the layers inside")
	}
	err := dl.Catch(func() { BatchNorm1d(3).Forward(dl.Ones(1, 3)) })
	want := "dl: nn.BatchNorm1d(3): input of shape [1 3] has 1 value per channel; training needs more than 1"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	// In evaluation mode one example is fine.
	b := BatchNorm1d(3)
	b.SetTraining(false)
	nnClose(t, "eval of a fresh layer", b.Forward(dl.Ones(1, 3)).Float64s(), []float64{1, 1, 1}, 1e-5)
}

func TestBatchNormStateDict(t *testing.T) {
	net := Sequential(Conv2d(1, 4, 3, NoBias()), BatchNorm2d(4), ReLU())
	var names []string
	for _, n := range net.StateDict() {
		names = append(names, n.Name)
	}
	want := []string{"0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"}
	if len(names) != len(want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("names %v, want %v", names, want)
		}
	}
	if ps := net.Parameters(); len(ps) != 3 {
		t.Errorf("%d parameters, want 3 (conv weight, γ, β)", len(ps))
	}
	if n := net.StateDict()[5].Tensor; n.Rank() != 0 || n.RequiresGrad() {
		t.Errorf("num_batches_tracked has shape %v, requires grad %v", n.Shape(), n.RequiresGrad())
	}
}
