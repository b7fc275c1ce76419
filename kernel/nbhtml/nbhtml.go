// Package nbhtml renders a Jupyter notebook as one self-contained HTML page:
// Markdown cells converted to HTML, code cells with their source and
// outputs, images inline as data: URLs or inline SVG, and no script, style
// sheet or font fetched from elsewhere, so the page works offline and can be
// mailed as it is.
package nbhtml

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gradbook/gradbook/kernel/ipynb"
)

// Options tune Render.
type Options struct {
	// Title is the page title; default: the notebook's first heading, or
	// "Notebook".
	Title string
	// BaseDir is the notebook's folder: Markdown images with a relative
	// path to a file there are inlined. Empty: no file is read.
	BaseDir string
}

// Render writes nb as an HTML page to w.
func Render(w io.Writer, nb *ipynb.Notebook, opts Options) error {
	var b strings.Builder
	title := opts.Title
	if title == "" {
		title = firstHeading(nb)
	}
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n",
		html.EscapeString(title), style)
	for i, c := range nb.Cells {
		switch c.Type {
		case ipynb.Markdown:
			fmt.Fprintf(&b, "<div class=\"cell markdown\" id=\"cell-%d\">\n%s</div>\n", i+1, markdown(c.Source, imageResolver(c, opts.BaseDir)))
		case ipynb.Code:
			fmt.Fprintf(&b, "<div class=\"cell code\" id=\"cell-%d\">\n", i+1)
			count := " "
			if c.ExecutionCount != nil {
				count = fmt.Sprint(*c.ExecutionCount)
			}
			fmt.Fprintf(&b, "<div class=\"input\"><div class=\"prompt\">[%s]:</div><pre class=\"source\"><code>%s</code></pre></div>\n",
				count, html.EscapeString(c.Source))
			if len(c.Outputs) > 0 {
				b.WriteString("<div class=\"outputs\">\n")
				for _, o := range c.Outputs {
					output(&b, o)
				}
				b.WriteString("</div>\n")
			}
			b.WriteString("</div>\n")
		case ipynb.Raw:
			fmt.Fprintf(&b, "<div class=\"cell raw\" id=\"cell-%d\"><pre>%s</pre></div>\n", i+1, html.EscapeString(c.Source))
		}
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// File renders nb into the file at path atomically.
func File(path string, nb *ipynb.Notebook, opts Options) error {
	var buf bytes.Buffer
	if err := Render(&buf, nb, opts); err != nil {
		return err
	}
	return ipynb.WriteFileAtomic(path, buf.Bytes(), 0o644)
}

var reTitle = regexp.MustCompile(`(?m)^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$`)

func firstHeading(nb *ipynb.Notebook) string {
	for _, c := range nb.Cells {
		if c.Type == ipynb.Markdown {
			if m := reTitle.FindStringSubmatch(c.Source); m != nil {
				return plain(m[1])
			}
		}
	}
	return "Notebook"
}

// imageResolver turns attachment: references and relative image files into
// data: URLs.
func imageResolver(c *ipynb.Cell, baseDir string) resolver {
	return func(src string) string {
		if name, ok := strings.CutPrefix(src, "attachment:"); ok {
			if bundle, ok := c.Attachments[name].(map[string]any); ok {
				for _, mt := range ipynb.SortedKeys(bundle) {
					if s, ok := bundle[mt].(string); ok && strings.HasPrefix(mt, "image/") {
						return "data:" + mt + ";base64," + stripSpace(s)
					}
				}
			}
			return src
		}
		if baseDir == "" || strings.Contains(src, ":") || strings.HasPrefix(src, "/") || strings.HasPrefix(src, "//") {
			return src
		}
		path := filepath.Join(baseDir, filepath.FromSlash(src))
		mt := mime.TypeByExtension(filepath.Ext(path))
		if !strings.HasPrefix(mt, "image/") {
			return src
		}
		data, err := os.ReadFile(path)
		if err != nil || len(data) > 16<<20 {
			return src
		}
		return "data:" + mt + ";base64," + base64.StdEncoding.EncodeToString(data)
	}
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

var reANSI = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]|\x1b\\][^\x07]*\x07")

// StripANSI removes terminal escape sequences (colours) from s.
func StripANSI(s string) string { return reANSI.ReplaceAllString(s, "") }

var reXMLDecl = regexp.MustCompile(`^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?`)

