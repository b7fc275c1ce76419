package ipynb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// jupyterNotebook is a notebook as Jupyter writes it, with every kind of cell
// and output, a key this package does not know, and metadata.
const jupyterNotebook = `{
 "cells": [
  {
   "cell_type": "markdown",
   "id": "a1",
   "metadata": {},
   "source": [
    "# Title\n",
    "\n",
    "Some *text* and $x^2$."
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 3,
   "id": "b2",
   "metadata": {
    "tags": [
     "slow"
    ]
   },
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "hello\n",
      "world\n"
     ]
    },
    {
     "data": {
      "application/json": {
       "a": 1.50,
       "b": [
        1,
        2
       ]
      },
      "image/png": "iVBORw0KGgo=\n",
      "text/html": [
       "<b>x</b>\n",
       "<i>y</i>"
      ],
      "text/plain": [
       "x"
      ]
     },
     "metadata": {
      "image/png": {
       "width": 10
      }
     },
     "output_type": "display_data"
    },
    {
     "data": {
      "text/plain": [
       "42"
      ]
     },
     "execution_count": 3,
     "metadata": {},
     "output_type": "execute_result"
    },
    {
     "ename": "panic",
     "evalue": "boom",
     "output_type": "error",
     "traceback": [
      "line 1",
      "line 2"
     ]
    }
   ],
   "source": [
    "fmt.Println(\"hello\")\n",
    "fmt.Println(\"world\")"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "id": "c3",
   "metadata": {},
   "outputs": [],
   "source": []
  },
  {
   "attachments": {
    "x.png": {
     "image/png": "AAAA"
    }
   },
   "cell_type": "raw",
   "id": "d4",
   "metadata": {},
   "source": [
    "raw <&> text"
   ],
   "unknown_cell_key": true
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "Go (gradbook)",
   "language": "go",
   "name": "gradbook"
  },
  "language_info": {
   "name": "go"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
`

func TestRoundTripIsIdentity(t *testing.T) {
	nb, err := Parse([]byte(jupyterNotebook))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Marshal(nb)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != jupyterNotebook {
		t.Errorf("read and written again, the notebook changed:\n%s\nwant\n%s", got, jupyterNotebook)
	}
}

func TestParseFields(t *testing.T) {
	nb, err := Parse([]byte(jupyterNotebook))
	if err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells) != 4 {
		t.Fatalf("%d cells, want 4", len(nb.Cells))
	}
	md, code, empty, raw := nb.Cells[0], nb.Cells[1], nb.Cells[2], nb.Cells[3]
	if md.Type != Markdown || md.Source != "# Title\n\nSome *text* and $x^2$." || md.ID != "a1" {
		t.Errorf("markdown cell %+v", md)
	}
	if code.Type != Code || *code.ExecutionCount != 3 || code.Source != "fmt.Println(\"hello\")\nfmt.Println(\"world\")" {
		t.Errorf("code cell %+v", code)
	}
	if empty.ExecutionCount != nil || empty.Source != "" || len(empty.Outputs) != 0 {
		t.Errorf("empty cell %+v", empty)
	}
	if raw.Type != Raw || raw.Attachments == nil || string(raw.Extra["unknown_cell_key"]) != "true" {
		t.Errorf("raw cell %+v", raw)
	}
	outs := code.Outputs
	if len(outs) != 4 {
		t.Fatalf("%d outputs, want 4", len(outs))
	}
	if outs[0].Type != Stream || outs[0].Name != "stdout" || outs[0].Text != "hello\nworld\n" {
		t.Errorf("stream %+v", outs[0])
	}
	if outs[1].Data["text/html"] != "<b>x</b>\n<i>y</i>" || outs[1].Data["image/png"] != "iVBORw0KGgo=\n" {
		t.Errorf("display data %+v", outs[1].Data)
	}
	if j, ok := outs[1].Data["application/json"].(map[string]any); !ok || len(j) != 2 {
		t.Errorf("application/json is %#v, want the decoded object", outs[1].Data["application/json"])
	}
	if outs[2].PlainText() != "42" || *outs[2].ExecutionCount != 3 {
		t.Errorf("execute result %+v", outs[2])
	}
	if outs[3].EName != "panic" || outs[3].EValue != "boom" || !reflect.DeepEqual(outs[3].Traceback, []string{"line 1", "line 2"}) {
		t.Errorf("error %+v", outs[3])
	}
}

