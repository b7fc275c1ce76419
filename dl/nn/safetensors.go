package nn

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gradbook/gradbook/dl"
)

// This file reads and writes the safetensors format of Hugging Face
// (https://huggingface.co/docs/safetensors), the format PyTorch users share
// weights in:
//
//	8 bytes    N, the header's length, an unsigned little-endian integer
//	N bytes    the header: a UTF-8 JSON object, padded at the end with spaces
//	the rest   the data buffer: every tensor's values, little-endian, row-major
//
// The header maps each tensor's name to {"dtype", "shape", "data_offsets"},
// where data_offsets = [begin, end] are byte offsets into the data buffer,
// and may hold "__metadata__", an object of string values. The tensors'
// byte ranges must tile the data buffer exactly: no gaps, no overlaps.
//
// gradbook's tensors are float32 or float64, so it reads and writes the
// dtypes F32 and F64, and I64 for one purpose: BatchNorm's
// num_batches_tracked, an int64 scalar in PyTorch's state_dict. An I64
// tensor is read into a Float64 tensor holding the same whole numbers (an
// error if one exceeds 2^53 in magnitude, beyond which float64 cannot hold
// every integer). Writing, a tensor named "num_batches_tracked" or ending in
// ".num_batches_tracked" is stored as I64 (its values must be whole numbers);
// every other tensor as F32 or F64 after its dtype.

// SafetensorsMaxHeader is the largest header ReadSafetensors accepts, in
// bytes: the limit of the reference implementation (100 MB). Real headers
// are a few kilobytes to a few megabytes.
const SafetensorsMaxHeader = 100_000_000

// maxExactInt is 2^53: every integer of at most this magnitude is exact in
// float64.
const maxExactInt = 1 << 53

// Safetensors is the content of a safetensors file.
type Safetensors struct {
	// Names lists the tensors in the order of their data in the file
	// (the order WriteSafetensors was given them).
	Names []string
	// Tensors maps each name to its values: a Float32 tensor for F32 and a
	// Float64 tensor for F64 and I64.
	Tensors map[string]*dl.Tensor
	// DTypes maps each name to its dtype in the file: "F32", "F64" or "I64".
	DTypes map[string]string
	// Metadata holds the header's "__metadata__" strings (empty when absent).
	Metadata map[string]string
}

// Named returns the tensors in file order.
func (s *Safetensors) Named() []Named {
	out := make([]Named, len(s.Names))
	for i, n := range s.Names {
		out[i] = Named{Name: n, Tensor: s.Tensors[n]}
	}
	return out
}

// safetensorsDTypes are the dtypes of the format; the value is the element
// size in bytes (0 for the sub-byte float formats), so that a file with a
// dtype gradbook does not read gets "not supported" rather than "unknown".
var safetensorsDTypes = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8, "C64": 8,
	"F4": 0, "F6_E2M3": 0, "F6_E3M2": 0,
}

// IsNumBatchesTracked reports whether a state-dict name is BatchNorm's
// batch counter, which safetensors files hold as I64.
func isNumBatchesTracked(name string) bool {
	return name == "num_batches_tracked" || strings.HasSuffix(name, ".num_batches_tracked")
}

// fileDType is the dtype WriteSafetensors stores the tensor named name as.
func fileDType(name string, t *dl.Tensor) string {
	switch {
	case isNumBatchesTracked(name):
		return "I64"
	case t.DType() == dl.Float64:
		return "F64"
	}
	return "F32"
}

// WriteSafetensors writes tensors, in the given order, and metadata (may be
// nil) to w in the safetensors format. A tensor named num_batches_tracked
// (or ending in .num_batches_tracked) is written as I64 and must hold whole
// numbers; the others as F32 or F64 after their dtype. Names must be unique
// and not "__metadata__". The header is padded with spaces so that the data
// starts at a multiple of 8 bytes, as the reference implementation does.
// Every check is made before the first byte is written, so an error is
// either a bad argument (nothing written) or w's own error.
func WriteSafetensors(w io.Writer, tensors []Named, metadata map[string]string) error {
	header, err := safetensorsHeader(tensors, metadata)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	bw.Write(n[:])
	bw.Write(header)
	var buf [8]byte
	for _, nt := range tensors {
		switch fileDType(nt.Name, nt.Tensor) {
		case "I64":
			for _, v := range nt.Tensor.Float64s() {
				binary.LittleEndian.PutUint64(buf[:], uint64(int64(v)))
				bw.Write(buf[:8])
			}
		case "F64":
			for _, v := range nt.Tensor.Float64s() {
				binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
				bw.Write(buf[:8])
			}
		default:
			for _, v := range nt.Tensor.Float32s() {
				binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
				bw.Write(buf[:4])
			}
		}
	}
	// bufio.Writer keeps its first error and returns it from Flush.
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("safetensors: writing: %w", err)
	}
	return nil
}

