package viz

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/backprop"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/train"
)

// HTMLer is a value that renders itself as self-contained HTML (no
// scripts, no external files). Show displays it in a notebook and writes
// it to an .html file elsewhere (unless it is also a fmt.Stringer: then
// it prints).
type HTMLer interface {
	HTML() string
}

// SVGer is a value that renders itself as an SVG document. Show displays
// it inline in a notebook and writes an .svg file elsewhere.
type SVGer interface {
	SVG() string
}

// PNGer is a value that renders itself as a PNG image. Show displays it in
// a notebook and writes a .png file elsewhere.
type PNGer interface {
	PNG() []byte
}

// Show displays each x as best it can. In a GoNB notebook (detected by the
// GONB_PIPE environment variable) it sends x to the cell's output:
// figures and graphs as inline SVG, images as PNG, tables (trace tables,
// model summaries, backprop tables, training histories) as styled HTML,
// anything else as text. Elsewhere it prints text tables and other text
// to standard output, and writes pictures to files in the output folder
// (SetDir; the current folder by default), printing their paths:
//
//	wrote loss-curve.svg
//
// File names come from the kind of picture; a name used before in the same
// process gets a number (loss-curve-2.svg). Output is self-contained and,
// for the same inputs, the same bytes on every run.
//
// Show understands *Figure, *GraphDrawing, *LiveView, *dl.Table, *dl.Trace,
// *nn.SummaryTable, *backprop.Explanation, *train.History, image.Image,
// and any SVGer, PNGer, HTMLer or fmt.Stringer, in that order of
// preference.
func Show(xs ...any) {
	for _, x := range xs {
		r := represent(x)
		if inNotebook() {
			publish(r.bundle(), "")
			syncNotebook()
			continue
		}
		if err := r.writeOut(output()); err != nil {
			fmt.Fprintln(os.Stderr, "viz:", err)
		}
	}
}

// stdout, when set, is where Show prints outside a notebook instead of
// os.Stdout (read at each call, so that a redirected os.Stdout counts).
var stdout io.Writer

func output() io.Writer {
	if stdout != nil {
		return stdout
	}
	return os.Stdout
}

var (
	outMu   sync.Mutex
	outDir  = "."
	outUsed = map[string]int{}
)

// SetDir sets the folder where Show writes its files outside a notebook
// and returns the previous one. The folder must exist.
func SetDir(dir string) (previous string) {
	outMu.Lock()
	defer outMu.Unlock()
	previous, outDir = outDir, dir
	return previous
}

// nextPath returns a fresh file path for a picture named base.
func nextPath(base, ext string) string {
	outMu.Lock()
	defer outMu.Unlock()
	if base == "" {
		base = "figure"
	}
	key := filepath.Join(outDir, base+ext)
	outUsed[key]++
	name := base + ext
	if n := outUsed[key]; n > 1 {
		name = fmt.Sprintf("%s-%d%s", base, n, ext)
	}
	return filepath.Join(outDir, name)
}

// Save writes x to path in the format its extension names: .svg, .png,
// .html, .md (tables), or .txt. It returns an error when x cannot be
// rendered that way or the file cannot be written; the file is written
// whole or not at all.
func Save(x any, path string) error {
	r := represent(x)
	var data []byte
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".svg":
		if r.svg == "" {
			return fmt.Errorf("viz: Save %s: %T has no SVG rendering", path, x)
		}
		data = []byte(r.svg)
	case ".png":
		switch {
		case r.png != nil:
			data = r.png
		case r.fig != nil:
			b, err := r.fig.renderPNG()
			if err != nil {
				return fmt.Errorf("viz: Save %s: %w", path, err)
			}
			data = b
		default:
			return fmt.Errorf("viz: Save %s: %T has no PNG rendering", path, x)
		}
	case ".html", ".htm":
		data = []byte(htmlPage(r.title(), r.htmlBody()))
	case ".md":
		if r.markdown == "" {
			return fmt.Errorf("viz: Save %s: %T has no Markdown rendering", path, x)
		}
		data = []byte(r.markdown)
	case ".txt":
		if r.text == "" {
			return fmt.Errorf("viz: Save %s: %T has no text rendering", path, x)
		}
		data = []byte(r.text)
	default:
		return fmt.Errorf("viz: Save %s: unknown extension %q (want .svg, .png, .html, .md or .txt)", path, ext)
	}
	return writeFileAtomic(path, data)
}

// HTML returns the self-contained HTML that Show displays for x in a
// notebook: a figure as inline SVG, an image as a base64 PNG, a table
// styled, text preformatted.
func HTML(x any) string { return represent(x).htmlBody() }

