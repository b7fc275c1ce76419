package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
)

// The IDX format (LeCun's, used by MNIST and Fashion-MNIST) is a header and
// the elements, big-endian:
//
//	0x00 0x00 type ndims   magic: two zero bytes, the element type, the rank
//	ndims × uint32         the size of each dimension
//	elements               row-major
//
// with type 0x08 unsigned byte, 0x09 signed byte, 0x0B int16, 0x0C int32,
// 0x0D float32, 0x0E float64.

// maxIDXBytes bounds the size of the data an IDX header may announce:
// 2 GiB, forty times MNIST's training images.
const maxIDXBytes = 1 << 31

// idxSize maps an IDX type code to the size of its elements in bytes.
var idxSize = map[byte]int{0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}

// idxFile is an IDX file as stored: its element type, shape and raw
// (big-endian) elements.
type idxFile struct {
	typ   byte
	shape []int
	raw   []byte
}

// ReadIDX reads an IDX file, gzip-compressed or plain (it tells them apart
// by the first bytes), and returns its shape and its values in row-major
// order. Values of every IDX element type are returned as float32; this is
// exact for bytes, 16-bit integers, float32, and whole numbers up to 2^24.
//
// The errors say what is wrong: a bad magic number, an unknown element type,
// a header that announces more data than the file holds or more than
// 2 GiB, data that ends early, bytes after the data, or a gzip stream that
// fails its checksum. The header is checked against the size of the input
// where it is known (bytes.Reader, strings.Reader, os.File), and memory
// grows only with data actually read, so a bogus header never makes
// ReadIDX allocate what it announces.
func ReadIDX(r io.Reader) (shape []int, data []float32, err error) {
	f, err := readIDX(r)
	if err != nil {
		return nil, nil, err
	}
	return f.shape, f.float32s(0, len(f.raw)/idxSize[f.typ]), nil
}

// float32s decodes elements [from, to) of f.
func (f *idxFile) float32s(from, to int) []float32 {
	out := make([]float32, to-from)
	raw := f.raw
	switch f.typ {
	case 0x08:
		for i := range out {
			out[i] = float32(raw[from+i])
		}
	case 0x09:
		for i := range out {
			out[i] = float32(int8(raw[from+i]))
		}
	case 0x0B:
		for i := range out {
			out[i] = float32(int16(binary.BigEndian.Uint16(raw[2*(from+i):])))
		}
	case 0x0C:
		for i := range out {
			out[i] = float32(int32(binary.BigEndian.Uint32(raw[4*(from+i):])))
		}
	case 0x0D:
		for i := range out {
			out[i] = math.Float32frombits(binary.BigEndian.Uint32(raw[4*(from+i):]))
		}
	case 0x0E:
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.BigEndian.Uint64(raw[8*(from+i):])))
		}
	}
	return out
}

// available returns how many bytes r has left, when r can tell.
func available(r io.Reader) (int64, bool) {
	switch s := r.(type) {
	case interface{ Len() int }: // bytes.Reader, bytes.Buffer, strings.Reader
		return int64(s.Len()), true
	case interface {
		Stat() (fs.FileInfo, error)
		io.Seeker
	}: // os.File
		fi, err := s.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return 0, false
		}
		pos, err := s.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0, false
		}
		return fi.Size() - pos, true
	}
	return 0, false
}

// deflateRatio bounds how much deflate can expand: 1032 to 1, plus slack.
const deflateRatio = 1100

