// Package ipynb reads and writes Jupyter notebooks in nbformat 4, the JSON
// format of .ipynb files.
//
// Reading accepts what Jupyter writes and what people write by hand: a
// multi-line string may be one JSON string or a list of lines, optional keys
// may be missing, and keys this package does not know are kept and written
// back. Writing produces the canonical form of Jupyter's own writer: keys
// sorted, one space of indentation, text split into lines, so that a
// notebook read and written again is unchanged, and WriteFile never leaves a
// half-written file behind.
package ipynb

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Cell types.
const (
	Code     = "code"
	Markdown = "markdown"
	Raw      = "raw"
)

// Output types.
const (
	Stream        = "stream"
	DisplayData   = "display_data"
	ExecuteResult = "execute_result"
	Error         = "error"
)

// Notebook is an nbformat 4 notebook.
type Notebook struct {
	NBFormat      int            // 4
	NBFormatMinor int            // 5 for notebooks with cell ids
	Metadata      map[string]any // kernelspec, language_info, ...
	Cells         []*Cell
	Extra         map[string]json.RawMessage // top-level keys not listed above
}

// Cell is one cell of a notebook.
type Cell struct {
	Type           string // Code, Markdown or Raw
	ID             string // required from nbformat 4.5 on
	Source         string
	Metadata       map[string]any
	Outputs        []*Output      // code cells only
	ExecutionCount *int           // code cells only; nil until the cell runs
	Attachments    map[string]any // markdown and raw cells only
	Extra          map[string]json.RawMessage
}

// Output is one output of a code cell.
type Output struct {
	Type string // Stream, DisplayData, ExecuteResult or Error

	// Stream.
	Name string // "stdout" or "stderr"
	Text string

	// DisplayData and ExecuteResult: MIME type to value. A value is a
	// string, except for JSON types (application/json, */*+json), whose value
	// is the decoded JSON.
	Data           map[string]any
	Metadata       map[string]any
	ExecutionCount *int // ExecuteResult only

	// Error.
	EName     string
	EValue    string
	Traceback []string

	// DisplayID is the transient display id of a DisplayData output, which
	// later update_display_data messages refer to. It is not saved.
	DisplayID string

	Extra map[string]json.RawMessage
}

// New returns an empty notebook of format 4.5 with Go's language metadata.
func New() *Notebook {
	return &Notebook{
		NBFormat:      4,
		NBFormatMinor: 5,
		Metadata: map[string]any{
			"language_info": map[string]any{"name": "go"},
		},
	}
}

// PlainText returns the text/plain value of a display or result output, ""
// where there is none.
func (o *Output) PlainText() string {
	s, _ := o.Data["text/plain"].(string)
	return s
}

// ErrFormat wraps the errors of Parse about content that is not an nbformat 4
// notebook.
var ErrFormat = errors.New("ipynb: not an nbformat 4 notebook")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// ReadFile reads and parses the notebook in the file at path.
func ReadFile(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nb, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return nb, nil
}

// Read reads and parses a notebook.
func Read(r io.Reader) (*Notebook, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

// object is a JSON object whose values are decoded on demand.
type object map[string]json.RawMessage

func decodeObject(b []byte, what string) (object, error) {
	var o object
	if err := json.Unmarshal(b, &o); err != nil || o == nil {
		return nil, formatErr("%s is not a JSON object", what)
	}
	return o, nil
}

// take removes key from o and decodes its value into v; it reports whether
// the key was there.
func (o object) take(key string, v any, what string) (bool, error) {
	raw, ok := o[key]
	if !ok {
		return false, nil
	}
	delete(o, key)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return true, formatErr("%s: bad %q: %v", what, key, err)
	}
	return true, nil
}

// takeText removes key from o and decodes a multi-line string: a string or
// a list of strings.
func (o object) takeText(key string, what string) (string, bool, error) {
	raw, ok := o[key]
	if !ok {
		return "", false, nil
	}
	delete(o, key)
	s, err := decodeText(raw)
	if err != nil {
		return "", true, formatErr("%s: bad %q: %v", what, key, err)
	}
	return s, true, nil
}

func decodeText(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return "", errors.New("want a string or a list of strings")
	}
	return strings.Join(lines, ""), nil
}

func (o object) takeMap(key, what string) (map[string]any, error) {
	var m map[string]any
	if _, err := o.take(key, &m, what); err != nil {
		return nil, err
	}
	return m, nil
}

func (o object) takeCount(key, what string) (*int, error) {
	var n *int
	if _, err := o.take(key, &n, what); err != nil {
		return nil, err
	}
	return n, nil
}

