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

func TestAssignInPlaceHelpers(t *testing.T) {
	w := FromSlice([]float32{1, 2, 3, 4})
	buf := make([]float64, 2)
	w.ReadFloat64s(1, buf)
	if !slices.Equal(buf, []float64{2, 3}) {
		t.Errorf("ReadFloat64s(1) = %v", buf)
	}
	w.AssignFloat64s(2, []float64{0.1, 0.2})
	if got := w.Float32s(); !slices.Equal(got, []float32{1, 2, 0.1, 0.2}) {
		t.Errorf("after AssignFloat64s: %v", got)
	}
	// θ + α·g in float64, rounded once: float32(1 − 0.1·3) for the first.
	w.AssignAddScaled(-0.1, FromSlice([]float64{3, 3, 3, 3}))
	want := []float32{float32(1 - 0.1*3), float32(2 - 0.1*3), float32(float64(float32(0.1)) - 0.1*3), float32(float64(float32(0.2)) - 0.1*3)}
	if got := w.Float32s(); !slices.Equal(got, want) {
		t.Errorf("after AssignAddScaled: %v, want %v", got, want)
	}
	for _, f := range []func(){
		func() { w.ReadFloat64s(3, buf) },
		func() { w.AssignFloat64s(-1, buf) },
		func() { w.AssignAddScaled(1, Zeros(3)) },
		func() { v := Ones(2).SetRequiresGrad(true); v.Mul(v).AssignFloat64s(0, buf) },
	} {
		if err := Catch(f); err == nil {
			t.Error("bad arguments did not panic")
		}
	}
}
