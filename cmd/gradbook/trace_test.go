package main

import (
	"strings"
	"testing"
)

const lecture = "ln(x1) + x1*x2 - sin(x2)"

func TestTraceLecture(t *testing.T) {
	code, out, errOut := runCmd("trace", lecture, "x1=2", "x2=5")
	if code != 0 || errOut != "" {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"Forward primal trace", "Reverse adjoint trace", "11.652", "5.5", "1.716", "v₋₁", "x̄₁", "x̄₂"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "tangent") {
		t.Errorf("tangent table without --tangent:\n%s", out)
	}
	// the primal table, a blank line, the adjoint table
	parts := strings.Split(strings.TrimRight(out, "\n"), "\n\n")
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "Forward primal trace\n") || !strings.HasPrefix(parts[1], "Reverse adjoint trace\n") {
		t.Errorf("want the primal and adjoint tables separated by a blank line, got:\n%s", out)
	}
	// y = v₅ = 11.652; x̄₁ = 5.5; x̄₂ = 1.716
	for _, want := range []string{"y    = v₅", "x̄₁   = v̄₋₁                                  = 5.5", "x̄₂   = v̄₀                                   = 1.716"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestTraceFlagsAnywhere(t *testing.T) {
	_, want, _ := runCmd("trace", lecture, "x1=2", "x2=5", "--digits", "4")
	for _, args := range [][]string{
		{"trace", "--digits", "4", lecture, "x1=2", "x2=5"},
		{"trace", lecture, "--digits=4", "x1=2", "x2=5"},
		{"trace", lecture, "x1=2", "-digits", "4", "x2=5"},
		{"trace", "--format", "text", lecture, "x2=5", "x1=2", "--digits", "4"},
	} {
		code, out, errOut := runCmd(args...)
		if code != 0 || out != want {
			t.Errorf("%q: status %d, stderr %q, output\n%s\nwant\n%s", args, code, errOut, out, want)
		}
	}
	if !strings.Contains(want, "11.6521") || !strings.Contains(want, "1.7163") {
		t.Errorf("--digits 4: want 11.6521 and 1.7163 in\n%s", want)
	}
}

func TestTraceTangent(t *testing.T) {
	for _, tt := range []struct{ name, dy string }{{"x1", "5.5"}, {"x2", "1.716"}} {
		code, out, errOut := runCmd("trace", "--tangent", tt.name, lecture, "x1=2", "x2=5")
		if code != 0 {
			t.Fatalf("--tangent %s: status %d, stderr %q", tt.name, code, errOut)
		}
		parts := strings.Split(strings.TrimRight(out, "\n"), "\n\n")
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "Forward tangent trace\n") {
			t.Fatalf("--tangent %s: want three tables, the last the tangent trace:\n%s", tt.name, out)
		}
		lines := strings.Split(parts[2], "\n")
		last := lines[len(lines)-1]
		if !strings.HasPrefix(last, "y\u0307") || !strings.HasSuffix(last, "= "+tt.dy) {
			t.Errorf("--tangent %s: last row %q, want ẏ = %s", tt.name, last, tt.dy)
		}
	}
}

