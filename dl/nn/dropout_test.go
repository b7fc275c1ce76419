package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

func TestDropout(t *testing.T) {
	x := dl.Ones(100, 100)
	Seed(5)
	d := Dropout(0.25)
	y := d.Forward(x).Float64s()
	zeros := 0
	for _, v := range y {
		switch v {
		case 0:
			zeros++
		case float64(float32(1 / 0.75)):
		default:
			t.Fatalf("output value %v is neither 0 nor 1/(1−p)", v)
		}
	}
	if frac := float64(zeros) / float64(len(y)); math.Abs(frac-0.25) > 0.02 {
		t.Errorf("dropped %.3f of the values, want about 0.25", frac)
	}

	// Same seed, same construction order: same masks.
	Seed(5)
	same := Dropout(0.25).Forward(x).Float64s()
	if !slices.Equal(y, same) {
		t.Errorf("the same seed gave different masks")
	}
	// A later call draws a fresh mask.
	if again := d.Forward(x).Float64s(); slices.Equal(y, again) {
		t.Errorf("two training passes used the same mask")
	}
	// Other draws from the package generator after the layer is made do
	// not change its masks.
	Seed(5)
	d2 := Dropout(0.25)
	Linear(10, 10)
	if !slices.Equal(d2.Forward(x).Float64s(), y) {
		t.Errorf("making another layer changed the dropout mask")
	}

	// Evaluation mode is the identity.
	d.SetTraining(false)
	if out := d.Forward(x); out != x {
		t.Errorf("eval mode changed the input")
	}
	if Dropout(0).Forward(x) != x {
		t.Errorf("Dropout(0) changed the input")
	}
	if s := Dropout(1).Forward(x).Sum().Item(); s != 0 {
		t.Errorf("Dropout(1) kept a sum of %v", s)
	}

	// The gradient is the mask.
	Seed(6)
	w := dl.Ones(3, 4).SetRequiresGrad(true)
	out := Dropout(0.5).Forward(w)
	out.Sum().Backward()
	if !slices.Equal(w.Grad().Float64s(), out.Float64s()) {
		t.Errorf("gradient %v is not the mask %v", w.Grad(), out)
	}
	for _, p := range []float64{-0.1, 1.5, math.NaN()} {
		if err := dl.Catch(func() { Dropout(p) }); err == nil {
			t.Errorf("Dropout(%v) did not panic", p)
		}
	}
}