// rep is what a value looks like in every form Show and Save can use.
type rep struct {
	name     string // file name base
	svg      string
	png      []byte
	html     string
	text     string
	markdown string
	fig      *Figure
}

func represent(x any) rep {
	switch v := x.(type) {
	case nil:
		return rep{name: "value", text: "<nil>\n"}
	case *Figure:
		return rep{name: v.baseName(), svg: v.SVG(), text: v.String() + "\n", fig: v}
	case *dl.Table:
		return rep{name: "table", html: TableHTML(v), text: v.String(), markdown: v.Markdown()}
	case *nn.SummaryTable:
		return rep{name: "summary", html: TableHTML(&v.Table), text: v.String(), markdown: v.Markdown()}
	case *dl.Trace:
		return rep{name: "trace", html: TraceHTML(v), text: v.String(), markdown: v.Primal().Markdown() + "\n" + v.Adjoint().Markdown()}
	case *backprop.Explanation:
		return rep{name: "backprop", html: ExplanationHTML(v), text: v.String(),
			markdown: v.Steps(0).Markdown() + "\n" + v.Gradients().Markdown()}
	case *train.History:
		t := v.Table()
		h := TableHTML(t)
		if v.Stopped != "" {
			h += `<p class="gradbook-note">stopped: ` + html.EscapeString(v.Stopped) + "</p>\n"
		}
		return rep{name: "history", html: h, text: v.String(), markdown: t.Markdown()}
	case image.Image:
		var b bytes.Buffer
		if err := png.Encode(&b, v); err != nil {
			return rep{name: "image", text: "viz: " + err.Error() + "\n"}
		}
		bd := v.Bounds()
		return rep{name: "image", png: b.Bytes(), text: fmt.Sprintf("image %d×%d\n", bd.Dx(), bd.Dy())}
	}
	r := rep{name: "figure"}
	if n, ok := x.(interface{ baseName() string }); ok {
		r.name = n.baseName()
	}
	if s, ok := x.(fmt.Stringer); ok {
		r.text = ensureNewline(s.String())
	}
	switch v := x.(type) {
	case SVGer:
		r.svg = v.SVG()
	case PNGer:
		r.png = v.PNG()
	case HTMLer:
		r.html = v.HTML()
		if r.name == "figure" {
			r.name = "page"
		}
	default:
		if r.text == "" {
			if e, ok := x.(error); ok {
				r.text = ensureNewline(e.Error())
			} else {
				r.text = ensureNewline(fmt.Sprint(x))
			}
		}
	}
	return r
}

func ensureNewline(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

func (r rep) title() string {
	if r.fig != nil && r.fig.title != "" {
		return r.fig.title
	}
	return r.name
}

// htmlBody is the representation as an HTML fragment.
func (r rep) htmlBody() string {
	switch {
	case r.svg != "":
		return `<div class="gradbook-figure" style="max-width:100%;overflow-x:auto">` + inlineSVG(r.svg) + "</div>\n"
	case r.png != nil:
		return `<img alt="` + html.EscapeString(strings.TrimSpace(r.text)) + `" src="data:image/png;base64,` + b64(r.png) + `">` + "\n"
	case r.html != "":
		return r.html
	}
	return `<pre class="gradbook-text">` + html.EscapeString(r.text) + "</pre>\n"
}

// inlineSVG strips the XML declaration so the SVG can sit inside HTML,
// and lets it shrink to the width of a narrow output area.
func inlineSVG(svg string) string {
	if strings.HasPrefix(svg, "<?xml") {
		if i := strings.Index(svg, "?>"); i >= 0 {
			svg = strings.TrimLeft(svg[i+2:], "\n")
		}
	}
	return strings.Replace(svg, "<svg ", `<svg style="max-width:100%;height:auto" `, 1)
}

// writeOut is Show outside a notebook: text is printed, pictures are
// written to files whose paths are printed.
func (r rep) writeOut(w io.Writer) error {
	var path string
	var err error
	switch {
	case r.svg != "":
		path = nextPath(r.name, ".svg")
		err = writeFileAtomic(path, []byte(r.svg))
	case r.png != nil:
		path = nextPath(r.name, ".png")
		err = writeFileAtomic(path, r.png)
	case r.text != "":
		_, err = io.WriteString(w, r.text)
		return err
	default:
		path = nextPath(r.name, ".html")
		err = writeFileAtomic(path, []byte(htmlPage(r.name, r.htmlBody())))
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "wrote %s\n", path)
	return err
}

// htmlPage wraps an HTML fragment into a standalone page.
func htmlPage(title, body string) string {
	return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html.EscapeString(title) +
		"</title></head>\n<body style=\"font-family:'Liberation Sans',Arial,Helvetica,sans-serif\">\n" + body + "</body></html>\n"
}
