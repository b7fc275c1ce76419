package kernel

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestToolsModulePinsMatch(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("tools", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod := string(b)
	for _, want := range []string{
		`(?m)^module github.com/gradbook/gradbook/kernel/tools$`,
		`(?m)^\s+` + regexp.QuoteMeta(GoNBModule) + `$`, // tool directives
		`(?m)^\s+` + regexp.QuoteMeta(GoimportsPackage) + `$`,
		`(?m)^\s+` + regexp.QuoteMeta(GoNBModule+" "+GoNBVersion) + `\b`,
		`(?m)^\s+golang.org/x/tools ` + regexp.QuoteMeta(GoimportsVersion) + `\b`,
	} {
		if !regexp.MustCompile(want).MatchString(mod) {
			t.Errorf("kernel/tools/go.mod does not match %s; the constants in install.go and the tools module must pin the same versions", want)
		}
	}
	if _, err := os.Stat(filepath.Join("tools", "go.sum")); err != nil {
		t.Error(err)
	}
}

func TestFindRootAndSpec(t *testing.T) {
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "kernel", "tools", "go.mod")); err != nil || !isRoot(root) {
		t.Errorf("root %s is not the gradbook checkout: %v", root, err)
	}
	inst := &Installation{Root: root, BinDir: "/cache/bin", GoNB: "/cache/bin/gonb", GoBinDir: "/go/bin"}
	s := newSpec(DefaultName, inst, "https://proxy.example")
	if s.Argv[0] != "/cache/bin/gonb" || s.Argv[2] != "{connection_file}" || s.Argv[3] != "--go_work="+root {
		t.Errorf("argv %q", s.Argv)
	}
	if s.InterruptMode != "message" || s.Env["GOPROXY"] != "off" || s.Env["GRADBOOK_GOPROXY"] != "https://proxy.example" ||
		!strings.HasPrefix(s.Env["PATH"], "/cache/bin"+string(os.PathListSeparator)+"/go/bin"+string(os.PathListSeparator)+"${PATH}") {
		t.Errorf("spec %+v", s)
	}
	if s.DisplayName != "Go (gradbook)" || newSpec("other", inst, "").DisplayName != "Go (other)" {
		t.Errorf("display names")
	}
}

func TestCheckWithoutGo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("JUPYTER_DATA_DIR", t.TempDir())
	items := Check(context.Background(), InstallOptions{CacheDir: t.TempDir()})
	byWhat := map[string]CheckItem{}
	for _, it := range items {
		byWhat[it.What] = it
	}
	if it := byWhat["go"]; it.OK || !strings.Contains(it.Fix, "go.dev/dl") {
		t.Errorf("go: %+v", it)
	}
	if it := byWhat["jupyter"]; it.OK || !it.Optional || !strings.Contains(it.Fix, "apt-get install") {
		t.Errorf("jupyter: %+v", it)
	}
	if it := byWhat["gradbook module"]; !it.OK {
		t.Errorf("gradbook module: %+v", it)
	}
}
