package cpu

// Gather fills dst (shape, row-major) from src read at
// offset + Σ idx·strides.
func Gather[T Float](dst, src []T, shape, strides []int, offset int) {
	if len(dst) == 0 {
		return
	}
	if allZero(strides) { // one element everywhere: a broadcast scalar
		v := src[offset]
		for i := range dst {
			dst[i] = v
		}
		return
	}
	var w walk1
	w.initStrided(shape, strides)
	n, is := w.inner()
	for o := 0; o < len(dst); o += n {
		p := offset + w.pos()
		d := dst[o : o+n]
		switch is {
		case 1:
			copy(d, src[p:p+n])
		case 0:
			v := src[p]
			for j := range d {
				d[j] = v
			}
		default:
			for j := range d {
				d[j] = src[p+j*is]
			}
		}
		w.next()
	}
}

// ScatterAdd adds src (shape, row-major) into dst at
// offset + Σ idx·strides.
func ScatterAdd[T Float](dst, src []T, shape, strides []int, offset int) {
	if len(src) == 0 {
		return
	}
	var w walk1
	w.initStrided(shape, strides)
	n, is := w.inner()
	for i := 0; i < len(src); i += n {
		p := offset + w.pos()
		s := src[i : i+n]
		switch is {
		case 1:
			d := dst[p : p+n]
			for j, v := range s {
				d[j] += v
			}
		case 0:
			acc := dst[p]
			for _, v := range s {
				acc += v
			}
			dst[p] = acc
		default:
			for j, v := range s {
				dst[p+j*is] += v
			}
		}
		w.next()
	}
}

// allZero reports whether every stride is 0.
func allZero(strides []int) bool {
	for _, s := range strides {
		if s != 0 {
			return false
		}
	}
	return true
}
