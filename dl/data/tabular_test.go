package data

import (
	"slices"
	"testing"
)

func TestIris(t *testing.T) {
	ds := Iris()
	if !slices.Equal(ds.X.Shape(), []int{150, 4}) || !slices.Equal(ds.Y.Shape(), []int{150}) {
		t.Fatalf("X %v, Y %v", ds.X.Shape(), ds.Y.Shape())
	}
	if !slices.Equal(ds.Classes, []string{"setosa", "versicolor", "virginica"}) {
		t.Errorf("classes %q", ds.Classes)
	}
	if got := ds.X.Float32s()[:4]; !slices.Equal(got, []float32{5.1, 3.5, 1.4, 0.2}) {
		t.Errorf("first sample %v", got)
	}
	var count [3]int
	for _, l := range ds.Y.Float32s() {
		count[int(l)]++
	}
	if count != [3]int{50, 50, 50} {
		t.Errorf("samples per class %v", count)
	}
	// Setosa's petals are shorter than 2 cm, the others' longer than 3 cm.
	for i := range 150 {
		if long := ds.X.At(i, 2) > 2.5; long != (ds.Y.At(i) != 0) {
			t.Errorf("sample %d: petal length %v, class %v", i, ds.X.At(i, 2), ds.Y.At(i))
		}
	}
}

func TestDigits(t *testing.T) {
	ds := Digits()
	if !slices.Equal(ds.X.Shape(), []int{1797, 64}) || !slices.Equal(ds.Y.Shape(), []int{1797}) {
		t.Fatalf("X %v, Y %v", ds.X.Shape(), ds.Y.Shape())
	}
	for i, v := range ds.X.Float32s() {
		if v != float32(int(v)) || v < 0 || v > 16 {
			t.Fatalf("pixel %d is %v", i, v)
		}
	}
	var count [10]int
	for _, l := range ds.Y.Float32s() {
		count[int(l)]++
	}
	for d, c := range count {
		if c < 170 || c > 190 {
			t.Errorf("%d samples of digit %d", c, d)
		}
	}
	if len(ds.Classes) != 10 || ds.Y.At(0) != 0 || ds.Y.At(1) != 1 {
		t.Errorf("classes %q, first labels %v %v", ds.Classes, ds.Y.At(0), ds.Y.At(1))
	}
}

func TestReadCSVErrors(t *testing.T) {
	for name, text := range map[string]string{
		"wrong count":  "3,2,a,b\n1,2,0\n",
		"ragged":       "2,2,a,b\n1,2,0\n1,0\n",
		"bad number":   "1,2,a,b\n1,x,0\n",
		"bad label":    "1,2,a,b\n1,2,2\n",
		"no header":    "",
		"few features": "1,3,a,b\n1,2,0\n",
	} {
		if _, err := readCSV("t", stringsReader(text), true); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