func TestTraceFormats(t *testing.T) {
	code, out, _ := runCmd("trace", lecture, "x1=2", "x2=5", "--format", "markdown", "--tangent", "x2")
	if code != 0 {
		t.Fatalf("markdown: status %d", code)
	}
	for _, want := range []string{"**Forward primal trace**", "**Reverse adjoint trace**", "**Forward tangent trace**", "|---|", "| = 11.652 |", "| = 1.716 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "|\n\n**Reverse adjoint trace**") {
		t.Errorf("markdown tables are not separated by a blank line:\n%s", out)
	}

	code, out, _ = runCmd("trace", "--format=html", lecture, "x1=2", "x2=5")
	if code != 0 {
		t.Fatalf("html: status %d", code)
	}
	for _, want := range []string{"<table", "</table>", "<caption>Forward primal trace</caption>", "<caption>Reverse adjoint trace</caption>", "<td>= 11.652</td>", "<td>= 5.5</td>"} {
		if !strings.Contains(out, want) {
			t.Errorf("html output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "<table"); n != 2 {
		t.Errorf("html: %d tables, want 2", n)
	}
}

func TestTraceOrder(t *testing.T) {
	// By default x1 (first to appear) is v₋₁; --order x2,x1 makes x2 v₋₁.
	_, out, _ := runCmd("trace", lecture, "x1=2", "x2=5")
	if !strings.Contains(out, "v₋₁  = x₁") || !strings.Contains(out, "v₀   = x₂") {
		t.Errorf("default order:\n%s", out)
	}
	code, out, errOut := runCmd("trace", lecture, "x1=2", "x2=5", "--order", "x2,x1")
	if code != 0 || !strings.Contains(out, "v₋₁  = x₂") || !strings.Contains(out, "v₀   = x₁") || !strings.Contains(out, "= 11.652") {
		t.Errorf("--order x2,x1: status %d, stderr %q:\n%s", code, errOut, out)
	}
	// Variables left out of --order follow in order of appearance.
	code, out, _ = runCmd("trace", "a*b + c", "a=1", "b=2", "c=3", "--order=c")
	if code != 0 || !strings.Contains(out, "v₋₂  = c") || !strings.Contains(out, "v₋₁  = a") || !strings.Contains(out, "v₀   = b") {
		t.Errorf("--order=c: status %d:\n%s", code, out)
	}
}

func TestTraceValues(t *testing.T) {
	// A value may be negative or a constant expression; an EXPR may start
	// with a minus sign.
	code, out, errOut := runCmd("trace", "-x^2", "x=-1/2")
	if code != 0 || !strings.Contains(out, "= −0.5") || !strings.Contains(out, "= −0.25") {
		t.Errorf("-x^2 at x=-1/2: status %d, stderr %q:\n%s", code, errOut, out)
	}
	code, out, errOut = runCmd("trace", "--", "--x", "x=1")
	if code != 0 || !strings.Contains(out, "= −(−1)") {
		t.Errorf("-- --x: status %d, stderr %q:\n%s", code, errOut, out)
	}
}

func TestTraceBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string // the whole of stderr
	}{
		{[]string{"x + 2*sinh(x)", "x=1"}, `1:7: unknown function "sinh"`},
		{[]string{"ln(x1) + x1*x2 - sin(x2", "x1=2", "x2=5"}, `1:24: missing ")" to close "sin(" at 1:18, found end of expression`},
		{[]string{"2x", "x=1"}, `1:2: unexpected "x" after a complete expression (multiplication is written with *)`},
		{[]string{"", "x=1"}, `1:1: empty expression`},
		{[]string{"ln(x1) + x1*x2 - sin(x2)", "x1=2"}, `1:13: variable x2 has no value`},
		{[]string{"1/(x-x)", "x=1"}, `1:2: division by zero gives +Inf`},
		{[]string{"x + ln(x - 1)", "x=1"}, `1:5: ln(0) gives -Inf`},
		{[]string{"sqrt(x)", "x=-1"}, `1:1: sqrt(-1) gives NaN`},
		{[]string{"x", "x=1", "z=2"}, `z=2: EXPR has no variable z; its variables are x`},
		{[]string{"x", "x=1", "x=2"}, `x is given a value twice`},
		{[]string{"x", "x=abc"}, `x=abc: a value must be a number or a constant expression, not one with the variable abc`},
		{[]string{"x", "x=1+"}, `x=1+: 1:3: expected a number, a variable, a function call or "(", found end of expression`},
		{[]string{"x", "x=1/0"}, `x=1/0: 1:2: division by zero gives +Inf`},
		{[]string{"x", "x"}, `argument "x" is not NAME=VALUE (EXPR must be a single argument: quote it)`},
		{[]string{"x", "=1"}, `argument "=1" is not NAME=VALUE (EXPR must be a single argument: quote it)`},
		{[]string{}, `missing EXPR (usage: gradbook trace EXPR NAME=VALUE... [flags]; run "gradbook help trace")`},
		{[]string{"x", "x=1", "--tangent", "y"}, `--tangent y: EXPR has no variable y; its variables are x`},
		{[]string{"x", "x=1", "--tangent"}, `flag --tangent needs a value`},
		{[]string{"x", "x=1", "--digits", "-1"}, `--digits -1: want a whole number from 0 to 17`},
		{[]string{"x", "x=1", "--digits", "three"}, `--digits three: want a whole number from 0 to 17`},
		{[]string{"x", "x=1", "--format", "pdf"}, `--format pdf: want text, markdown or html`},
		{[]string{"x", "x=1", "--order", "x,y"}, `--order: EXPR has no variable y; its variables are x`},
		{[]string{"x*y", "x=1", "y=2", "--order", "x,x"}, `--order names x twice`},
		{[]string{"x", "x=1", "--order", "x,"}, `--order x,: empty name in the list`},
		{[]string{"x", "x=1", "--bogus"}, `unknown flag --bogus (the flags are --tangent, --digits, --format and --order)`},
		{[]string{"2", "x=1"}, `x=1: EXPR 2 has no variables, so it has none named x`},
	}
	for _, tt := range tests {
		code, out, errOut := runCmd(append([]string{"trace"}, tt.args...)...)
		if want := "gradbook trace: " + tt.want + "\n"; code != 2 || out != "" || errOut != want {
			t.Errorf("trace %q: status %d, stdout %q, stderr %q\nwant status 2 and stderr %q", tt.args, code, out, errOut, want)
		}
	}
}
