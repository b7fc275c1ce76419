package notebooks

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/kernel/ipynb"
)

// The committed notebooks are exactly what their sources generate.
func TestNotebooksMatchSources(t *testing.T) {
	srcs, _ := filepath.Glob("src/*.md")
	if len(srcs) == 0 {
		t.Fatal("no lesson sources in src/")
	}
	for _, p := range srcs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(p), ".md")
		want, err := ipynb.Marshal(FromMarkdown(name, string(b)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name + ".ipynb")
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s.ipynb is out of date with %s: run go generate ./notebooks", name, p)
		}
	}
}

func TestFromMarkdown(t *testing.T) {
	nb := FromMarkdown("x", "# Title\n\nSome text.\n\n```go\n%%\nfmt.Println(1)\n```\n\nMore.\n---\nLast.\n")
	var kinds []string
	for _, c := range nb.Cells {
		kinds = append(kinds, c.Type+":"+c.Source)
	}
	want := []string{"markdown:# Title\n\nSome text.", "code:%%\nfmt.Println(1)", "markdown:More.", "markdown:Last."}
	if strings.Join(kinds, "|") != strings.Join(want, "|") {
		t.Errorf("cells %q, want %q", kinds, want)
	}
}
