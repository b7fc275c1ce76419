package optim_test

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/optim"
)

// SGD with momentum minimizes f(w) = (w − 3)² from w = 0. Each step is
// ZeroGrad, Backward, Step, as in a training loop. The momentum carries w
// past the minimum at first (w ≈ 4.05 at step 20); the swings die out.
func ExampleSGD() {
	w := dl.Float64.Scalar(0).Named("w")
	opt := optim.SGD([]*dl.Tensor{w}, 0.1, optim.Momentum(0.9))
	for step := 1; step <= 150; step++ {
		opt.ZeroGrad()
		loss := w.Sub(dl.Float64.Scalar(3)).Square()
		loss.Backward()
		opt.Step()
		if step <= 3 || step%50 == 0 {
			fmt.Printf("step %3d: w = %.4f\n", step, w.Item())
		}
	}
	// Output:
	// step   1: w = 0.6000
	// step   2: w = 1.6200
	// step   3: w = 2.8140
	// step  50: w = 3.0915
	// step 100: w = 3.0086
	// step 150: w = 2.9989
}

// Preview draws a schedule before training: here a warm-up over 2 steps
// and a cosine decay to 0 at step 8.
func ExamplePreview() {
	for step, lr := range optim.Preview(optim.WarmupCosine(0.1, 2, 8, 0), 10) {
		fmt.Printf("%d:%.4f ", step, lr)
	}
	fmt.Println()
	// Output:
	// 0:0.0000 1:0.0500 2:0.1000 3:0.0933 4:0.0750 5:0.0500 6:0.0250 7:0.0067 8:0.0000 9:0.0000
}

// LectureL2 applies the lecture's regularized gradient D = Δ/n + λΘ to
// the weights and D = Δ/n to the bias.
func ExampleLectureL2() {
	W := dl.FromSlice([]float64{1, -1}, 1, 2).Named("W")
	b := dl.FromSlice([]float64{0.5}).Named("b")
	x := dl.FromSlice([]float64{1, 2, 3, 4}, 2, 2) // n = 2 examples
	loss := x.MatMul(W.T()).Add(b).Mean()          // Δ/n: W (2, 3), b 1
	loss.Backward()
	optim.SGD([]*dl.Tensor{W, b}, 0.1, optim.LectureL2(0.5)).Step()
	fmt.Println("W:", W.Float64s()) // W − 0.1·((2, 3) + 0.5·(1, −1))
	fmt.Println("b:", b.Float64s()) // b − 0.1·1
	// Output:
	// W: [0.75 -1.25]
	// b: [0.4]
}
