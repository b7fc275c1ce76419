package gpu

// Shape arithmetic for the strided kernels, on the host.

// mergeAxes drops the axes of size 1 and merges each axis into the next
// where every operand's strides walk the two as one (stride[i] =
// stride[i+1]·shape[i+1]): a contiguous tensor becomes one axis, a
// row-broadcast bias two. It returns the merged shape and each operand's
// merged strides.
func mergeAxes(shape []int, strides ...[]int) ([]int, [][]int) {
	dims := make([]int, 0, len(shape))
	out := make([][]int, len(strides))
	for i, s := range shape {
		if s == 1 {
			continue
		}
		last := len(dims) - 1
		merge := last >= 0
		for k, st := range strides {
			if merge && out[k][last] != st[i]*s {
				merge = false
			}
		}
		if merge {
			dims[last] *= s
			for k, st := range strides {
				out[k][last] = st[i]
			}
			continue
		}
		dims = append(dims, s)
		for k, st := range strides {
			out[k] = append(out[k], st[i])
		}
	}
	return dims, out
}

// dimArgs passes shape as n int arguments, padded with 1s, after its rank.
func dimArgs(shape []int, n int) []uint64 {
	args := []uint64{i32(len(shape))}
	return append(args, strideArgs(padded(shape, n, 1), n)...)
}

// strideArgs passes s as n int arguments, padded with 0s.
func strideArgs(s []int, n int) []uint64 {
	args := make([]uint64, n)
	for i := range args {
		if i < len(s) {
			args[i] = i32(s[i])
		}
	}
	return args
}

func padded(s []int, n, v int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
		if i < len(s) {
			out[i] = s[i]
		}
	}
	return out
}

// grid3 returns the grid of the 3-D kernels for a merged shape of at most
// three axes: the innermost along x in blocks of threads, the others along
// y and z (at most 65,535 each). A short innermost axis (under 32) would
// leave most of each block idle: the strided kernels take those.
func grid3(dims []int) ([3]uint32, bool) {
	if len(dims) > 3 {
		return [3]uint32{}, false
	}
	d := padFront(dims, 3, 1)
	if d[0] > 65535 || d[1] > 65535 || d[2] < 32 {
		return [3]uint32{}, false
	}
	return [3]uint32{uint32((d[2] + threads - 1) / threads), uint32(d[1]), uint32(d[0])}, true
}

// padFront returns s with v prepended up to n entries.
func padFront(s []int, n, v int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	copy(out[n-len(s):], s)
	return out
}