// output writes one output.
func output(b *strings.Builder, o *ipynb.Output) {
	switch o.Type {
	case ipynb.Stream:
		class := "stream"
		if o.Name == "stderr" {
			class += " stderr"
		}
		fmt.Fprintf(b, "<pre class=\"%s\">%s</pre>\n", class, html.EscapeString(StripANSI(o.Text)))
	case ipynb.Error:
		var text strings.Builder
		if len(o.Traceback) > 0 {
			text.WriteString(strings.Join(o.Traceback, "\n"))
		} else {
			fmt.Fprintf(&text, "%s: %s", o.EName, o.EValue)
		}
		fmt.Fprintf(b, "<pre class=\"error\">%s</pre>\n", html.EscapeString(StripANSI(text.String())))
	case ipynb.DisplayData, ipynb.ExecuteResult:
		b.WriteString("<div class=\"output\">")
		b.WriteString(mimeBundle(o.Data))
		b.WriteString("</div>\n")
	}
}

// mimeBundle renders the richest representation of a bundle that a page can
// show without scripts.
func mimeBundle(data map[string]any) string {
	str := func(mt string) (string, bool) {
		s, ok := data[mt].(string)
		return s, ok
	}
	if s, ok := str("text/html"); ok {
		return s
	}
	if s, ok := str("image/svg+xml"); ok {
		return reXMLDecl.ReplaceAllString(s, "")
	}
	for _, mt := range []string{"image/png", "image/jpeg", "image/gif", "image/webp"} {
		if s, ok := str(mt); ok {
			return fmt.Sprintf(`<img src="data:%s;base64,%s" alt="">`, mt, stripSpace(s))
		}
	}
	if s, ok := str("text/markdown"); ok {
		return Markdown(s)
	}
	if s, ok := str("text/latex"); ok {
		return fmt.Sprintf(`<div class="math">%s</div>`, html.EscapeString(s))
	}
	for _, mt := range ipynb.SortedKeys(data) {
		if ipynb.IsJSONType(mt) {
			j, err := json.MarshalIndent(data[mt], "", "  ")
			if err == nil {
				return fmt.Sprintf("<pre>%s</pre>", html.EscapeString(string(j)))
			}
		}
	}
	if s, ok := str("text/plain"); ok {
		return fmt.Sprintf("<pre>%s</pre>", html.EscapeString(StripANSI(s)))
	}
	for _, mt := range ipynb.SortedKeys(data) {
		if s, ok := data[mt].(string); ok && strings.HasPrefix(mt, "text/") {
			return fmt.Sprintf("<pre>%s</pre>", html.EscapeString(s))
		}
	}
	return ""
}

const style = `body { margin: 0; background: #fff; color: #1f2328; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 24px 16px 64px; }
.cell { margin: 12px 0; }
.markdown h1, .markdown h2, .markdown h3 { line-height: 1.25; margin: 1.2em 0 0.5em; }
.markdown code, .markdown pre { background: #f6f8fa; border-radius: 4px; }
.markdown code { padding: 0.1em 0.3em; }
.markdown pre { padding: 8px 12px; overflow-x: auto; }
.markdown pre code { padding: 0; }
.markdown table { border-collapse: collapse; }
.markdown th, .markdown td { border: 1px solid #d0d7de; padding: 4px 10px; }
.markdown blockquote { margin: 0; padding: 0 1em; color: #57606a; border-left: 4px solid #d0d7de; }
.markdown img { max-width: 100%; }
.math { font-family: "Latin Modern Math", "STIX Two Math", "DejaVu Serif", serif; font-style: italic; }
.math sub, .math sup { font-size: 70%; }
div.math { margin: 0.8em 0; text-align: center; }
pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; margin: 0; white-space: pre-wrap; word-wrap: break-word; }
.input { display: flex; gap: 8px; }
.prompt { flex: 0 0 48px; color: #6e7781; font: 13px/1.45 ui-monospace, monospace; text-align: right; padding-top: 7px; }
.source { flex: 1; min-width: 0; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 4px; padding: 6px 10px; }
.outputs { margin: 4px 0 0 56px; }
.outputs > * { margin: 4px 0; overflow-x: auto; }
.output img, .output svg { max-width: 100%; height: auto; }
.stderr { background: #fff5f5; }
.error { background: #fff0f0; color: #a40e26; border-left: 3px solid #cf222e; padding: 6px 10px; }
.output table { border-collapse: collapse; }
.output th, .output td { border: 1px solid #d0d7de; padding: 2px 8px; }
`
