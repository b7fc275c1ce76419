package data

import (
	"errors"
	"slices"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

func labelsOf(ds *Dataset) []int {
	var out []int
	for _, v := range ds.Y.Float32s() {
		out = append(out, int(v))
	}
	return out
}

func TestSubsetAndSlice(t *testing.T) {
	ds := indexed(10)
	ds.Classes = []string{"a"}
	sub := ds.Subset([]int{4, 1, 4})
	if !slices.Equal(labelsOf(sub), []int{4, 1, 4}) || !slices.Equal(sub.X.Float32s(), []float32{4, 40, 1, 10, 4, 40}) ||
		sub.Len() != 3 || sub.Name != "indexed" || !slices.Equal(sub.Classes, ds.Classes) {
		t.Errorf("Subset: %v %v", sub, sub.X.Float32s())
	}
	sl := ds.Slice(7, 10)
	if !slices.Equal(labelsOf(sl), []int{7, 8, 9}) || !slices.Equal(sl.X.Shape(), []int{3, 2}) {
		t.Errorf("Slice(7, 10): %v", labelsOf(sl))
	}
	if ds.Slice(3, 3).Len() != 0 {
		t.Error("Slice(3, 3) is not empty")
	}
	// Copies: assigning to the subset leaves the dataset alone.
	sub.X.Assign(dl.Zeros(3, 2))
	if ds.X.At(4, 1) != 40 {
		t.Error("Subset shares values with the dataset")
	}
	// Subsets of subsets of MNIST images keep their shape.
	img := MNISTSample(Limit(20)).Slice(5, 15).Subset([]int{9, 2})
	if !slices.Equal(img.X.Shape(), []int{2, 1, 28, 28}) || !slices.Equal(labelsOf(img), []int{1, 9}) {
		t.Errorf("MNIST subset: %v, labels %v", img, labelsOf(img))
	}
	var empty *Dataset
	if empty.Len() != 0 || (&Dataset{}).Len() != 0 {
		t.Error("Len of an empty dataset")
	}
}

func TestSplit(t *testing.T) {
	ds := Iris()
	train, test := ds.Split(0.2, 1)
	if train.Len() != 120 || test.Len() != 30 || train.Name != "iris (train)" || test.Name != "iris (test)" {
		t.Fatalf("Split(0.2): %v, %v", train, test)
	}
	train2, test2 := ds.Split(0.2, 1)
	if !slices.Equal(train.X.Float32s(), train2.X.Float32s()) || !slices.Equal(test.Y.Float32s(), test2.Y.Float32s()) {
		t.Error("the same seed gave different splits")
	}
	_, test3 := ds.Split(0.2, 2)
	if slices.Equal(test.X.Float32s(), test3.X.Float32s()) {
		t.Error("seeds 1 and 2 gave the same split")
	}
	// Train and test together are the whole set, each sample once.
	idx := indexed(50)
	tr, te := idx.Split(0.3, 9)
	all := append(labelsOf(tr), labelsOf(te)...)
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("split of 50: %v", all)
		}
	}
	if te.Len() != 15 {
		t.Errorf("test part of 50 at 0.3: %d", te.Len())
	}
	if tr, te := idx.Split(0, 1); tr.Len() != 50 || te.Len() != 0 {
		t.Errorf("Split(0): %d and %d", tr.Len(), te.Len())
	}
	if tr, te := idx.Split(1, 1); tr.Len() != 0 || te.Len() != 50 {
		t.Errorf("Split(1): %d and %d", tr.Len(), te.Len())
	}
}

func TestDatasetBadArguments(t *testing.T) {
	ds := indexed(5)
	for name, f := range map[string]func(){
		"Subset(5)":      func() { ds.Subset([]int{5}) },
		"Subset(-1)":     func() { ds.Subset([]int{-1}) },
		"Slice(3, 2)":    func() { ds.Slice(3, 2) },
		"Slice(0, 6)":    func() { ds.Slice(0, 6) },
		"Split(1.5)":     func() { ds.Split(1.5, 1) },
		"Split(NaN)":     func() { ds.Split(nan(), 1) },
		"Split, no Y":    func() { (&Dataset{X: dl.Zeros(3)}).Split(0.5, 1) },
		"Subset, scalar": func() { (&Dataset{X: dl.Scalar(1), Y: dl.Scalar(1)}).Subset(nil) },
	} {
		var e *dl.Error
		if err := dl.Catch(f); !errors.As(err, &e) {
			t.Errorf("%s: %v, want a *dl.Error", name, err)
		}
	}
}
