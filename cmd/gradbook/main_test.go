package main

import (
	"bytes"
	"strings"
	"testing"
)

// runCmd runs gradbook with args and returns its exit status and output.
func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsage(t *testing.T) {
	code, out, errOut := runCmd()
	if code != 2 || out != "" || !strings.Contains(errOut, "usage: gradbook") || !strings.Contains(errOut, "trace") {
		t.Errorf("no arguments: status %d, stdout %q, stderr %q; want 2 and the usage, listing trace, on stderr", code, out, errOut)
	}
	for _, help := range []string{"help", "-h", "--help"} {
		code, out, _ := runCmd(help)
		if code != 0 || !strings.Contains(out, "usage: gradbook") || !strings.Contains(out, "trace ") {
			t.Errorf("%s: status %d, stdout %q; want 0 and the usage", help, code, out)
		}
	}
	code, out, _ = runCmd("help", "trace")
	if code != 0 || !strings.HasPrefix(out, "usage: gradbook trace EXPR") {
		t.Errorf("help trace: status %d, stdout %q", code, out)
	}
	code, out, _ = runCmd("trace", "--help")
	if code != 0 || !strings.HasPrefix(out, "usage: gradbook trace EXPR") {
		t.Errorf("trace --help: status %d, stdout %q", code, out)
	}
}

func TestUnknownCommand(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"help", "bogus"}} {
		code, out, errOut := runCmd(args...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `unknown command "bogus"`) {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want 2 and one line", args, code, out, errOut)
		}
	}
}
