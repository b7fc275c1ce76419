package dl

import (
	"math"
	"slices"
	"strconv"
)

func itoa(i int) string      { return strconv.Itoa(i) }
func ceil(x float64) float64 { return math.Ceil(x) }

// checkShape copies shape and rejects negative sizes.
func checkShape(op string, shape []int) []int {
	for _, d := range shape {
		if d < 0 {
			panicf(op, "negative dimension in shape %v", shape)
		}
	}
	return slices.Clone(shape)
}

// broadcastShapes returns the NumPy broadcast of a and b.
func broadcastShapes(op string, a, b []int) []int {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			panicf(op, "shapes %v and %v do not broadcast (%d != %d in dimension %d of the result)", a, b, da, db, i)
		}
	}
	return out
}

// normAxis turns a possibly negative axis of a tensor of shape into
// 0..rank-1.
func normAxis(op string, axis int, shape []int) int {
	rank := len(shape)
	if axis < -rank || axis >= rank {
		panicf(op, "axis %d is out of range for shape %v (rank %d)", axis, shape, rank)
	}
	if axis < 0 {
		axis += rank
	}
	return axis
}

// normInsertAxis turns a possibly negative position for a new axis in a
// tensor of shape into 0..rank, as Unsqueeze and Stack take it.
func normInsertAxis(op string, axis int, shape []int) int {
	rank := len(shape) + 1
	if axis < -rank || axis >= rank {
		panicf(op, "axis %d is out of range for inserting into shape %v (valid: %d to %d)", axis, shape, -rank, rank-1)
	}
	if axis < 0 {
		axis += rank
	}
	return axis
}

// normAxes normalises axes; no axes means all of them.
func normAxes(op string, axes []int, shape []int) []bool {
	mask := make([]bool, len(shape))
	if len(axes) == 0 {
		for i := range mask {
			mask[i] = true
		}
		return mask
	}
	for _, a := range axes {
		a = normAxis(op, a, shape)
		if mask[a] {
			panicf(op, "axis %d is given twice for shape %v", a, shape)
		}
		mask[a] = true
	}
	return mask
}
