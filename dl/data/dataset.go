package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gradbook/gradbook/dl"
)

// Dataset is a set of samples: inputs X and targets Y, one sample per index
// of their first axis.
//
// X has shape [n ...]: [n 4] for iris, [n 1 28 28] for MNIST images.
// Y holds class labels as whole numbers in a Float32 tensor of shape [n]
// (the form dl.OneHot and nn's cross-entropy take), or target values of
// shape [n k] for regression. Classes names the classes when they are known
// (Classes[i] is the name of label i); it is nil for regression.
//
// The loaders in this package make X and Y as Float32 tensors. A Dataset
// built by hand may use Float64 as well; Subset, Split and the Loader keep
// the dtype.
type Dataset struct {
	Name    string
	X       *dl.Tensor
	Y       *dl.Tensor
	Classes []string

	// The values of X and Y as the constructors here stored them, so that
	// batches can be copied out without copying the whole set first. They
	// are used only while X and Y are still the tensors they belong to.
	xs, ys storage
}

// storage is a tensor's row-major values, kept next to the tensor they
// belong to.
type storage struct {
	t   *dl.Tensor
	f32 []float32
	f64 []float64
}

// newDataset makes a Dataset from values it owns: the tensors hold x and y
// without copying them.
func newDataset(name string, x []float32, xshape []int, y []float32, yshape []int, classes []string) *Dataset {
	X := dl.FromSlice(x, xshape...)
	Y := dl.FromSlice(y, yshape...)
	return &Dataset{
		Name: name, X: X, Y: Y, Classes: slices.Clone(classes),
		xs: storage{t: X, f32: x}, ys: storage{t: Y, f32: y},
	}
}

// values returns t's values without copying them when s holds them, and a
// copy otherwise.
func (s storage) values(t *dl.Tensor) storage {
	if s.t == t && t != nil {
		return s
	}
	if t.DType() == dl.Float64 {
		return storage{t: t, f64: t.Float64s()}
	}
	return storage{t: t, f32: t.Float32s()}
}

// gatherRows returns a new tensor of t's dtype holding the rows idx of t
// (rows along the first axis), in that order.
func gatherRows(t *dl.Tensor, s storage, idx []int) *dl.Tensor {
	shape := t.Shape()
	row := 1
	for _, d := range shape[1:] {
		row *= d
	}
	shape[0] = len(idx)
	if t.DType() == dl.Float64 {
		out := make([]float64, len(idx)*row)
		for i, r := range idx {
			copy(out[i*row:(i+1)*row], s.f64[r*row:(r+1)*row])
		}
		return dl.FromSlice(out, shape...)
	}
	out := make([]float32, len(idx)*row)
	for i, r := range idx {
		copy(out[i*row:(i+1)*row], s.f32[r*row:(r+1)*row])
	}
	return dl.FromSlice(out, shape...)
}

// Len returns the number of samples.
func (d *Dataset) Len() int {
	if d == nil || d.X == nil {
		return 0
	}
	if d.X.Rank() == 0 {
		return 1
	}
	return d.X.Dim(0)
}

// check panics unless X and Y are there and agree on the number of samples.
func (d *Dataset) check(op string) {
	switch {
	case d.X == nil || d.Y == nil:
		panic(&dl.Error{Op: op, Msg: fmt.Sprintf("dataset %q has no X or no Y", d.Name)})
	case d.X.Rank() == 0 || d.Y.Rank() == 0:
		panic(&dl.Error{Op: op, Msg: fmt.Sprintf("dataset %q: X %v and Y %v need a first axis of samples", d.Name, d.X.Shape(), d.Y.Shape())})
	case d.X.Dim(0) != d.Y.Dim(0):
		panic(&dl.Error{Op: op, Msg: fmt.Sprintf("dataset %q: X %v and Y %v have different numbers of samples", d.Name, d.X.Shape(), d.Y.Shape())})
	}
}

// Subset returns a new Dataset holding copies of the samples at indices, in
// that order (an index may repeat). It panics with a *dl.Error if an index
// is out of range.
func (d *Dataset) Subset(indices []int) *Dataset {
	d.check("data.Subset")
	n := d.Len()
	for _, i := range indices {
		if i < 0 || i >= n {
			panic(&dl.Error{Op: "data.Subset", Msg: fmt.Sprintf("index %d is out of range for %d samples", i, n)})
		}
	}
	xs, ys := d.xs.values(d.X), d.ys.values(d.Y)
	X, Y := gatherRows(d.X, xs, indices), gatherRows(d.Y, ys, indices)
	out := &Dataset{Name: d.Name, X: X, Y: Y, Classes: slices.Clone(d.Classes)}
	out.xs, out.ys = storage{}.values(X), storage{}.values(Y)
	return out
}

// Slice returns a new Dataset holding copies of samples from, from+1, …,
// to−1. It panics with a *dl.Error unless 0 ≤ from ≤ to ≤ Len().
func (d *Dataset) Slice(from, to int) *Dataset {
	d.check("data.Slice")
	if from < 0 || to < from || to > d.Len() {
		panic(&dl.Error{Op: "data.Slice", Msg: fmt.Sprintf("range [%d, %d) is out of range for %d samples", from, to, d.Len())})
	}
	idx := make([]int, to-from)
	for i := range idx {
		idx[i] = from + i
	}
	return d.Subset(idx)
}

// Split shuffles the samples with a generator seeded by seed and returns
// two new Datasets: test holds round(testFraction·Len()) of them and train
// the rest. The same seed gives the same split. It panics with a *dl.Error
// unless 0 ≤ testFraction ≤ 1.
func (d *Dataset) Split(testFraction float64, seed uint64) (train, test *Dataset) {
	d.check("data.Split")
	if !(testFraction >= 0 && testFraction <= 1) {
		panic(&dl.Error{Op: "data.Split", Msg: fmt.Sprintf("test fraction %g is not in [0, 1]", testFraction)})
	}
	n := d.Len()
	nTest := int(math.Round(testFraction * float64(n)))
	perm := rand.New(rand.NewPCG(seed, splitStream)).Perm(n)
	train, test = d.Subset(perm[nTest:]), d.Subset(perm[:nTest])
	train.Name, test.Name = d.Name+" (train)", d.Name+" (test)"
	return train, test
}

// Streams of the PCG generators, so that one seed used for different
// purposes gives unrelated numbers.
const (
	splitStream      = 0x5eed_5971
	shuffleStream    = 0x5aff_1e00_0000_0000 // plus the epoch number
	playgroundStream = 0x5eed_9147
)

// String describes the data set in one line, e.g.
//
//	mnist-test: 1000 samples, X [1000 1 28 28] float32, Y [1000] float32, 10 classes
func (d *Dataset) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d samples", d.Name, d.Len())
	if d.X != nil {
		fmt.Fprintf(&b, ", X %v %v", d.X.Shape(), d.X.DType())
	}
	if d.Y != nil {
		fmt.Fprintf(&b, ", Y %v %v", d.Y.Shape(), d.Y.DType())
	}
	if len(d.Classes) > 0 {
		fmt.Fprintf(&b, ", %d classes", len(d.Classes))
	}
	return b.String()
}
