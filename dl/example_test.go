package dl_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gradbook/gradbook/dl"
)

func ExampleFromSlice() {
	a := dl.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	fmt.Println(a.Shape(), a.DType())
	fmt.Println(a)
	b := dl.FromSlice([]float64{0.5, 0.25})
	fmt.Println(b.Shape(), b.DType(), b)
	// Output:
	// [2 3] float32
	// [[1 2 3]
	//  [4 5 6]]
	// [2] float64 [ 0.5 0.25]
}

// Broadcasting stretches axes of size 1 (and missing leading axes).
func ExampleTensor_Add_broadcasting() {
	rows := dl.FromSlice([]float32{0, 10}, 2, 1)
	cols := dl.FromSlice([]float32{1, 2, 3})
	fmt.Println(rows.Add(cols))
	// Output:
	// [[ 1  2  3]
	//  [11 12 13]]
}

func ExampleTensor_Backward() {
	w := dl.FromSlice([]float64{1, -2}).SetRequiresGrad(true)
	x := dl.FromSlice([]float64{3, 4})
	loss := w.Mul(x).Sum().Square() // (w·x)² = 25
	loss.Backward()
	fmt.Println(loss.Item(), w.Grad()) // 2(w·x)·x
	// Output:
	// 25 [-30 -40]
}

// Gradients accumulate until cleared, as in PyTorch.
func ExampleTensor_ZeroGrad() {
	x := dl.Scalar(3).Named("x")
	x.Square().Backward()
	x.Square().Backward()
	fmt.Println(x.Grad())
	x.ZeroGrad()
	x.Square().Backward()
	fmt.Println(x.Grad())
	// Output:
	// 12
	// 6
}

func ExampleJVP() {
	f := func(in ...*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{in[0].Sin().Mul(in[0])} }
	x := dl.Float64.Scalar(2)
	_, tangents := dl.JVP(f, []*dl.Tensor{x}, []*dl.Tensor{dl.Float64.Scalar(1)})
	fmt.Printf("d/dx x·sin x at 2 = %.6f\n", tangents[0].Item()) // sin 2 + 2 cos 2
	// Output:
	// d/dx x·sin x at 2 = 0.077004
}

func ExampleNoGrad() {
	w := dl.Scalar(2).Named("w")
	var y *dl.Tensor
	dl.NoGrad(func() { y = w.Mul(w) })
	fmt.Println(y, y.RequiresGrad())
	// Output:
	// 4 false
}

func ExampleCatch() {
	a, b := dl.Zeros(3, 4), dl.Zeros(5, 2)
	err := dl.Catch(func() { a.MatMul(b) })
	fmt.Println(err)
	// Output:
	// dl: MatMul: shapes [3 4] and [5 2] do not match (4 != 5)
}

func ExampleGradCheck() {
	rng := rand.New(rand.NewPCG(1, 1))
	w := dl.Float64.Randn(rng, 3, 2).Named("W")
	x := dl.Float64.Randn(rng, 4, 3).Named("x")
	report := dl.GradCheck(func(in ...*dl.Tensor) *dl.Tensor {
		return in[1].MatMul(in[0]).Tanh().LogSoftmax(1)
	}, w, x)
	fmt.Println(report.OK())
	// Output:
	// true
}

func ExampleTensor_MatMul() {
	a := dl.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	v := dl.FromSlice([]float32{1, 1})
	fmt.Println(a.MatMul(a))
	fmt.Println(a.MatMul(v)) // a vector operand drops its axis
	// Output:
	// [[ 7 10]
	//  [15 22]]
	// [3 7]
}

func ExampleTensor_Softmax() {
	logits := dl.FromSlice([]float64{1, 2, 3, 1000, 1000, 1000}, 2, 3)
	fmt.Println(logits.Softmax(1))
	fmt.Println(logits.LogSumExp(1))
	// Output:
	// [[0.0900306  0.244728  0.665241]
	//  [ 0.333333  0.333333  0.333333]]
	// [3.40761  1001.1]
}

// Class labels pick the log-probabilities a cross-entropy loss needs.
func ExampleTensor_Gather() {
	logp := dl.FromSlice([]float32{-0.1, -2.3, -3, -1.2, -0.4, -2}, 2, 3)
	labels := dl.Labels(0, 1).Reshape(2, 1)
	fmt.Println(logp.Gather(1, labels).Reshape(-1))
	fmt.Println(dl.OneHot(dl.Labels(2, 0), 3))
	// Output:
	// [-0.1 -0.4]
	// [[0 0 1]
	//  [1 0 0]]
}

func ExampleTensor_Sum() {
	a := dl.Arange(0, 6, 1).Reshape(2, 3)
	fmt.Println(a.Sum(), a.Sum(0), a.SumKeepDim(1).Shape(), a.Max(-1), a.ArgMax(1))
	// Output:
	// 15 [3 5 7] [2 1] [2 5] [2 2]
}
