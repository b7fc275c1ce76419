package cpu

// Numel returns the number of elements of shape.
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Strides returns the row-major strides of shape.
func Strides(shape []int) []int {
	s := make([]int, len(shape))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= shape[i]
	}
	return s
}

// BroadcastStrides returns the strides that read an operand of shape from
// a result of shape out it broadcasts to: 0 along broadcast axes.
func BroadcastStrides(shape, out []int) []int {
	st := make([]int, len(out))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		j := i + len(out) - len(shape)
		if shape[i] != 1 {
			st[j] = acc
		}
		acc *= shape[i]
	}
	return st
}

// ConvShape is the geometry of a convolution or pooling window: input
// [N C H W], window KH×KW, stride, zero padding, output OH×OW.
type ConvShape struct {
	N, C, H, W, KH, KW, Stride, Pad, OH, OW int
}

// ConvOut returns the output size along an axis of size n for a window k
// moved by stride with pad zeros on each side.
func ConvOut(n, k, stride, pad int) int { return (n+2*pad-k)/stride + 1 }

// Rows returns shape seen as [outer n inner] around axis.
func Rows(shape []int, axis int) (outer, n, inner int) {
	return Numel(shape[:axis]), shape[axis], Numel(shape[axis+1:])
}