func TestParseLenient(t *testing.T) {
	// Hand-written: sources as single strings, no metadata, no ids, minor 4.
	const in = `{"nbformat": 4, "nbformat_minor": 4, "cells": [
		{"cell_type": "code", "source": "a := 1\nb := 2\n"},
		{"cell_type": "markdown", "source": "hi"}]}`
	nb, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if nb.Cells[0].Source != "a := 1\nb := 2\n" || nb.Cells[1].Source != "hi" {
		t.Errorf("sources %q %q", nb.Cells[0].Source, nb.Cells[1].Source)
	}
	out, err := Marshal(nb)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"source": [
    "a := 1\n",
    "b := 2\n"
   ]`) {
		t.Errorf("source not written as lines:\n%s", out)
	}
	nb.EnsureIDs()
	if nb.NBFormatMinor != 5 || nb.Cells[0].ID == "" || nb.Cells[0].ID == nb.Cells[1].ID {
		t.Errorf("EnsureIDs: minor %d, ids %q %q", nb.NBFormatMinor, nb.Cells[0].ID, nb.Cells[1].ID)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		``,
		`[]`,
		`{"cells": []}`,
		`{"nbformat": 3, "cells": []}`,
		`{"nbformat": 4}`,
		`{"nbformat": 4, "cells": [{"cell_type": "heading"}]}`,
		`{"nbformat": 4, "cells": [{"cell_type": "code", "outputs": [{"output_type": "pyout"}]}]}`,
		`{"nbformat": 4, "cells": [{"cell_type": "code", "source": 7}]}`,
		`{"nbformat": 4, "cells": [{"cell_type": "code", "execution_count": "x"}]}`,
	} {
		if _, err := Parse([]byte(in)); !errors.Is(err, ErrFormat) {
			t.Errorf("Parse(%q) = %v, want an ErrFormat", in, err)
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nb.ipynb")
	nb := New()
	nb.Cells = append(nb.Cells, &Cell{Type: Code, Source: "1+1"})
	if err := WriteFile(path, nb); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	nb.Cells[0].Source = "2+2"
	if err := WriteFile(path, nb); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Cells[0].Source != "2+2" {
		t.Errorf("source %q", got.Cells[0].Source)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the old file's 0600", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// A folder that does not exist: an error, and nothing written.
	if err := WriteFile(filepath.Join(dir, "no", "nb.ipynb"), nb); err == nil {
		t.Error("WriteFile into a missing folder succeeded")
	}
}

func TestLines(t *testing.T) {
	for in, want := range map[string][]string{
		"":       {},
		"a":      {"a"},
		"a\n":    {"a\n"},
		"a\nb":   {"a\n", "b"},
		"\n\n":   {"\n", "\n"},
		"a\r\nb": {"a\r\n", "b"},
	} {
		if got := lines(in); !reflect.DeepEqual(got, want) {
			t.Errorf("lines(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(jupyterNotebook))
	f.Add([]byte(`{"nbformat": 4, "nbformat_minor": 2, "cells": [{"cell_type": "code", "source": "x"}], "metadata": {"n": 1e400}}`))
	f.Add([]byte(`{"nbformat": 4, "cells": [{"cell_type": "markdown", "source": ["a", "b"], "x": null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		nb, err := Parse(data)
		if err != nil {
			return
		}
		first, err := Marshal(nb)
		if err != nil {
			// Only numbers JSON cannot hold in a float64 are refused.
			if !strings.Contains(err.Error(), "json") {
				t.Fatalf("Marshal: %v", err)
			}
			return
		}
		again, err := Parse(first)
		if err != nil {
			t.Fatalf("the written notebook does not parse: %v\n%s", err, first)
		}
		second, err := Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("writing is not stable:\n%s\nthen\n%s", first, second)
		}
	})
}
