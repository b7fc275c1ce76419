package dl

import (
	"slices"
	"testing"
)

func TestAssign(t *testing.T) {
	w := FromSlice([]float32{1, 2}).SetRequiresGrad(true)
	w.Assign(Float64.Full(0.5, 2))
	if got := w.Float64s(); !slices.Equal(got, []float64{0.5, 0.5}) || w.DType() != Float32 {
		t.Errorf("after Assign: %v %v", got, w.DType())
	}
	if err := Catch(func() { w.Assign(Zeros(3)) }); err == nil || err.Error() != "dl: Assign: shapes [2] and [3] differ" {
		t.Errorf("got %v", err)
	}
	if err := Catch(func() { w.Mul(w).Assign(Zeros(2)) }); err == nil {
		t.Error("assigning to a computed tensor did not panic")
	}
}