// safetensorsHeader checks tensors and metadata and returns the padded JSON
// header: "__metadata__" first (keys sorted), then the tensors in order.
func safetensorsHeader(tensors []Named, metadata map[string]string) ([]byte, error) {
	var h bytes.Buffer
	enc := json.NewEncoder(&h)
	enc.SetEscapeHTML(false)
	str := func(s string) {
		enc.Encode(s) // strings always encode; Encode adds a newline
		h.Truncate(h.Len() - 1)
	}
	h.WriteByte('{')
	if len(metadata) > 0 {
		h.WriteString(`"__metadata__":{`)
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				h.WriteByte(',')
			}
			str(k)
			h.WriteByte(':')
			str(metadata[k])
		}
		h.WriteByte('}')
	}
	seen := make(map[string]bool, len(tensors))
	var offset uint64
	for i, nt := range tensors {
		switch {
		case nt.Tensor == nil:
			return nil, fmt.Errorf("safetensors: tensor %q is nil", nt.Name)
		case nt.Name == "__metadata__":
			return nil, fmt.Errorf("safetensors: tensor %d is named %q, the name reserved for metadata", i, nt.Name)
		case seen[nt.Name]:
			return nil, fmt.Errorf("safetensors: two tensors are named %q", nt.Name)
		case !utf8.ValidString(nt.Name):
			return nil, fmt.Errorf("safetensors: tensor name %q is not valid UTF-8", nt.Name)
		}
		seen[nt.Name] = true
		dt := fileDType(nt.Name, nt.Tensor)
		if dt == "I64" {
			for j, v := range nt.Tensor.Float64s() {
				if v != math.Trunc(v) || math.Abs(v) > maxExactInt {
					return nil, fmt.Errorf("safetensors: tensor %q is stored as I64 but element %d is %v, not a whole number of magnitude at most 2^53", nt.Name, j, v)
				}
			}
		}
		size := uint64(nt.Tensor.Len()) * uint64(safetensorsDTypes[dt])
		if len(metadata) > 0 || i > 0 {
			h.WriteByte(',')
		}
		str(nt.Name)
		fmt.Fprintf(&h, `:{"dtype":%q,"shape":[`, dt)
		for j, d := range nt.Tensor.Shape() {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, offset, offset+size)
		offset += size
	}
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("safetensors: metadata %q: %q is not valid UTF-8", k, v)
		}
	}
	h.WriteByte('}')
	for (8+h.Len())%8 != 0 {
		h.WriteByte(' ')
	}
	return h.Bytes(), nil
}

// ParseSafetensors reads a safetensors file held in memory; see
// ReadSafetensors.
func ParseSafetensors(b []byte) (*Safetensors, error) {
	return ReadSafetensors(bytes.NewReader(b), int64(len(b)))
}

// stEntry is one tensor of a header, checked.
type stEntry struct {
	name       string
	dtype      string
	shape      []int
	begin, end uint64
}

