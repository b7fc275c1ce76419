// Command mknb writes the lesson notebooks from their Markdown sources:
//
//	go run ./notebooks/internal/mknb -src notebooks/src -out notebooks
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gradbook/gradbook/kernel/ipynb"
	"github.com/gradbook/gradbook/notebooks"
)

func main() {
	src := flag.String("src", "src", "folder of the lessons' Markdown sources")
	out := flag.String("out", ".", "folder for the .ipynb files")
	flag.Parse()
	paths, err := filepath.Glob(filepath.Join(*src, "*.md"))
	if err != nil || len(paths) == 0 {
		fmt.Fprintf(os.Stderr, "mknb: no lessons in %s\n", *src)
		os.Exit(1)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mknb:", err)
			os.Exit(1)
		}
		name := strings.TrimSuffix(filepath.Base(p), ".md")
		dst := filepath.Join(*out, name+".ipynb")
		if err := ipynb.WriteFile(dst, notebooks.FromMarkdown(name, string(b))); err != nil {
			fmt.Fprintln(os.Stderr, "mknb:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", dst)
	}
}