func (o object) extra() map[string]json.RawMessage {
	if len(o) == 0 {
		return nil
	}
	return o
}

// Parse parses a notebook from its JSON text.
func Parse(b []byte) (*Notebook, error) {
	o, err := decodeObject(b, "notebook")
	if err != nil {
		return nil, err
	}
	nb := &Notebook{}
	if ok, err := o.take("nbformat", &nb.NBFormat, "notebook"); err != nil {
		return nil, err
	} else if !ok {
		return nil, formatErr("no nbformat key")
	}
	if nb.NBFormat != 4 {
		return nil, formatErr("nbformat %d; only 4 is supported (convert with jupyter nbconvert --to notebook)", nb.NBFormat)
	}
	if _, err := o.take("nbformat_minor", &nb.NBFormatMinor, "notebook"); err != nil {
		return nil, err
	}
	if nb.NBFormatMinor < 0 {
		return nil, formatErr("negative nbformat_minor")
	}
	if nb.Metadata, err = o.takeMap("metadata", "notebook"); err != nil {
		return nil, err
	}
	var cells []json.RawMessage
	if ok, err := o.take("cells", &cells, "notebook"); err != nil {
		return nil, err
	} else if !ok {
		return nil, formatErr("no cells key")
	}
	for i, raw := range cells {
		c, err := parseCell(raw, fmt.Sprintf("cell %d", i+1))
		if err != nil {
			return nil, err
		}
		nb.Cells = append(nb.Cells, c)
	}
	nb.Extra = o.extra()
	return nb, nil
}

func parseCell(raw json.RawMessage, what string) (*Cell, error) {
	o, err := decodeObject(raw, what)
	if err != nil {
		return nil, err
	}
	c := &Cell{}
	if _, err := o.take("cell_type", &c.Type, what); err != nil {
		return nil, err
	}
	switch c.Type {
	case Code, Markdown, Raw:
	default:
		return nil, formatErr("%s: unknown cell_type %q", what, c.Type)
	}
	if _, err := o.take("id", &c.ID, what); err != nil {
		return nil, err
	}
	if c.Source, _, err = o.takeText("source", what); err != nil {
		return nil, err
	}
	if c.Metadata, err = o.takeMap("metadata", what); err != nil {
		return nil, err
	}
	if c.Type == Code {
		if c.ExecutionCount, err = o.takeCount("execution_count", what); err != nil {
			return nil, err
		}
		var outs []json.RawMessage
		if _, err := o.take("outputs", &outs, what); err != nil {
			return nil, err
		}
		for i, raw := range outs {
			out, err := parseOutput(raw, fmt.Sprintf("%s, output %d", what, i+1))
			if err != nil {
				return nil, err
			}
			c.Outputs = append(c.Outputs, out)
		}
	} else {
		if c.Attachments, err = o.takeMap("attachments", what); err != nil {
			return nil, err
		}
	}
	c.Extra = o.extra()
	return c, nil
}

// IsJSONType reports whether a MIME type's value is JSON rather than text.
func IsJSONType(mime string) bool {
	return mime == "application/json" || strings.HasSuffix(mime, "+json")
}

func parseOutput(raw json.RawMessage, what string) (*Output, error) {
	o, err := decodeObject(raw, what)
	if err != nil {
		return nil, err
	}
	out := &Output{}
	if _, err := o.take("output_type", &out.Type, what); err != nil {
		return nil, err
	}
	switch out.Type {
	case Stream:
		if _, err := o.take("name", &out.Name, what); err != nil {
			return nil, err
		}
		if out.Text, _, err = o.takeText("text", what); err != nil {
			return nil, err
		}
	case DisplayData, ExecuteResult:
		var data map[string]json.RawMessage
		if _, err := o.take("data", &data, what); err != nil {
			return nil, err
		}
		if data != nil {
			out.Data = make(map[string]any, len(data))
		}
		for mime, raw := range data {
			if IsJSONType(mime) {
				var v any
				if err := unmarshalNumber(raw, &v); err != nil {
					return nil, formatErr("%s: bad %q data: %v", what, mime, err)
				}
				out.Data[mime] = v
				continue
			}
			s, err := decodeText(raw)
			if err != nil {
				return nil, formatErr("%s: bad %q data: %v", what, mime, err)
			}
			out.Data[mime] = s
		}
		if out.Metadata, err = o.takeMap("metadata", what); err != nil {
			return nil, err
		}
		if out.Type == ExecuteResult {
			if out.ExecutionCount, err = o.takeCount("execution_count", what); err != nil {
				return nil, err
			}
		}
	case Error:
		for key, dst := range map[string]*string{"ename": &out.EName, "evalue": &out.EValue} {
			if _, err := o.take(key, dst, what); err != nil {
				return nil, err
			}
		}
		if _, err := o.take("traceback", &out.Traceback, what); err != nil {
			return nil, err
		}
	default:
		return nil, formatErr("%s: unknown output_type %q", what, out.Type)
	}
	out.Extra = o.extra()
	return out, nil
}