// ReadSafetensors reads a safetensors file of size bytes from r. It accepts
// F32, F64 and I64 tensors (see WriteSafetensors for I64) and checks the
// whole file before it reads any values: the header length against the file
// and SafetensorsMaxHeader, the JSON, every tensor's dtype, shape and
// offsets, that shape × element size equals the tensor's byte range (with
// overflow checks), and that the ranges tile the data buffer exactly. A
// problem is an error naming the tensor and the numbers involved; no input
// makes it panic, and it never allocates by what the header claims, only by
// what the file holds: the tensors it returns take as many bytes as the
// data buffer, and parsing the header takes a bounded multiple of its length.
func ReadSafetensors(r io.ReaderAt, size int64) (*Safetensors, error) {
	if size < 8 {
		return nil, fmt.Errorf("safetensors: the file has %d bytes, fewer than the 8 of the header length", size)
	}
	var nb [8]byte
	if err := readAt(r, nb[:], 0); err != nil {
		return nil, fmt.Errorf("safetensors: reading the header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(nb[:])
	if n > SafetensorsMaxHeader {
		return nil, fmt.Errorf("safetensors: the header length %d exceeds the limit of %d bytes", n, SafetensorsMaxHeader)
	}
	if n > uint64(size-8) {
		return nil, fmt.Errorf("safetensors: the header length %d exceeds the %d bytes that follow it in the file", n, size-8)
	}
	header := make([]byte, n)
	if err := readAt(r, header, 8); err != nil {
		return nil, fmt.Errorf("safetensors: reading the %d-byte header: %w", n, err)
	}
	bufLen := uint64(size-8) - n
	entries, meta, err := parseSafetensorsHeader(header, bufLen)
	if err != nil {
		return nil, err
	}
	st := &Safetensors{
		Names:    make([]string, len(entries)),
		Tensors:  make(map[string]*dl.Tensor, len(entries)),
		DTypes:   make(map[string]string, len(entries)),
		Metadata: meta,
	}
	base := 8 + int64(n)
	chunk := make([]byte, min(1<<16, bufLen))
	for i, e := range entries {
		t, err := readTensor(r, base, e, chunk)
		if err != nil {
			return nil, err
		}
		st.Names[i] = e.name
		st.Tensors[e.name] = t
		st.DTypes[e.name] = e.dtype
	}
	return st, nil
}

// readAt fills p from r at off. A ReaderAt may report io.EOF along with a
// full read that ends at the end of its input; that is no error.
func readAt(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// readTensor reads and decodes one checked entry through the buffer chunk.
func readTensor(r io.ReaderAt, base int64, e stEntry, chunk []byte) (*dl.Tensor, error) {
	nbytes := e.end - e.begin
	esize := uint64(safetensorsDTypes[e.dtype])
	count := int(nbytes / esize)
	var f32 []float32
	var f64 []float64
	if e.dtype == "F32" {
		f32 = make([]float32, count)
	} else {
		f64 = make([]float64, count)
	}
	// Read whole elements at a time.
	step := uint64(len(chunk)) / esize * esize
	k := 0
	for off := uint64(0); off < nbytes; off += step {
		b := chunk[:min(step, nbytes-off)]
		if err := readAt(r, b, base+int64(e.begin+off)); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: reading bytes %d to %d of the data buffer: %w", e.name, e.begin, e.end, err)
		}
		for p := 0; p < len(b); p += int(esize) {
			switch e.dtype {
			case "F32":
				f32[k] = math.Float32frombits(binary.LittleEndian.Uint32(b[p:]))
			case "F64":
				f64[k] = math.Float64frombits(binary.LittleEndian.Uint64(b[p:]))
			case "I64":
				v := int64(binary.LittleEndian.Uint64(b[p:]))
				if v > maxExactInt || v < -maxExactInt {
					return nil, fmt.Errorf("safetensors: tensor %q: I64 element %d is %d, beyond 2^53 in magnitude, which float64 cannot hold exactly", e.name, k, v)
				}
				f64[k] = float64(v)
			}
			k++
		}
	}
	var t *dl.Tensor
	err := dl.Catch(func() {
		switch {
		case len(e.shape) == 0 && f32 != nil:
			t = dl.Float32.Scalar(float64(f32[0]))
		case len(e.shape) == 0:
			t = dl.Float64.Scalar(f64[0])
		case f32 != nil:
			t = dl.FromSlice(f32, e.shape...)
		default:
			t = dl.FromSlice(f64, e.shape...)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("safetensors: tensor %q: %w", e.name, err)
	}
	return t, nil
}

// parseSafetensorsHeader parses and checks a header against a data buffer of
// bufLen bytes, returning the entries sorted by their offsets.
func parseSafetensorsHeader(header []byte, bufLen uint64) ([]stEntry, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, errors.New("safetensors: the header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, errors.New("safetensors: the header does not start with '{'")
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // '{'
		return nil, nil, fmt.Errorf("safetensors: the header is not JSON: %w", err)
	}
	meta := map[string]string{}
	var entries []stEntry
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("safetensors: the header is not JSON: %w", err)
		}
		name, ok := tok.(string)
		if !ok { // cannot happen for an object key, but never panic
			return nil, nil, fmt.Errorf("safetensors: the header has a key %v that is not a string", tok)
		}
		if seen[name] {
			return nil, nil, fmt.Errorf("safetensors: the header names %q twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, fmt.Errorf("safetensors: the header is not JSON (at %q): %w", name, err)
		}
		if name == "__metadata__" {
			if meta, err = parseMetadata(raw); err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := parseEntry(name, raw, bufLen)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, nil, fmt.Errorf("safetensors: the header is not JSON: %w", err)
	}
	// After the object, only the padding.
	rest := header[dec.InputOffset():]
	if len(bytes.TrimLeft(rest, " \t\r\n")) != 0 {
		return nil, nil, fmt.Errorf("safetensors: the header has %d bytes after its JSON object that are not white space", len(bytes.TrimLeft(rest, " \t\r\n")))
	}

	// The ranges must tile [0, bufLen) exactly.
	slices.SortStableFunc(entries, func(a, b stEntry) int {
		if c := cmp.Compare(a.begin, b.begin); c != 0 {
			return c
		}
		return cmp.Compare(a.end, b.end)
	})
	var at uint64
	for i, e := range entries {
		switch {
		case e.begin < at:
			return nil, nil, fmt.Errorf("safetensors: tensor %q (bytes %d to %d) overlaps tensor %q (bytes %d to %d)",
				e.name, e.begin, e.end, entries[i-1].name, entries[i-1].begin, entries[i-1].end)
		case e.begin > at:
			return nil, nil, fmt.Errorf("safetensors: bytes %d to %d of the data buffer belong to no tensor (the next, %q, begins at %d)",
				at, e.begin, e.name, e.begin)
		}
		at = e.end
	}
	if at != bufLen {
		return nil, nil, fmt.Errorf("safetensors: the data buffer has %d bytes but the tensors cover only %d", bufLen, at)
	}
	return entries, meta, nil
}

func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	meta := map[string]string{}
	if string(raw) == "null" {
		return meta, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errors.New("safetensors: __metadata__ is not an object of strings")
	}
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("safetensors: __metadata__ %q is %s, not a string", k, jsonKind(v))
		}
		meta[k] = s
	}
	return meta, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a string"
}

// parseEntry parses and checks one tensor's description.
func parseEntry(name string, raw json.RawMessage, bufLen uint64) (stEntry, error) {
	e := stEntry{name: name}
	fail := func(format string, args ...any) (stEntry, error) {
		return stEntry{}, fmt.Errorf("safetensors: tensor %q: "+format, append([]any{name}, args...)...)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return fail("its description is not a JSON object")
	}
	for _, f := range []string{"dtype", "shape", "data_offsets"} {
		if _, ok := fields[f]; !ok {
			return fail("its description has no %q", f)
		}
	}
	if err := json.Unmarshal(fields["dtype"], &e.dtype); err != nil {
		return fail("dtype %s is not a string", fields["dtype"])
	}
	esize, known := safetensorsDTypes[e.dtype]
	switch {
	case !known:
		return fail("unknown dtype %q", e.dtype)
	case e.dtype != "F32" && e.dtype != "F64" && e.dtype != "I64":
		return fail("dtype %s is not supported (gradbook reads F32, F64 and I64)", e.dtype)
	}
	dims, err := uints(fields["shape"], -1)
	if err != nil {
		return fail("shape %s: %v", fields["shape"], err)
	}
	offs, err := uints(fields["data_offsets"], 2)
	if err != nil {
		return fail("data_offsets %s: %v", fields["data_offsets"], err)
	}
	e.begin, e.end = offs[0], offs[1]
	if e.begin > e.end {
		return fail("data_offsets [%d, %d] end before they begin", e.begin, e.end)
	}
	if e.end > bufLen {
		return fail("data_offsets [%d, %d] reach beyond the data buffer's %d bytes", e.begin, e.end, bufLen)
	}
	// The product of the nonzero dimensions must fit an int (so that no
	// shape overflows even when a zero makes it empty), and the byte size
	// must equal the range.
	var numel, nonzero uint64 = 1, 1
	for _, d := range dims {
		hi, lo := bits.Mul64(nonzero, max(d, 1))
		if hi != 0 || lo > math.MaxInt {
			return fail("shape %v has more elements than fit in an int", dims)
		}
		nonzero = lo
		numel *= d // cannot overflow: numel is 0 or equals nonzero
	}
	if hi, nbytes := bits.Mul64(numel, uint64(esize)); hi != 0 || nbytes != e.end-e.begin {
		return fail("shape %v of %s takes %d elements × %d bytes, but data_offsets [%d, %d] hold %d bytes",
			dims, e.dtype, numel, esize, e.begin, e.end, e.end-e.begin)
	}
	e.shape = make([]int, len(dims))
	for i, d := range dims {
		e.shape[i] = int(d)
	}
	return e, nil
}

// uints parses a JSON array of non-negative integers (of length n unless n
// is negative).
func uints(raw json.RawMessage, n int) ([]uint64, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, errors.New("not an array of non-negative integers")
	}
	if n >= 0 && len(items) != n {
		return nil, fmt.Errorf("has %d numbers, not %d", len(items), n)
	}
	out := make([]uint64, len(items))
	for i, it := range items {
		v, err := strconv.ParseUint(string(it), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not a non-negative integer below 2^64", it)
		}
		out[i] = v
	}
	return out, nil
}
