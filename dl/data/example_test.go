package data_test

import (
	"fmt"

	"github.com/gradbook/gradbook/dl/data"
)

// A Dataset holds inputs X and targets Y; Split shuffles with a seed.
func ExampleDataset() {
	iris := data.Iris()
	fmt.Println(iris)
	fmt.Println(iris.Classes)
	train, test := iris.Split(0.2, 1)
	fmt.Println(train.Len(), test.Len())
	fmt.Println(test.Y.Shape(), test.Y.At(0) == float64(int(test.Y.At(0))))
	// Output:
	// iris: 150 samples, X [150 4] float32, Y [150] float32, 3 classes
	// [setosa versicolor virginica]
	// 120 30
	// [30] true
}

// MNIST's embedded 1000-image sample, padded to 32×32 for LeNet.
func ExampleMNISTSample() {
	ds := data.MNISTSample(data.Pad(2))
	fmt.Println(ds)
	fmt.Println("first labels:", ds.Y.Slice(0, 0, 5).Float32s())
	fmt.Println("border pixel:", ds.X.At(0, 0, 0, 0))
	// Output:
	// mnist-sample: 1000 samples, X [1000 1 32 32] float32, Y [1000] float32, 10 classes
	// first labels: [7 2 1 0 4]
	// border pixel: 0
}

// A Loader yields an epoch's mini-batches in a range loop, shuffled anew
// each epoch.
func ExampleLoader() {
	ds := data.MNISTSample(data.Limit(100))
	loader := data.NewLoader(ds, 32, data.Shuffle(1))
	fmt.Println(loader.Len(), "batches per epoch")
	for x, y := range loader.Epoch() {
		fmt.Println(x.Shape(), y.Shape())
	}
	loader = data.NewLoader(ds, 32, data.DropLast())
	fmt.Println(loader.Len(), "batches with DropLast")
	// Output:
	// 4 batches per epoch
	// [32 1 28 28] [32]
	// [32 1 28 28] [32]
	// [32 1 28 28] [32]
	// [4 1 28 28] [4]
	// 3 batches with DropLast
}

// The TensorFlow Playground's spiral: two arms, labels 0 and 1 for the
// Playground's −1 and +1.
func ExampleSpiral() {
	ds := data.Spiral(500, 0.1, 7)
	fmt.Println(ds)
	ones := 0
	for _, v := range ds.Y.Float32s() {
		ones += int(v)
	}
	fmt.Println(ones, "points of class 1 (+1),", ds.Len()-ones, "of class 0 (-1)")
	// Output:
	// spiral: 500 samples, X [500 2] float32, Y [500] float32, 2 classes
	// 250 points of class 1 (+1), 250 of class 0 (-1)
}

// The Playground's four classification sets and two regression sets.
func ExampleCircle() {
	for _, ds := range []*data.Dataset{
		data.Circle(500, 0, 1), data.XOR(500, 0, 1), data.Gaussians(500, 0, 1), data.Spiral(500, 0, 1),
		data.Plane(1200, 0, 1), data.MultiGaussian(1200, 0, 1),
	} {
		fmt.Println(ds)
	}
	circle := data.Circle(500, 0, 1)
	for i := range 3 {
		fmt.Printf("(%6.3f, %6.3f) label %v\n", circle.X.At(i, 0), circle.X.At(i, 1), circle.Y.At(i))
	}
	// Output:
	// circle: 500 samples, X [500 2] float32, Y [500] float32, 2 classes
	// xor: 500 samples, X [500 2] float32, Y [500] float32, 2 classes
	// gaussians: 500 samples, X [500 2] float32, Y [500] float32, 2 classes
	// spiral: 500 samples, X [500 2] float32, Y [500] float32, 2 classes
	// plane: 1200 samples, X [1200 2] float32, Y [1200 1] float32
	// multi-gaussian: 1200 samples, X [1200 2] float32, Y [1200 1] float32
	// (-0.261,  0.216) label 1
	// (-3.793, -0.214) label 0
	// ( 1.633, -0.170) label 1
}
