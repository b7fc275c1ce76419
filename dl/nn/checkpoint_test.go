package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// ckptModule is a tiny Module for the checkpoint tests, independent of the
// layers: a weight, a bias and a BatchNorm-like pair of buffers under
// state-dict names.
type ckptModule struct {
	w, b, mean, count *dl.Tensor
}

// newCkptModule makes a module whose weight has shape [out in] and whose
// values all derive from seed.
func newCkptModule(out, in int, seed float32) *ckptModule {
	w := make([]float32, out*in)
	for i := range w {
		w[i] = seed + float32(i)/8
	}
	b := make([]float32, out)
	for i := range b {
		b[i] = -seed - float32(i)
	}
	return &ckptModule{
		w:     dl.FromSlice(w, out, in).SetRequiresGrad(true),
		b:     dl.FromSlice(b).SetRequiresGrad(true),
		mean:  dl.Float32.Full(float64(seed)/2, out),
		count: dl.Float64.Scalar(float64(int(seed * 10))),
	}
}

func (m *ckptModule) Forward(x *dl.Tensor) *dl.Tensor { return x.MatMul(m.w.T()).Add(m.b) }
func (m *ckptModule) Parameters() []*dl.Tensor        { return []*dl.Tensor{m.w, m.b} }
func (m *ckptModule) SetTraining(bool)                {}
func (m *ckptModule) StateDict() []Named {
	return []Named{
		{"0.weight", m.w}, {"0.bias", m.b},
		{"1.running_mean", m.mean}, {"1.num_batches_tracked", m.count},
	}
}

// snapshot returns the module's state as values, to compare.
func snapshot(m Module) map[string][]float64 {
	out := map[string][]float64{}
	for _, nt := range m.StateDict() {
		out[nt.Name] = nt.Tensor.Float64s()
	}
	return out
}

