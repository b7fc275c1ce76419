package cpu

// maxInlineRank is the rank up to which strided walks keep their index
// vectors on the stack.
const maxInlineRank = 8

// walk1 walks a row-major index space (the shape of a result) while
// tracking one strided position: the element read or written for each
// result element. Axes of size 1 are dropped and adjacent axes that the
// strides walk contiguously are merged, so the innermost run is as long as
// it can be. Usage: init, then for every run of inner() elements read
// pos() and call next().
type walk1 struct {
	rank            int
	shape, strides  []int
	idx             []int
	p               int
	bufS, bufT, buf [maxInlineRank]int
}

// walk2 is walk1 for two operands broadcast together to a result shape.
type walk2 struct {
	rank          int
	shape, sa, sb []int
	idx           []int
	pa, pb        int
	b0, b1, b2    [maxInlineRank]int
	b3            [maxInlineRank]int
}

// initStrided prepares a walk of shape reading at Σ idx·strides.
func (w *walk1) initStrided(shape, strides []int) {
	r := len(shape)
	if r <= maxInlineRank {
		w.shape, w.strides, w.idx = w.bufS[:0], w.bufT[:0], w.buf[:0]
	} else {
		w.shape, w.strides, w.idx = make([]int, 0, r), make([]int, 0, r), make([]int, 0, r)
	}
	for i, d := range shape {
		if d == 1 {
			continue
		}
		s := strides[i]
		if k := len(w.shape) - 1; k >= 0 && w.strides[k] == s*d {
			w.shape[k] *= d
			w.strides[k] = s
			continue
		}
		w.shape = append(w.shape, d)
		w.strides = append(w.strides, s)
	}
	if len(w.shape) == 0 {
		w.shape, w.strides = append(w.shape, 1), append(w.strides, 0)
	}
	w.rank = len(w.shape)
	w.idx = w.idx[:w.rank]
	clear(w.idx)
	w.p = 0
}

// initReduce prepares a walk of the source shape whose position is the
// output element (of keep-dim shape keep) it folds into. It reports false
// when shape is empty.
func (w *walk1) initReduce(shape, keep []int) bool {
	if Numel(shape) == 0 {
		return false
	}
	var buf [maxInlineRank]int
	st := buf[:0]
	if len(keep) > maxInlineRank {
		st = make([]int, 0, len(keep))
	}
	acc := 1
	st = st[:len(keep)]
	for i := len(keep) - 1; i >= 0; i-- {
		if keep[i] == 1 {
			st[i] = 0
		} else {
			st[i] = acc
		}
		acc *= keep[i]
	}
	w.initStrided(shape, st)
	return true
}

// inner returns the length of the innermost run and its stride.
func (w *walk1) inner() (n, stride int) { return w.shape[w.rank-1], w.strides[w.rank-1] }

// pos returns the position of the current run's first element.
func (w *walk1) pos() int { return w.p }

// next moves to the next run.
func (w *walk1) next() {
	for k := w.rank - 2; k >= 0; k-- {
		w.idx[k]++
		w.p += w.strides[k]
		if w.idx[k] < w.shape[k] {
			return
		}
		w.idx[k] = 0
		w.p -= w.strides[k] * w.shape[k]
	}
}

// init prepares the walk of shape reading the operands at Σ idx·as and
// Σ idx·bs (strides of 0 broadcast); it reports false when shape is empty.
func (w *walk2) init(shape, as, bs []int) bool {
	if Numel(shape) == 0 {
		return false
	}
	r := len(shape)
	if r <= maxInlineRank {
		w.shape, w.sa, w.sb, w.idx = w.b0[:0], w.b1[:0], w.b2[:0], w.b3[:0]
	} else {
		w.shape, w.sa, w.sb, w.idx = make([]int, 0, r), make([]int, 0, r), make([]int, 0, r), make([]int, 0, r)
	}
	for i, d := range shape {
		if d == 1 {
			continue
		}
		if k := len(w.shape) - 1; k >= 0 && w.sa[k] == as[i]*d && w.sb[k] == bs[i]*d {
			w.shape[k] *= d
			w.sa[k], w.sb[k] = as[i], bs[i]
			continue
		}
		w.shape = append(w.shape, d)
		w.sa = append(w.sa, as[i])
		w.sb = append(w.sb, bs[i])
	}
	if len(w.shape) == 0 {
		w.shape, w.sa, w.sb = append(w.shape, 1), append(w.sa, 0), append(w.sb, 0)
	}
	w.rank = len(w.shape)
	w.idx = w.idx[:w.rank]
	clear(w.idx)
	w.pa, w.pb = 0, 0
	return true
}

func (w *walk2) inner() (n, sa, sb int) {
	return w.shape[w.rank-1], w.sa[w.rank-1], w.sb[w.rank-1]
}

func (w *walk2) pos() (pa, pb int) { return w.pa, w.pb }

func (w *walk2) next() {
	for k := w.rank - 2; k >= 0; k-- {
		w.idx[k]++
		w.pa += w.sa[k]
		w.pb += w.sb[k]
		if w.idx[k] < w.shape[k] {
			return
		}
		w.idx[k] = 0
		w.pa -= w.sa[k] * w.shape[k]
		w.pb -= w.sb[k] * w.shape[k]
	}
}