func unmarshalNumber(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// splitMIMEs are the non-text MIME types Jupyter writes as lists of lines.
var splitMIMEs = map[string]bool{"application/javascript": true, "image/svg+xml": true}

// lines splits s after each newline, as Python's str.splitlines(True) does
// for "\n"; Jupyter stores multi-line strings so.
func lines(s string) []string {
	out := []string{}
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

func putExtra(m map[string]any, extra map[string]json.RawMessage) {
	for k, v := range extra {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func (o *Output) jsonValue() map[string]any {
	m := map[string]any{"output_type": o.Type}
	switch o.Type {
	case Stream:
		m["name"] = o.Name
		m["text"] = lines(o.Text)
	case DisplayData, ExecuteResult:
		data := map[string]any{}
		for mime, v := range o.Data {
			if s, ok := v.(string); ok && (strings.HasPrefix(mime, "text/") || splitMIMEs[mime]) {
				data[mime] = lines(s)
			} else {
				data[mime] = v
			}
		}
		m["data"] = data
		m["metadata"] = nonNil(o.Metadata)
		if o.Type == ExecuteResult {
			m["execution_count"] = o.ExecutionCount
		}
	case Error:
		m["ename"] = o.EName
		m["evalue"] = o.EValue
		tb := o.Traceback
		if tb == nil {
			tb = []string{}
		}
		m["traceback"] = tb
	}
	putExtra(m, o.Extra)
	return m
}

func (c *Cell) jsonValue() map[string]any {
	m := map[string]any{
		"cell_type": c.Type,
		"metadata":  nonNil(c.Metadata),
		"source":    lines(c.Source),
	}
	if c.ID != "" {
		m["id"] = c.ID
	}
	if c.Type == Code {
		outs := make([]any, 0, len(c.Outputs))
		for _, o := range c.Outputs {
			outs = append(outs, o.jsonValue())
		}
		m["outputs"] = outs
		m["execution_count"] = c.ExecutionCount
	} else if c.Attachments != nil {
		m["attachments"] = c.Attachments
	}
	putExtra(m, c.Extra)
	return m
}

// Marshal returns the JSON text of nb in Jupyter's canonical form, ending in
// a newline.
func Marshal(nb *Notebook) ([]byte, error) {
	cells := make([]any, 0, len(nb.Cells))
	for _, c := range nb.Cells {
		cells = append(cells, c.jsonValue())
	}
	m := map[string]any{
		"cells":          cells,
		"metadata":       nonNil(nb.Metadata),
		"nbformat":       nb.NBFormat,
		"nbformat_minor": nb.NBFormatMinor,
	}
	putExtra(m, nb.Extra)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("ipynb: %w", err)
	}
	return buf.Bytes(), nil
}

// Write writes nb to w in Jupyter's canonical form.
func Write(w io.Writer, nb *Notebook) error {
	b, err := Marshal(nb)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// WriteFile writes nb to the file at path atomically: it writes a temporary
// file in the same folder and renames it over path, so a reader sees the old
// notebook or the new one, never a part.
func WriteFile(path string, nb *Notebook) error {
	b, err := Marshal(nb)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, b, 0o644)
}

// WriteFileAtomic writes data to path through a temporary file in the same
// folder and a rename. An existing file keeps its permissions; a new one gets
// perm.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// EnsureIDs gives every cell without an id a fresh random one, as nbformat
// 4.5 requires, and raises NBFormatMinor to 5 when it is lower.
func (nb *Notebook) EnsureIDs() {
	seen := map[string]bool{}
	for _, c := range nb.Cells {
		if c.ID != "" && !seen[c.ID] {
			seen[c.ID] = true
			continue
		}
		for {
			var b [4]byte
			rand.Read(b[:])
			id := hex.EncodeToString(b[:])
			if !seen[id] {
				c.ID = id
				seen[id] = true
				break
			}
		}
	}
	if nb.NBFormatMinor < 5 {
		nb.NBFormatMinor = 5
	}
}

// ClearOutputs removes the outputs and execution counts of all code cells.
func (nb *Notebook) ClearOutputs() {
	for _, c := range nb.Cells {
		if c.Type == Code {
			c.Outputs = nil
			c.ExecutionCount = nil
		}
	}
}

// SortedKeys returns the keys of m in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
