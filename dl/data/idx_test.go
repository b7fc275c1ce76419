package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func idxBytes(t testing.TB, shape []int, values []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteIDX(&buf, shape, values); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// onlyReader hides the Len method of a reader, so ReadIDX cannot know the size.
type onlyReader struct{ io.Reader }

func TestIDXRoundTrip(t *testing.T) {
	for _, shape := range [][]int{{}, {0}, {5}, {2, 3}, {3, 2, 4}, {2, 0, 7}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		values := make([]byte, n)
		for i := range values {
			values[i] = byte(i*37 + 11)
		}
		plain := idxBytes(t, shape, values)
		for name, file := range map[string][]byte{"plain": plain, "gzip": gzipped(t, plain)} {
			for _, r := range []io.Reader{bytes.NewReader(file), onlyReader{bytes.NewReader(file)}} {
				gotShape, got, err := ReadIDX(r)
				if err != nil {
					t.Fatalf("%s %v: %v", name, shape, err)
				}
				if !slices.Equal(gotShape, shape) || len(got) != n {
					t.Fatalf("%s: shape %v and %d values, want %v and %d", name, gotShape, len(got), shape, n)
				}
				for i, v := range got {
					if v != float32(values[i]) {
						t.Fatalf("%s %v: value %d is %v, want %v", name, shape, i, v, values[i])
					}
				}
			}
		}
	}
}

func TestReadIDXTypes(t *testing.T) {
	header := func(typ byte, n int) []byte {
		return []byte{0, 0, typ, 1, 0, 0, 0, byte(n)}
	}
	be := binary.BigEndian
	cases := []struct {
		name string
		file []byte
		want []float32
	}{
		{"ubyte", append(header(0x08, 3), 0, 128, 255), []float32{0, 128, 255}},
		{"sbyte", append(header(0x09, 3), 0x80, 0xff, 5), []float32{-128, -1, 5}},
		{"int16", be.AppendUint16(be.AppendUint16(header(0x0B, 2), 0x8000), 300), []float32{-32768, 300}},
		{"int32", be.AppendUint32(be.AppendUint32(header(0x0C, 2), 0xffffffff), 1<<24), []float32{-1, 1 << 24}},
		{"float32", be.AppendUint32(header(0x0D, 1), math.Float32bits(-2.5)), []float32{-2.5}},
		{"float64", be.AppendUint64(header(0x0E, 1), math.Float64bits(0.125)), []float32{0.125}},
	}
	for _, c := range cases {
		shape, got, err := ReadIDX(bytes.NewReader(c.file))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(shape, []int{len(c.want)}) || !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v %v, want %v", c.name, shape, got, c.want)
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	good := idxBytes(t, []int{4, 3}, make([]byte, 12))
	huge := []byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	big := []byte{0, 0, 8, 1, 0x60, 0, 0, 0} // 1.5 GiB announced, none there
	badSum := gzipped(t, good)
	badSum[len(badSum)-8] ^= 0xff // the CRC-32
	cases := []struct {
		name   string
		r      io.Reader
		want   string
		trunc  bool // the error wraps io.ErrUnexpectedEOF
		noSize bool
	}{
		{"empty", bytes.NewReader(nil), "reading the header", true, false},
		{"short header", bytes.NewReader([]byte{0, 0, 8}), "reading the header", true, false},
		{"bad magic", bytes.NewReader([]byte{1, 2, 8, 1, 0, 0, 0, 0}), "bad magic number 0x01020801: an IDX file starts with two zero bytes", false, false},
		{"bad type", bytes.NewReader([]byte{0, 0, 7, 1, 0, 0, 0, 0}), "unknown element type 0x07", false, false},
		{"short dims", bytes.NewReader([]byte{0, 0, 8, 2, 0, 0, 0, 1}), "reading 2 dimensions", true, false},
		{"truncated, size known", bytes.NewReader(good[:len(good)-1]), "truncated data: dimensions [4 3] need 12 bytes, the file has 11", true, false},
		{"truncated, size unknown", onlyReader{bytes.NewReader(good[:len(good)-1])}, "truncated data: dimensions [4 3] need 12 bytes, the file has 11", true, true},
		{"truncated gzip", bytes.NewReader(gzipped(t, good[:len(good)-2])), "truncated data", true, false},
		{"oversized", bytes.NewReader(huge), "too large", false, false},
		{"oversized, size unknown", onlyReader{bytes.NewReader(huge)}, "too large", false, true},
		{"big header, size known", bytes.NewReader(big), "truncated data: dimensions [1610612736] need 1610612736 bytes, the file has 0", true, false},
		{"big header, gzip", bytes.NewReader(gzipped(t, big)), "more than", false, false},
		{"trailing bytes", bytes.NewReader(append(slices.Clone(good), 0)), "unexpected bytes after the 12 bytes", false, false},
		{"bad checksum", bytes.NewReader(badSum), "checksum", false, false},
		{"bad gzip header", bytes.NewReader([]byte{0x1f, 0x8b, 0, 0}), "reading the gzip header", true, false},
	}
	for _, c := range cases {
		_, _, err := ReadIDX(c.r)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "idx: ") {
			t.Errorf("%s: error %q does not say %q", c.name, err, c.want)
		}
		if c.trunc != errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: error %q: errors.Is(err, io.ErrUnexpectedEOF) = %v", c.name, err, !c.trunc)
		}
	}
}

