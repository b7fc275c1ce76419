package data

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gradbook/gradbook/dl"
)

// The first ten labels of MNIST's test split.
var firstTestLabels = []float32{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}

func checkImages(t *testing.T, ds *Dataset, n int, classes []string) {
	t.Helper()
	if got, want := ds.X.Shape(), []int{n, 1, 28, 28}; !slices.Equal(got, want) {
		t.Fatalf("%s: X %v, want %v", ds.Name, got, want)
	}
	if got, want := ds.Y.Shape(), []int{n}; !slices.Equal(got, want) {
		t.Fatalf("%s: Y %v, want %v", ds.Name, got, want)
	}
	if ds.X.DType() != dl.Float32 || ds.Y.DType() != dl.Float32 {
		t.Errorf("%s: dtypes %v and %v, want float32", ds.Name, ds.X.DType(), ds.Y.DType())
	}
	if !slices.Equal(ds.Classes, classes) {
		t.Errorf("%s: classes %q", ds.Name, ds.Classes)
	}
	lo, hi := float32(1), float32(0)
	for _, v := range ds.xs.f32 {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 1 {
		t.Errorf("%s: pixel values in [%v, %v], want [0, 1]", ds.Name, lo, hi)
	}
	var count [10]int
	for i, l := range ds.Y.Float32s() {
		if l != float32(int(l)) || l < 0 || l > 9 {
			t.Fatalf("%s: label %d is %v", ds.Name, i, l)
		}
		count[int(l)]++
	}
	for d, c := range count {
		if c < n/20 {
			t.Errorf("%s: %d samples of class %d of %d", ds.Name, c, d, n)
		}
	}
}

func TestMNISTSample(t *testing.T) {
	start := time.Now()
	ds := MNISTSample()
	t.Logf("MNISTSample: %v", time.Since(start))
	checkImages(t, ds, 1000, digitClasses)
	if got := ds.Y.Float32s()[:10]; !slices.Equal(got, firstTestLabels) {
		t.Errorf("first labels %v, want %v", got, firstTestLabels)
	}
	if got, want := ds.String(), "mnist-sample: 1000 samples, X [1000 1 28 28] float32, Y [1000] float32, 10 classes"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestMNISTSamplePad(t *testing.T) {
	plain := MNISTSample()
	ds := MNISTSample(Pad(2))
	if got, want := ds.X.Shape(), []int{1000, 1, 32, 32}; !slices.Equal(got, want) {
		t.Fatalf("X %v, want %v", got, want)
	}
	x, px := ds.X.Float32s(), plain.X.Float32s()
	for i := range 1000 {
		for r := range 32 {
			for c := range 32 {
				v := x[i*1024+r*32+c]
				inside := r >= 2 && r < 30 && c >= 2 && c < 30
				if !inside && v != 0 {
					t.Fatalf("image %d: border pixel (%d, %d) is %v", i, r, c, v)
				}
				if inside && v != px[i*784+(r-2)*28+c-2] {
					t.Fatalf("image %d: pixel (%d, %d) moved", i, r, c)
				}
			}
		}
	}
	if !slices.Equal(ds.Y.Float32s(), plain.Y.Float32s()) {
		t.Error("padding changed the labels")
	}
}

func TestMNISTSampleOptions(t *testing.T) {
	plain := MNISTSample().X.Float32s()
	flat := MNISTSample(Flat())
	if got := flat.X.Shape(); !slices.Equal(got, []int{1000, 784}) || !slices.Equal(flat.X.Float32s(), plain) {
		t.Errorf("Flat: X %v, or other values", got)
	}
	if got := MNISTSample(Flat(), Pad(2)).X.Shape(); !slices.Equal(got, []int{1000, 1024}) {
		t.Errorf("Flat, Pad(2): X %v", got)
	}
	lim := MNISTSample(Limit(10))
	if lim.Len() != 10 || !slices.Equal(lim.Y.Float32s(), firstTestLabels) || !slices.Equal(lim.X.Float32s(), plain[:7840]) {
		t.Errorf("Limit(10): %v", lim)
	}
	if MNISTSample(Limit(5000)).Len() != 1000 {
		t.Error("Limit(5000) of 1000 is not 1000")
	}
	norm := MNISTSample(Normalize(MNISTMean, MNISTStd), Pad(1), Limit(3))
	x := norm.X.Float32s()
	if x[0] != float32(-MNISTMean/MNISTStd) {
		t.Errorf("normalized border %v, want %v", x[0], float32(-MNISTMean/MNISTStd))
	}
	for i := range 3 {
		for r := range 28 {
			for c := range 28 {
				v, want := x[i*900+(r+1)*30+c+1], float32((float64(plain[i*784+r*28+c])-MNISTMean)/MNISTStd)
				if d := v - want; d > 1e-6 || d < -1e-6 {
					t.Fatalf("normalized pixel %v, want %v", v, want)
				}
			}
		}
	}
	for name, f := range map[string]func(){
		"Pad(-1)": func() { Pad(-1) }, "Limit(0)": func() { Limit(0) },
		"Normalize(0, 0)": func() { Normalize(0, 0) }, "Normalize(NaN, 1)": func() { Normalize(nan(), 1) },
		"nil option": func() { MNISTSample(Flat(), nil) },
	} {
		var e *dl.Error
		if err := dl.Catch(f); !errors.As(err, &e) {
			t.Errorf("%s: %v, want a *dl.Error", name, err)
		}
	}
}

func TestEscapeModulePath(t *testing.T) {
	if got, want := escapeModulePath(mnistModule), "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Errorf("escapeModulePath(%q) = %q, want %q", mnistModule, got, want)
	}
}

func TestMNISTBadSplit(t *testing.T) {
	_, err := MNIST("validation", Dir(t.TempDir()))
	if err == nil || !strings.Contains(err.Error(), `unknown split "validation"`) {
		t.Errorf("error %v", err)
	}
	_, err = MNIST("test", Dir(t.TempDir()))
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty folder: error %v", err)
	}
}