// readIDX reads an IDX file, gzip-compressed or plain.
func readIDX(r io.Reader) (*idxFile, error) {
	avail, known := available(r)
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if err != nil {
		return nil, fmt.Errorf("idx: reading the header: %w", eofIsUnexpected(err))
	}
	var src io.Reader = br
	compressed := magic[0] == 0x1f && magic[1] == 0x8b
	if compressed {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("idx: reading the gzip header: %w", eofIsUnexpected(err))
		}
		zr.Multistream(false)
		src = zr
	}

	var head [4]byte
	if _, err := io.ReadFull(src, head[:]); err != nil {
		return nil, fmt.Errorf("idx: reading the header: %w", eofIsUnexpected(err))
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("idx: bad magic number %#08x: an IDX file starts with two zero bytes", binary.BigEndian.Uint32(head[:]))
	}
	size, ok := idxSize[head[2]]
	if !ok {
		return nil, fmt.Errorf("idx: bad magic number %#08x: unknown element type %#02x", binary.BigEndian.Uint32(head[:]), head[2])
	}
	ndims := int(head[3])
	dims := make([]byte, 4*ndims)
	if _, err := io.ReadFull(src, dims); err != nil {
		return nil, fmt.Errorf("idx: reading %d dimensions: %w", ndims, eofIsUnexpected(err))
	}
	shape := make([]int, ndims)
	total := int64(size)
	for i := range shape {
		d := binary.BigEndian.Uint32(dims[4*i:])
		shape[i] = int(d)
		if d != 0 && total > maxIDXBytes/int64(d) {
			return nil, fmt.Errorf("idx: dimensions %v are too large: more than %d bytes of data", dimsOf(dims), int64(maxIDXBytes))
		}
		total *= int64(d)
	}
	if total > maxIDXBytes {
		return nil, fmt.Errorf("idx: dimensions %v are too large: %d bytes of data, more than %d", shape, total, int64(maxIDXBytes))
	}
	if known {
		left := avail - 4 - int64(4*ndims)
		if compressed && total > avail*deflateRatio {
			return nil, fmt.Errorf("idx: truncated data: dimensions %v need %d bytes, more than %d compressed bytes can hold", shape, total, avail)
		}
		if !compressed && total > left {
			return nil, fmt.Errorf("idx: truncated data: dimensions %v need %d bytes, the file has %d: %w", shape, total, max(left, 0), io.ErrUnexpectedEOF)
		}
	}

	raw, err := readN(src, int(total))
	if err != nil {
		return nil, fmt.Errorf("idx: truncated data: dimensions %v need %d bytes, the file has %d: %w", shape, total, len(raw), eofIsUnexpected(err))
	}
	// Reading past the end makes gzip check its checksum, and finds
	// trailing bytes.
	var extra [1]byte
	if n, err := io.ReadFull(src, extra[:]); n > 0 {
		return nil, fmt.Errorf("idx: unexpected bytes after the %d bytes of data that dimensions %v need", total, shape)
	} else if err != io.EOF {
		return nil, fmt.Errorf("idx: after the data: %w", err)
	}
	return &idxFile{typ: head[2], shape: shape, raw: raw}, nil
}

// readN reads exactly n bytes from r, growing its buffer only as data
// arrives; on error it returns what it read.
func readN(r io.Reader, n int) ([]byte, error) {
	const chunk = 1 << 20
	buf := make([]byte, 0, min(n, chunk))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(n, 2*cap(buf)))
			copy(grown, buf)
			buf = grown
		}
		m, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func eofIsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func dimsOf(b []byte) []uint32 {
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return out
}

// WriteIDX writes values as a plain IDX file of unsigned bytes (type 0x08)
// with the given shape; wrap w in a gzip.Writer for a .gz file. It returns
// an error if the shape does not match the number of values.
func WriteIDX(w io.Writer, shape []int, values []byte) error {
	if len(shape) > 255 {
		return fmt.Errorf("idx: %d dimensions, more than 255", len(shape))
	}
	n, zero := int64(1), false // n saturates at 2^62
	for _, d := range shape {
		switch {
		case d < 0 || int64(d) > math.MaxUint32:
			return fmt.Errorf("idx: dimension %d of shape %v is out of range", d, shape)
		case d == 0:
			zero = true
		case n > (1<<62)/int64(d):
			n = 1 << 62
		default:
			n *= int64(d)
		}
	}
	if zero {
		n = 0
	}
	if n != int64(len(values)) {
		return fmt.Errorf("idx: %d values do not fill shape %v (%d elements)", len(values), shape, n)
	}
	head := make([]byte, 4+4*len(shape))
	head[2], head[3] = 0x08, byte(len(shape))
	for i, d := range shape {
		binary.BigEndian.PutUint32(head[4+4*i:], uint32(d))
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(values)
	return err
}