func sameState(a, b map[string][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// tempFiles lists the files in dir other than keep.
func otherFiles(t *testing.T, dir, keep string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.Name() != keep {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tiny.safetensors")
	src := newCkptModule(3, 2, 1.5)
	if err := Save(src, path); err != nil {
		t.Fatal(err)
	}
	dst := newCkptModule(3, 2, 0.25)
	if err := Load(dst, path); err != nil {
		t.Fatal(err)
	}
	if !sameState(snapshot(src), snapshot(dst)) {
		t.Errorf("loaded %v, saved %v", snapshot(dst), snapshot(src))
	}
	// Load assigns in place: the parameters are the same tensors, still
	// leaves that require gradients.
	if !dst.w.RequiresGrad() || dst.count.DType() != dl.Float64 {
		t.Errorf("Load replaced or changed the module's tensors")
	}
	st, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseSafetensors(st)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "pt" || f.DTypes["1.num_batches_tracked"] != "I64" || f.DTypes["0.weight"] != "F32" {
		t.Errorf("metadata %v, dtypes %v", f.Metadata, f.DTypes)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if others := otherFiles(t, dir, "tiny.safetensors"); len(others) != 0 {
		t.Errorf("Save left %q", others)
	}
	// Saving again over the file replaces it and keeps its mode.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Save(newCkptModule(3, 2, 2), path); err != nil {
		t.Fatal(err)
	}
	if err := Load(dst, path); err != nil {
		t.Fatal(err)
	}
	if !sameState(snapshot(newCkptModule(3, 2, 2)), snapshot(dst)) {
		t.Errorf("the second save did not replace the first")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after replacing a 0600 file", fi.Mode().Perm())
	}
}

// TestSaveAtomic makes the write fail half-way, and the rename fail: the
// previous file must stay as it was, and no temporary file may remain.
func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tiny.safetensors")
	if err := Save(newCkptModule(3, 2, 1), path); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 7, 60, len(before) - 1} {
		err := save(newCkptModule(3, 2, 9), path, func(w io.Writer) io.Writer { return &failWriter{w, n} })
		if !errors.Is(err, errDiskFull) || !strings.HasPrefix(err.Error(), "nn.Save: ") {
			t.Errorf("failing after %d bytes: error %v", n, err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Errorf("failing after %d bytes changed the file", n)
		}
		if others := otherFiles(t, dir, "tiny.safetensors"); len(others) != 0 {
			t.Errorf("failing after %d bytes left %q", n, others)
		}
	}
	// A state dict that cannot be written fails before the disk is touched.
	bad := newCkptModule(3, 2, 9)
	bad.count = dl.Float64.Scalar(0.5)
	if err := Save(bad, path); err == nil || !strings.Contains(err.Error(), "I64") {
		t.Errorf("saving a count of 0.5: error %v", err)
	}
	// The rename fails when the target is a non-empty directory.
	sub := filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(sub, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Save(newCkptModule(3, 2, 9), sub); err == nil {
		t.Errorf("saving over a directory succeeded")
	}
	if others := otherFiles(t, dir, "tiny.safetensors"); !slices.Equal(others, []string{"sub"}) {
		t.Errorf("the failed rename left %q", others)
	}
	if err := Save(newCkptModule(3, 2, 9), filepath.Join(dir, "missing", "m.safetensors")); err == nil {
		t.Errorf("saving into a missing directory succeeded")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Errorf("the failed saves changed the file")
	}
}

// loadFails loads file into a fresh module of shape [out in] and checks that
// it fails with want and leaves the module unchanged.
func loadFails(t *testing.T, file []byte, out, in int, want ...string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	m := newCkptModule(out, in, 0.5)
	before := snapshot(m)
	err := Load(m, path)
	if err == nil {
		t.Fatalf("Load succeeded")
	}
	msg := strings.ReplaceAll(err.Error(), path, "PATH")
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error\n\t%s\ndoes not contain\n\t%s", msg, w)
		}
	}
	if !sameState(before, snapshot(m)) {
		t.Errorf("the failed Load changed the module")
	}
}

func saved(t *testing.T, m Module) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, m.StateDict(), map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLoadTruncated(t *testing.T) {
	good := saved(t, newCkptModule(3, 2, 1))
	for _, n := range []int{0, 5, 8, 40, len(good) - 4, len(good) - 1} {
		loadFails(t, good[:n], 3, 2, "nn.Load: PATH: safetensors: ")
	}
	loadFails(t, append(slices.Clone(good), 0, 0, 0, 0), 3, 2, "the data buffer has 60 bytes but the tensors cover only 56")
}

func TestLoadOversizeHeader(t *testing.T) {
	good := saved(t, newCkptModule(3, 2, 1))
	huge := slices.Clone(good)
	binary.LittleEndian.PutUint64(huge, 200_000_000)
	loadFails(t, huge, 3, 2, "nn.Load: PATH: safetensors: the header length 200000000 exceeds the limit of 100000000 bytes")
	big := slices.Clone(good)
	binary.LittleEndian.PutUint64(big, 1000)
	loadFails(t, big, 3, 2, "the header length 1000 exceeds the ")
}

func TestLoadMismatch(t *testing.T) {
	// The model's weight is [3 2]; the file's [3 4].
	loadFails(t, saved(t, newCkptModule(3, 4, 1)), 3, 2,
		`nn.Load: PATH: tensor "0.weight" has shape [3 4], the model expects [3 2]`)
	// [4 2] weight, [4] bias and mean: three problems, one line each.
	loadFails(t, saved(t, newCkptModule(4, 2, 1)), 3, 2,
		"nn.Load: PATH: tensor \"0.weight\" has shape [4 2], the model expects [3 2]\n"+
			"nn.Load: PATH: tensor \"0.bias\" has shape [4], the model expects [3]\n"+
			"nn.Load: PATH: tensor \"1.running_mean\" has shape [4], the model expects [3]")

	m := newCkptModule(3, 2, 1)
	sd := m.StateDict()
	write := func(tensors []Named) []byte { return writeST(tensors, nil) }
	loadFails(t, write(sd[:3]), 3, 2,
		`nn.Load: PATH: the file has no tensor "1.num_batches_tracked" (shape []), which the model expects`)
	loadFails(t, write(append(slices.Clone(sd), Named{"2.weight", dl.Float32.Ones(1, 3)})), 3, 2,
		`nn.Load: PATH: the file has a tensor "2.weight" (shape [1 3]) that the model does not have`)
	f64 := slices.Clone(sd)
	f64[0].Tensor = f64[0].Tensor.AsType(dl.Float64)
	loadFails(t, write(f64), 3, 2,
		`nn.Load: PATH: tensor "0.weight" has dtype F64, the model expects F32`)
	// The count stored as F64 rather than I64.
	var data []byte
	for _, nt := range sd[:3] {
		data = append(data, f32le(nt.Tensor.Float32s()...)...)
	}
	data = append(data, f64le(10)...)
	loadFails(t, stFile(`{"0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},`+
		`"0.bias":{"dtype":"F32","shape":[3],"data_offsets":[24,36]},`+
		`"1.running_mean":{"dtype":"F32","shape":[3],"data_offsets":[36,48]},`+
		`"1.num_batches_tracked":{"dtype":"F64","shape":[],"data_offsets":[48,56]}}`, data), 3, 2,
		`tensor "1.num_batches_tracked" has dtype F64, the model expects I64`)

	// A module whose weight is not a leaf cannot be loaded; the bias,
	// checked before it fails, must stay as it was too.
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	if err := Save(newCkptModule(3, 2, 1), path); err != nil {
		t.Fatal(err)
	}
	broken := newCkptModule(3, 2, 0.5)
	broken.w = broken.w.Neg()
	before := snapshot(broken)
	err := Load(broken, path)
	if err == nil || !strings.Contains(err.Error(), `the model's tensor "0.weight" was computed by `) {
		t.Errorf("loading into a computed weight: %v", err)
	}
	if !sameState(before, snapshot(broken)) {
		t.Errorf("the failed Load changed the module")
	}

	if err := Load(m, filepath.Join(t.TempDir(), "none.safetensors")); err == nil || !strings.HasPrefix(err.Error(), "nn.Load: ") {
		t.Errorf("loading a missing file: %v", err)
	}
	if err := Load(m, t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("loading a directory: %v", err)
	}
}