// TestMNIST reads the full data set from the GoMNIST module (11 MB).
func TestMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 11 MB of MNIST; skipped with -short")
	}
	start := time.Now()
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("MNISTDir: %s (%v)", dir, time.Since(start))
	for _, c := range []struct {
		split string
		n     int
	}{{"test", 10000}, {"train", 60000}} {
		start := time.Now()
		ds, err := MNIST(c.split)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("MNIST(%q): %v", c.split, time.Since(start))
		checkImages(t, ds, c.n, digitClasses)
		if ds.Name != "mnist-"+c.split {
			t.Errorf("name %q", ds.Name)
		}
		if c.split == "test" {
			sample := MNISTSample()
			if !slices.Equal(ds.X.Float32s()[:784000], sample.X.Float32s()) || !slices.Equal(ds.Y.Float32s()[:1000], sample.Y.Float32s()) {
				t.Error("the embedded sample is not the first 1000 test images")
			}
		}
	}
	start = time.Now()
	ds, err := MNIST("train", Pad(2), Normalize(MNISTMean, MNISTStd))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("MNIST(\"train\", Pad(2), Normalize): %v", time.Since(start))
	if got := ds.X.Shape(); !slices.Equal(got, []int{60000, 1, 32, 32}) {
		t.Errorf("X %v", got)
	}
	// The training images' mean and standard deviation are MNISTMean and
	// MNISTStd, so normalized they have mean 0 and deviation 1 (the
	// border aside).
	var sum, sq float64
	for i := range 60000 {
		for r := 2; r < 30; r++ {
			for _, v := range ds.xs.f32[i*1024+r*32+2 : i*1024+r*32+30] {
				sum += float64(v)
				sq += float64(v) * float64(v)
			}
		}
	}
	m := sum / (60000 * 784)
	if sd := sq/(60000*784) - m*m; m < -1e-3 || m > 1e-3 || sd < 0.998 || sd > 1.002 {
		t.Errorf("normalized training images: mean %.4f, variance %.4f", m, sd)
	}
}

func TestFashionMNIST(t *testing.T) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		_, err := FashionMNIST("test")
		t.Skipf("Debian's dataset-fashion-mnist is not installed: %v", err)
	}
	splits := []struct {
		split string
		n     int
	}{{"test", 10000}, {"train", 60000}}
	if testing.Short() {
		splits = splits[:1]
	}
	for _, c := range splits {
		start := time.Now()
		ds, err := FashionMNIST(c.split)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("FashionMNIST(%q): %v", c.split, time.Since(start))
		checkImages(t, ds, c.n, fashionClasses)
	}
	ds, err := FashionMNIST("test", Limit(5), Flat())
	if err != nil {
		t.Fatal(err)
	}
	// The first five test labels: ankle boot, pullover, trouser, trouser, shirt.
	if got := ds.Y.Float32s(); !slices.Equal(got, []float32{9, 2, 1, 1, 6}) || !slices.Equal(ds.X.Shape(), []int{5, 784}) {
		t.Errorf("first labels %v, X %v", got, ds.X.Shape())
	}
}

func TestFashionMNISTMissing(t *testing.T) {
	defer func(d string) { fashionDir = d }(fashionDir)
	fashionDir = t.TempDir() + "/fashion-mnist"
	_, err := FashionMNIST("train")
	want := "fashion-mnist: " + fashionDir + " not found; install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist)"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// TestOptionTargets pins which loaders take each option: an option
// implements the option interface of exactly the loaders it applies to, so
// that passing it elsewhere (Dir to MNISTSample) does not compile.
func TestOptionTargets(t *testing.T) {
	for _, c := range []struct {
		name                string
		opt                 any
		idx, sample, loader bool
	}{
		{"Pad", Pad(2), true, true, false},
		{"Normalize", Normalize(MNISTMean, MNISTStd), true, true, false},
		{"Flat", Flat(), true, true, false},
		{"Limit", Limit(10), true, true, false},
		{"Dir", Dir("."), true, false, false},
		{"Shuffle", Shuffle(1), false, false, true},
		{"DropLast", DropLast(), false, false, true},
	} {
		_, idx := c.opt.(Option)
		_, sample := c.opt.(SampleOption)
		_, loader := c.opt.(LoaderOption)
		if idx != c.idx || sample != c.sample || loader != c.loader {
			t.Errorf("%s: MNIST %t, MNISTSample %t, NewLoader %t; want %t, %t, %t", c.name, idx, sample, loader, c.idx, c.sample, c.loader)
		}
	}
}
