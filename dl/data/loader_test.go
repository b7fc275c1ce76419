package data

import (
	"errors"
	"slices"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// indexed returns a dataset of n samples whose X rows are [i, 10i] and Y
// the index i.
func indexed(n int) *Dataset {
	x, y := make([]float32, 2*n), make([]float32, n)
	for i := range n {
		x[2*i], x[2*i+1], y[i] = float32(i), float32(10*i), float32(i)
	}
	return &Dataset{Name: "indexed", X: dl.FromSlice(x, n, 2), Y: dl.FromSlice(y, n)}
}

// epoch returns the indices in the order one epoch visits them, and the batch sizes.
func epoch(t *testing.T, l *Loader) (order []int, sizes []int) {
	t.Helper()
	for x, y := range l.Epoch() {
		b := y.Dim(0)
		if !slices.Equal(x.Shape(), []int{b, 2}) {
			t.Fatalf("batch x %v, y %v", x.Shape(), y.Shape())
		}
		for i := range b {
			if x.At(i, 0) != y.At(i) || x.At(i, 1) != 10*y.At(i) {
				t.Fatalf("batch row %d: x %v %v, y %v", i, x.At(i, 0), x.At(i, 1), y.At(i))
			}
			order = append(order, int(y.At(i)))
		}
		sizes = append(sizes, b)
	}
	return order, sizes
}

func TestLoaderBatches(t *testing.T) {
	ds := indexed(10)
	l := NewLoader(ds, 3)
	if l.Len() != 4 || l.BatchSize() != 3 || l.Dataset() != ds {
		t.Errorf("Len %d, BatchSize %d", l.Len(), l.BatchSize())
	}
	order, sizes := epoch(t, l)
	if !slices.Equal(sizes, []int{3, 3, 3, 1}) || !slices.Equal(order, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("sizes %v, order %v", sizes, order)
	}
	l = NewLoader(ds, 3, DropLast())
	if l.Len() != 3 {
		t.Errorf("DropLast: Len %d", l.Len())
	}
	if order, sizes := epoch(t, l); !slices.Equal(sizes, []int{3, 3, 3}) || !slices.Equal(order, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Errorf("DropLast: sizes %v, order %v", sizes, order)
	}
	for _, c := range []struct{ n, b, want, wantDrop int }{{10, 5, 2, 2}, {10, 20, 1, 0}, {0, 4, 0, 0}, {1, 1, 1, 1}} {
		if got := NewLoader(indexed(c.n), c.b).Len(); got != c.want {
			t.Errorf("%d samples, batch %d: Len %d, want %d", c.n, c.b, got, c.want)
		}
		l := NewLoader(indexed(c.n), c.b, DropLast())
		if got := l.Len(); got != c.wantDrop {
			t.Errorf("%d samples, batch %d, DropLast: Len %d, want %d", c.n, c.b, got, c.wantDrop)
		}
		if _, sizes := epoch(t, l); len(sizes) != l.Len() {
			t.Errorf("%d samples, batch %d, DropLast: %d batches, Len %d", c.n, c.b, len(sizes), l.Len())
		}
	}
}

func TestLoaderShuffle(t *testing.T) {
	ds := indexed(100)
	a, b := NewLoader(ds, 8, Shuffle(7)), NewLoader(ds, 8, Shuffle(7))
	var seen [][]int
	for e := range 3 {
		oa, _ := epoch(t, a)
		ob, _ := epoch(t, b)
		if !slices.Equal(oa, ob) {
			t.Errorf("epoch %d: the same seed gave different orders", e)
		}
		sorted := slices.Sorted(slices.Values(oa))
		for i, v := range sorted {
			if v != i {
				t.Fatalf("epoch %d: not every sample once: %v", e, sorted)
			}
		}
		for _, prev := range seen {
			if slices.Equal(prev, oa) {
				t.Errorf("epoch %d repeats an earlier order", e)
			}
		}
		if slices.IsSorted(oa) {
			t.Errorf("epoch %d is not shuffled", e)
		}
		seen = append(seen, oa)
	}
	if a.EpochNumber() != 3 {
		t.Errorf("EpochNumber %d after 3 epochs", a.EpochNumber())
	}
	c := NewLoader(ds, 8, Shuffle(8))
	if oc, _ := epoch(t, c); slices.Equal(oc, seen[0]) {
		t.Error("seeds 7 and 8 gave the same order")
	}
	// SetEpoch replays an epoch; Order tells it in advance.
	a.SetEpoch(1)
	if !slices.Equal(a.Order(1), seen[1]) {
		t.Error("Order(1) is not epoch 1's order")
	}
	if o, _ := epoch(t, a); !slices.Equal(o, seen[1]) {
		t.Error("SetEpoch(1) did not replay epoch 1")
	}
	// Shuffled with DropLast, each epoch leaves out different samples.
	d := NewLoader(indexed(10), 4, Shuffle(1), DropLast())
	o1, _ := epoch(t, d)
	o2, _ := epoch(t, d)
	if len(o1) != 8 || len(o2) != 8 || slices.Equal(o1, o2) {
		t.Errorf("DropLast, shuffled: %v and %v", o1, o2)
	}
}

func TestLoaderBreak(t *testing.T) {
	l := NewLoader(indexed(10), 2)
	n := 0
	for range l.Epoch() {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 || l.EpochNumber() != 1 {
		t.Errorf("%d batches, epoch number %d", n, l.EpochNumber())
	}
}

func TestLoaderCopies(t *testing.T) {
	ds := MNISTSample(Limit(10))
	before := ds.X.Float32s()
	for x, y := range NewLoader(ds, 4).Epoch() {
		x.Assign(dl.Zeros(x.Shape()...))
		y.Assign(dl.Full(3, y.Shape()...))
	}
	if !slices.Equal(ds.X.Float32s(), before) || ds.Y.At(0) != 7 {
		t.Error("changing a batch changed the dataset")
	}
	// And the other way: assigning to the dataset shows in later batches.
	ds.X.Assign(dl.Zeros(ds.X.Shape()...))
	for x := range NewLoader(ds, 4).Epoch() {
		if slices.Max(x.Float32s()) != 0 {
			t.Fatal("a batch does not show the dataset's values")
		}
	}
}

func TestLoaderDTypesAndRegression(t *testing.T) {
	ds := &Dataset{Name: "f64", X: dl.Float64.Arange(0, 12, 1).Reshape(6, 2), Y: dl.Float64.Arange(0, 18, 1).Reshape(6, 3)}
	var got []float64
	for x, y := range NewLoader(ds, 4).Epoch() {
		if x.DType() != dl.Float64 || y.DType() != dl.Float64 || y.Rank() != 2 || y.Dim(1) != 3 || x.Dim(0) != y.Dim(0) {
			t.Fatalf("batch x %v %v, y %v %v", x.Shape(), x.DType(), y.Shape(), y.DType())
		}
		got = append(got, y.Float64s()...)
	}
	if !slices.Equal(got, ds.Y.Float64s()) {
		t.Errorf("targets %v", got)
	}
	reg := Plane(10, 0, 1)
	for _, y := range NewLoader(reg, 4, Shuffle(1)).Epoch() {
		if y.Rank() != 2 || y.Dim(1) != 1 {
			t.Fatalf("regression batch y %v", y.Shape())
		}
	}
}

func TestLoaderBadArguments(t *testing.T) {
	for name, f := range map[string]func(){
		"batch 0":    func() { NewLoader(indexed(3), 0) },
		"nil":        func() { NewLoader(nil, 1) },
		"no Y":       func() { NewLoader(&Dataset{X: dl.Zeros(3, 2)}, 1) },
		"mismatched": func() { NewLoader(&Dataset{X: dl.Zeros(3, 2), Y: dl.Zeros(4)}, 1) },
		"nil option": func() { NewLoader(indexed(3), 1, DropLast(), nil) },
	} {
		var e *dl.Error
		if err := dl.Catch(f); !errors.As(err, &e) {
			t.Errorf("%s: %v, want a *dl.Error", name, err)
		}
	}
}
