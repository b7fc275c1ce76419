package gpu

import (
	"reflect"
	"testing"
)

func TestMergeAxes(t *testing.T) {
	cases := []struct {
		shape, a, b []int
		dims        []int
		sa, sb      []int
	}{
		// contiguous: one axis
		{[]int{2, 3, 4}, []int{12, 4, 1}, []int{12, 4, 1}, []int{24}, []int{1}, []int{1}},
		// a bias broadcast over rows: two axes
		{[]int{128, 256}, []int{256, 1}, []int{0, 1}, []int{128, 256}, []int{256, 1}, []int{0, 1}},
		// a per-channel bias over [N C H W]: H and W merge
		{[]int{2, 6, 5, 5}, []int{150, 25, 5, 1}, []int{0, 1, 0, 0}, []int{2, 6, 25}, []int{150, 25, 1}, []int{0, 1, 0}},
		// size-1 axes vanish; a scalar broadcast stays one axis
		{[]int{1, 3, 1, 4}, []int{12, 4, 4, 1}, []int{0, 0, 0, 0}, []int{12}, []int{1}, []int{0}},
		// a transpose does not merge
		{[]int{3, 4}, []int{1, 3}, []int{4, 1}, []int{3, 4}, []int{1, 3}, []int{4, 1}},
		// rank 0
		{[]int{}, []int{}, []int{}, []int{}, nil, nil},
	}
	for _, c := range cases {
		dims, st := mergeAxes(c.shape, c.a, c.b)
		if len(dims) != len(c.dims) || len(dims) > 0 && (!reflect.DeepEqual(dims, c.dims) || !reflect.DeepEqual(st[0], c.sa) || !reflect.DeepEqual(st[1], c.sb)) {
			t.Errorf("mergeAxes(%v, %v, %v) = %v %v, want %v %v %v", c.shape, c.a, c.b, dims, st, c.dims, c.sa, c.sb)
		}
	}
}

func TestSumChunks(t *testing.T) {
	for _, c := range []struct{ nout, nred, sms, want int }{
		{6, 128 * 676, 132, 42}, // LeNet's first bias: 6 outputs of 86,528 elements
		{6, 1000, 132, 1},       // too few elements to split
		{120, 1024, 132, 1},     // a Linear bias: enough outputs
		{1, 1 << 20, 132, 512},  // a total: 528 wanted, 512 chunks of 2048
		{1000, 1 << 20, 132, 1}, // many outputs
	} {
		if got := sumChunks(c.nout, c.nred, c.sms); got != c.want {
			t.Errorf("sumChunks(%d, %d, %d) = %d, want %d", c.nout, c.nred, c.sms, got, c.want)
		}
	}
}

func TestArgumentPadding(t *testing.T) {
	got := dimArgs([]int{5, 7}, 4)
	want := []uint64{2, 5, 7, 1, 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dimArgs = %v, want %v", got, want)
	}
	if got := strideArgs([]int{-3}, 2); got[0] != uint64(uint32(0xfffffffd)) || got[1] != 0 {
		t.Errorf("strideArgs = %x", got)
	}
	for _, c := range []struct{ n, want int }{{1, 32}, {10, 32}, {33, 64}, {256, 256}, {5000, 256}} {
		if got := rowThreads(c.n); got != c.want {
			t.Errorf("rowThreads(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

func TestGrid3(t *testing.T) {
	for _, c := range []struct {
		dims []int
		grid [3]uint32
		ok   bool
	}{
		{[]int{128, 6, 900}, [3]uint32{4, 6, 128}, true}, // a convolution's output, reordered
		{[]int{128, 256}, [3]uint32{1, 128, 1}, true},    // a bias added to rows
		{[]int{1000}, [3]uint32{4, 1, 1}, true},
		{[]int{1000, 3}, [3]uint32{}, false},      // short rows
		{[]int{2, 3, 4, 50}, [3]uint32{}, false},  // four axes
		{[]int{70000, 2, 64}, [3]uint32{}, false}, // beyond the grid
	} {
		grid, ok := grid3(c.dims)
		if ok != c.ok || ok && grid != c.grid {
			t.Errorf("grid3(%v) = %v %v, want %v %v", c.dims, grid, ok, c.grid, c.ok)
		}
	}
	if got := padFront([]int{5, 6}, 3, 1); !reflect.DeepEqual(got, []int{1, 5, 6}) {
		t.Errorf("padFront = %v", got)
	}
}

func TestLaunchShapes(t *testing.T) {
	if got := planeGrid(900, 6144); got != [3]uint32{4, 6144, 1} {
		t.Errorf("planeGrid(900, 6144) = %v", got)
	}
	if got := planeGrid(10, 70000); got != [3]uint32{1, 65535, 2} {
		t.Errorf("planeGrid(10, 70000) = %v", got)
	}
	for _, c := range []struct {
		m, n, k, batch int
		want           bool
	}{
		{128, 120, 576, 1, true},   // LeNet's first Linear at batch 128
		{10, 128, 1024, 1, false},  // a filter gradient over a long batch: 8 tiles
		{6, 9, 4114, 28, true},     // the same cut into chunks (LeNet at batch 128)
		{1024, 784, 256, 1, false}, // large: cuBLAS
		{0, 5, 5, 1, false},
		{64, 10, 0, 3, true},      // an empty product: C = beta·C in gemm_tiled
		{1 << 20, 1, 1, 1, false}, // more row tiles than the grid takes
	} {
		if got := small(c.m, c.n, c.k, c.batch); got != c.want {
			t.Errorf("small(%d, %d, %d, %d) = %v, want %v", c.m, c.n, c.k, c.batch, got, c.want)
		}
	}
}
