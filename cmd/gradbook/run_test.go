package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/kernel/ipynb"
)

func TestInstallAndRunUsage(t *testing.T) {
	for _, name := range []string{"install", "run"} {
		code, out, _ := runCmd("help", name)
		if code != 0 || !strings.HasPrefix(out, "usage: gradbook "+name) {
			t.Errorf("help %s: status %d, stdout %q", name, code, out)
		}
		code, out, _ = runCmd(name, "--help")
		if code != 0 || !strings.HasPrefix(out, "usage: gradbook "+name) {
			t.Errorf("%s --help: status %d, stdout %q", name, code, out)
		}
	}
	_, out, _ := runCmd("help")
	if !strings.Contains(out, "install ") || !strings.Contains(out, "run ") {
		t.Errorf("the command list lacks install or run:\n%s", out)
	}
}

func TestParseFlags(t *testing.T) {
	flags, pos, err := parseFlags([]string{"a.ipynb", "--out", "o", "-timeout=5s", "b.ipynb", "--check", "--", "--c"},
		[]string{"out", "timeout"}, []string{"check"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(flags, map[string]string{"out": "o", "timeout": "5s", "check": "true"}) ||
		!reflect.DeepEqual(pos, []string{"a.ipynb", "b.ipynb", "--c"}) {
		t.Errorf("flags %v, positional %q", flags, pos)
	}
	for _, args := range [][]string{{"--out"}, {"--bogus"}, {"--check=yes"}} {
		if _, _, err := parseFlags(args, []string{"out"}, []string{"check"}); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
}

func TestRunBadInput(t *testing.T) {
	dir := t.TempDir()
	nb := filepath.Join(dir, "a.ipynb")
	os.WriteFile(nb, []byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}`), 0o644)
	other := filepath.Join(dir, "sub")
	os.Mkdir(other, 0o755)
	os.WriteFile(filepath.Join(other, "a.ipynb"), []byte(`{}`), 0o644)
	for _, args := range [][]string{
		{"run"},
		{"run", nb, "--timeout", "soon"},
		{"run", nb, "--timeout", "-1s"},
		{"run", filepath.Join(dir, "missing.ipynb")},
		{"run", dir},
		{"run", nb, filepath.Join(other, "a.ipynb"), "--out", t.TempDir()},
		{"install", "extra"},
		{"install", "--bogus"},
	} {
		code, out, errOut := runCmd(args...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want 2 and one line", args, code, out, errOut)
		}
	}
}

func TestPlanRun(t *testing.T) {
	dir := t.TempDir()
	nb := filepath.Join(dir, "lesson.ipynb")
	os.WriteFile(nb, []byte(`{}`), 0o644)
	jobs, err := planRun([]string{nb}, "")
	if err != nil {
		t.Fatal(err)
	}
	if jobs[0].outNotebook != filepath.Join(dir, "lesson.out.ipynb") || jobs[0].outHTML != filepath.Join(dir, "lesson.html") {
		t.Errorf("beside the input: %+v; the input must not be overwritten", jobs[0])
	}
	out := t.TempDir()
	jobs, _ = planRun([]string{nb}, out)
	if jobs[0].outNotebook != filepath.Join(out, "lesson.ipynb") || jobs[0].outHTML != filepath.Join(out, "lesson.html") {
		t.Errorf("with --out: %+v", jobs[0])
	}
}

// slowKernel skips tests that run the real kernel under -short and where
// there is no go command.
func slowKernel(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("slow: builds and runs the GoNB kernel")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
}

func writeNotebook(t *testing.T, path string, cells ...*ipynb.Cell) {
	t.Helper()
	nb := ipynb.New()
	nb.NBFormatMinor = 4 // no ids: run adds them
	nb.Cells = cells
	if err := ipynb.WriteFile(path, nb); err != nil {
		t.Fatal(err)
	}
}

func TestRunNotebooks(t *testing.T) {
	slowKernel(t)
	// A Jupyter data folder without the kernelspec: run installs it first.
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	t.Setenv("JUPYTER_PATH", "")
	dir := t.TempDir()
	good := filepath.Join(dir, "good.ipynb")
	writeNotebook(t, good,
		&ipynb.Cell{Type: ipynb.Markdown, Source: "# A *good* notebook\n\nIt prints $x^2$."},
		&ipynb.Cell{Type: ipynb.Code, Source: "import \"github.com/gradbook/gradbook/dl\"\n\nvar x = dl.Scalar(3)"},
		&ipynb.Cell{Type: ipynb.Code, Source: "%%\nfmt.Println(\"x² =\", x.Mul(x))",
			Outputs: []*ipynb.Output{{Type: ipynb.Stream, Name: "stdout", Text: "stale output"}}},
	)
	out := filepath.Join(t.TempDir(), "results")
	code, stdout, stderr := runCmd("run", good, "--out", out, "--timeout", "2m")
	if code != 0 {
		t.Fatalf("status %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "kernels", "gradbook", "kernel.json")); err != nil {
		t.Errorf("run did not install the missing kernelspec: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "[1/2]") || !strings.Contains(stderr, "[2/2]") || !strings.Contains(stderr, "ok ") {
		t.Errorf("no per-cell progress:\n%s", stderr)
	}
	nb, err := ipynb.ReadFile(filepath.Join(out, "good.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells[2].Outputs) != 1 || nb.Cells[2].Outputs[0].Text != "x² = 9\n" || *nb.Cells[2].ExecutionCount != 2 {
		t.Errorf("executed cell %+v", nb.Cells[2])
	}
	if nb.NBFormatMinor != 5 || nb.Cells[0].ID == "" {
		t.Errorf("the executed notebook lacks cell ids")
	}
	if ks, _ := nb.Metadata["kernelspec"].(map[string]any); ks["name"] != "gradbook" {
		t.Errorf("metadata %v", nb.Metadata)
	}
	page, err := os.ReadFile(filepath.Join(out, "good.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<h1>A <em>good</em> notebook</h1>", `<span class="math" title="$x^2$">x<sup>2</sup></span>`, "x² = 9", "dl.Scalar(3)"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}

	// A failing cell: its source and error on stderr, status 1, the
	// outputs so far written, and the cells after it not run.
	bad := filepath.Join(dir, "bad.ipynb")
	writeNotebook(t, bad,
		&ipynb.Cell{Type: ipynb.Code, Source: "%%\nfmt.Println(\"first\")"},
		&ipynb.Cell{Type: ipynb.Code, Source: "%%\nvar s []int\nfmt.Println(s[3])"},
		&ipynb.Cell{Type: ipynb.Code, Source: "%%\nfmt.Println(\"never\")"},
	)
	code, _, stderr = runCmd("run", bad, "--timeout", "2m")
	if code != 1 {
		t.Fatalf("status %d, want 1\n%s", code, stderr)
	}
	for _, want := range []string{"cell 2", "fmt.Println(s[3])", "index out of range", "bad.out.ipynb"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	nb, err = ipynb.ReadFile(filepath.Join(dir, "bad.out.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells[0].Outputs) != 1 || len(nb.Cells[1].Outputs) == 0 || len(nb.Cells[2].Outputs) != 0 {
		t.Errorf("outputs per cell: %d %d %d", len(nb.Cells[0].Outputs), len(nb.Cells[1].Outputs), len(nb.Cells[2].Outputs))
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.html")); err != nil {
		t.Error(err)
	}
	if b, _ := os.ReadFile(bad); strings.Contains(string(b), "first\\n") {
		t.Error("run overwrote its input")
	}
}

func TestInstallIdempotentAndCheck(t *testing.T) {
	slowKernel(t)
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	t.Setenv("JUPYTER_PATH", "")
	code, first, errOut := runCmd("install")
	if code != 0 {
		t.Fatalf("install: status %d\n%s\n%s", code, first, errOut)
	}
	spec := filepath.Join(data, "kernels", "gradbook", "kernel.json")
	if !strings.Contains(first, "written: "+spec) {
		t.Errorf("first install did not say it wrote %s:\n%s", spec, first)
	}
	code, second, _ := runCmd("install")
	if code != 0 || !strings.Contains(second, "tools up to date") || !strings.Contains(second, "unchanged") || strings.Contains(second, "building") {
		t.Errorf("second install rebuilt or rewrote something:\n%s", second)
	}
	code, check, _ := runCmd("install", "--check")
	for _, what := range []string{"go ", "gonb ", "goimports ", "kernelspec ", "module dependencies "} {
		if !strings.Contains(check, what) {
			t.Errorf("--check does not report %q:\n%s", what, check)
		}
	}
	if code != 0 || strings.Contains(check, "MISSING") {
		t.Errorf("--check after install: status %d\n%s", code, check)
	}
	b, _ := os.ReadFile(spec)
	for _, want := range []string{`"GOPROXY": "off"`, "--go_work=", `"interrupt_mode": "message"`, "${PATH}"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("kernel.json lacks %s:\n%s", want, b)
		}
	}

	// Without the kernelspec, --check says so and how to fix it.
	t.Setenv("JUPYTER_DATA_DIR", t.TempDir())
	code, check, _ = runCmd("install", "--check")
	if code != 1 || !strings.Contains(check, "kernelspec           MISSING") || !strings.Contains(check, "gradbook install") {
		t.Errorf("--check without a kernelspec: status %d\n%s", code, check)
	}
}