// A header that announces 1.5 GiB must not make ReadIDX allocate it, even
// when it cannot know the size of its input.
func TestReadIDXDoesNotTrustTheHeader(t *testing.T) {
	file := append([]byte{0, 0, 8, 1, 0x60, 0, 0, 0}, make([]byte, 1000)...)
	for _, r := range []io.Reader{onlyReader{bytes.NewReader(file)}, onlyReader{bytes.NewReader(gzipped(t, file))}} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := ReadIDX(r)
		runtime.ReadMemStats(&after)
		if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("error %v, want a truncation", err)
		}
		if a := after.TotalAlloc - before.TotalAlloc; a > 8<<20 {
			t.Errorf("ReadIDX allocated %d bytes for a 1 KB file", a)
		}
	}
}

func TestReadIDXFile(t *testing.T) {
	// An os.File: the size is known, the header checked against it.
	path := t.TempDir() + "/x.idx"
	good := idxBytes(t, []int{2, 2}, []byte{1, 2, 3, 4})
	if err := os.WriteFile(path, good[:len(good)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := ReadIDX(f); err == nil || !strings.Contains(err.Error(), "need 4 bytes, the file has 3") {
		t.Errorf("error %v, want a truncation found from the file size", err)
	}
}

func TestWriteIDXErrors(t *testing.T) {
	for _, c := range []struct {
		shape []int
		n     int
	}{{[]int{2, 3}, 5}, {[]int{-1}, 0}, {[]int{1 << 40, 1 << 40, 1 << 40}, 0}, {make([]int, 256), 1}} {
		if err := WriteIDX(io.Discard, c.shape, make([]byte, c.n)); err == nil {
			t.Errorf("WriteIDX(%v, %d values): no error", len(c.shape), c.n)
		}
	}
}

func FuzzReadIDX(f *testing.F) {
	good := idxBytes(f, []int{2, 3}, []byte{1, 2, 3, 4, 5, 6})
	f.Add(good)
	f.Add(gzipped(f, good))
	f.Add([]byte{0, 0, 8, 0, 42})
	f.Add([]byte{0, 0, 0x0E, 1, 0, 0, 0, 1, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add(gzipped(f, []byte{0, 0, 8, 1, 0x60, 0, 0, 0}))
	f.Add(good[:7])
	if b, err := embedded.ReadFile("testdata/mnist-t10k-1000-labels-idx1-ubyte.gz"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, r := range []io.Reader{bytes.NewReader(b), onlyReader{bytes.NewReader(b)}} {
			shape, data, err := ReadIDX(r)
			if err != nil {
				if shape != nil || data != nil {
					t.Fatalf("error %v with a result", err)
				}
				continue
			}
			n := 1
			for _, d := range shape {
				if d < 0 {
					t.Fatalf("negative dimension in %v", shape)
				}
				n *= d
			}
			if n != len(data) {
				t.Fatalf("shape %v with %d values", shape, len(data))
			}
		}
	})
}

func nan() float64 { return math.NaN() }

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
