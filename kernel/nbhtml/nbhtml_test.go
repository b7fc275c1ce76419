package nbhtml

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/kernel/ipynb"
)

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"# Title", "<h1>Title</h1>\n"},
		{"### Three ###", "<h3>Three</h3>\n"},
		{"#nospace", "<p>#nospace</p>\n"},
		{"one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>\n"},
		{"*em* and **strong** and ***both***", "<p><em>em</em> and <strong>strong</strong> and <strong><em>both</em></strong></p>\n"},
		{"snake_case_name and _em_", "<p>snake_case_name and <em>em</em></p>\n"},
		{"a * b * c", "<p>a * b * c</p>\n"},
		{"`a < b` and ``x`y``", "<p><code>a &lt; b</code> and <code>x`y</code></p>\n"},
		{"math $a*b*c$ stays, $$x_1 + x_2$$ too", `<p>math <span class="math" title="$a*b*c$">a*b*c</span> stays, <span class="math" title="$$x_1 + x_2$$">x<sub>1</sub> + x<sub>2</sub></span> too</p>` + "\n"},
		{"costs $5 and $6", "<p>costs $5 and $6</p>\n"},
		{"$$\n\\frac{a}{b}\n$$", "<div class=\"math\" title=\"$$\n\\frac{a}{b}\n$$\n\">a/b</div>\n"},
		{"```go\nfmt.Println(\"<x>\")\n```", "<pre><code class=\"language-go\">fmt.Println(&#34;&lt;x&gt;&#34;)\n</code></pre>\n"},
		{"    indented\n    code", "<pre><code>indented\ncode\n</code></pre>\n"},
		{"- a\n- b *c*\n- d", "<ul>\n<li>a</li>\n<li>b <em>c</em></li>\n<li>d</li>\n</ul>\n"},
		{"1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n"},
		{"3. three\n4. four", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n"},
		{"- a\n  - nested\n- b", "<ul>\n<li>a\n<ul>\n<li>nested</li>\n</ul>\n</li>\n<li>b</li>\n</ul>\n"},
		{"- a\n\n- b", "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>\n"},
		{"> quoted\n> text", "<blockquote>\n<p>quoted\ntext</p>\n</blockquote>\n"},
		{"---", "<hr>\n"},
		{"[link](http://x.org \"T\") and ![alt *x*](p.png)", `<p><a href="http://x.org" title="T">link</a> and <img src="p.png" alt="alt x"></p>` + "\n"},
		{"<https://go.dev>", `<p><a href="https://go.dev">https://go.dev</a></p>` + "\n"},
		{"a <b>bold</b> &amp; <3", "<p>a <b>bold</b> &amp; &lt;3</p>\n"},
		{"<div align=\"center\">\nraw\n</div>", "<div align=\"center\">\nraw\n</div>\n"},
		{"| a | b |\n|:--|--:|\n| 1 | `x|y` |", "<table>\n<thead><tr><th style=\"text-align:left\">a</th><th style=\"text-align:right\">b</th></tr></thead>\n<tbody>\n<tr><td style=\"text-align:left\">1</td><td style=\"text-align:right\"><code>x|y</code></td></tr>\n</tbody>\n</table>\n"},
		{"line one  \nline two", "<p>line one<br>\nline two</p>\n"},
		{`\*not em\*`, "<p>*not em*</p>\n"},
		{"para\n# heading", "<p>para</p>\n<h1>heading</h1>\n"},
	} {
		if got := Markdown(tc.in); got != tc.want {
			t.Errorf("Markdown(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestMarkdownNeverPanics(t *testing.T) {
	for _, in := range []string{"", "*", "**", "***", "[", "[a](", "![", "`", "$", "$$", "- ", "1.", "|", "|-|", "> ", "```", "<", "&", "\\", "_a_b_", "* * *x", "- a\n\n\n", "\t- x\n\t\t- y"} {
		_ = Markdown(in)
	}
}

func FuzzMarkdown(f *testing.F) {
	f.Add("# a\n\n- *b* `c` $d$\n\n| x |\n|---|\n| y |\n")
	f.Fuzz(func(t *testing.T, s string) { _ = Markdown(s) })
}

func TestRender(t *testing.T) {
	dir := t.TempDir()
	png := []byte("\x89PNG\r\n\x1a\nfake")
	if err := os.WriteFile(filepath.Join(dir, "pic.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	one := 1
	nb := ipynb.New()
	nb.Cells = []*ipynb.Cell{
		{Type: ipynb.Markdown, Source: "# Lesson <1>\n\nSee ![pic](pic.png) and ![att](attachment:a.png).",
			Attachments: map[string]any{"a.png": map[string]any{"image/png": "QUJD\n"}}},
		{Type: ipynb.Code, Source: "fmt.Println(\"<hi>\")", ExecutionCount: &one, Outputs: []*ipynb.Output{
			{Type: ipynb.Stream, Name: "stdout", Text: "\x1b[31m<hi>\x1b[0m\n"},
			{Type: ipynb.DisplayData, Data: map[string]any{"image/png": "iVBO\nRw0=\n", "text/plain": "img"}},
			{Type: ipynb.DisplayData, Data: map[string]any{"image/svg+xml": "<?xml version=\"1.0\"?>\n<svg><circle r=\"1\"/></svg>"}},
			{Type: ipynb.DisplayData, Data: map[string]any{"text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "t"}},
			{Type: ipynb.DisplayData, Data: map[string]any{"text/markdown": "**bold**"}},
			{Type: ipynb.ExecuteResult, Data: map[string]any{"text/plain": "a < b"}},
			{Type: ipynb.Error, EName: "panic", EValue: "boom", Traceback: []string{"\x1b[1mpanic: boom\x1b[0m", "goroutine 1"}},
		}},
		{Type: ipynb.Raw, Source: "raw & text"},
	}
	var b strings.Builder
	if err := Render(&b, nb, Options{BaseDir: dir}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"<title>Lesson &lt;1&gt;</title>",
		"<h1>Lesson &lt;1&gt;</h1>",
		`<img src="data:image/png;base64,iVBORw0KGgpmYWtl" alt="pic">`,
		`<img src="data:image/png;base64,QUJD" alt="att">`,
		"<pre class=\"source\"><code>fmt.Println(&#34;&lt;hi&gt;&#34;)</code></pre>",
		"<div class=\"prompt\">[1]:</div>",
		"<pre class=\"stream\">&lt;hi&gt;\n</pre>",
		`<img src="data:image/png;base64,iVBORw0=" alt="">`,
		`<div class="output"><svg><circle r="1"/></svg></div>`,
		"<table><tr><td>1</td></tr></table>",
		"<strong>bold</strong>",
		"<pre>a &lt; b</pre>",
		"<pre class=\"error\">panic: boom\ngoroutine 1</pre>",
		"<pre>raw &amp; text</pre>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"\x1b", "<script", "http://", "<?xml"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

func TestMarkdownEmphasisAcrossLines(t *testing.T) {
	got := Markdown("a **strong\nphrase** and `code`\nend")
	if !strings.Contains(got, "<strong>strong\nphrase</strong>") {
		t.Errorf("emphasis across a line break not rendered: %q", got)
	}
}

func TestTeX(t *testing.T) {
	for _, c := range []struct{ tex, want string }{
		{`\bar v_{-1} = \bar v_1 \frac{\partial v_1}{\partial v_{-1}}`, "v\u0304<sub>−1</sub> = v\u0304<sub>1</sub>∂v<sub>1</sub>/∂v<sub>−1</sub>"},
		{`\Theta^{(l)} \leftarrow \Theta - \eta \nabla L`, "Θ<sup>(l)</sup> ← Θ − η∇L"},
		{`f: \mathbb{R}^n \to \mathbb{R}^m`, "f : ℝ<sup>n</sup> → ℝ<sup>m</sup>"},
		{`\begin{bmatrix}1 \\ a\end{bmatrix}`, "[1; a]"},
		{`\unknown x`, `\unknownx`},
	} {
		if got := texHTML(c.tex); got != c.want {
			t.Errorf("texHTML(%q) = %q, want %q", c.tex, got, c.want)
		}
	}
}
