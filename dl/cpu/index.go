package cpu

// Take writes src[offsets[i]] to dst[i].
func Take[T Float](dst, src []T, offsets []int) {
	for i, o := range offsets {
		dst[i] = src[o]
	}
}

// PutAdd adds src[i] to dst[offsets[i]].
func PutAdd[T Float](dst, src []T, offsets []int) {
	for i, o := range offsets {
		dst[o] += src[i]
	}
}
