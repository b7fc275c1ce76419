package kernel

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// The tools the kernel runs, pinned. kernel/tools/go.mod pins the same
// versions (a test checks that they agree); these constants serve when
// gradbook runs without its source tree.
const (
	GoNBModule       = "github.com/janpfeifer/gonb"
	GoNBVersion      = "v0.11.4"
	GoimportsPackage = "golang.org/x/tools/cmd/goimports"
	GoimportsVersion = "v0.52.0" // of golang.org/x/tools
)

// ModulePath is gradbook's module path.
const ModulePath = "github.com/gradbook/gradbook"

// DefaultName is the name of gradbook's kernelspec.
const DefaultName = "gradbook"

// InstallOptions configure Prepare and Install. The zero value installs
// the default kernelspec for the gradbook checkout around the current
// folder.
type InstallOptions struct {
	// Root is the gradbook module's folder, which notebooks import from
	// (GoNB's --go_work). Default: FindRoot.
	Root string
	// CacheDir holds the built tools in its bin folder. Default: CacheDir().
	CacheDir string
	// DataDir is the Jupyter data folder the kernelspec goes into, as
	// DataDir/kernels/NAME. Default: UserDataDir(), i.e. $JUPYTER_DATA_DIR
	// or the per-user folder.
	DataDir string
	// Name is the kernelspec's name; default DefaultName.
	Name string
	// Force rebuilds the tools even when they are up to date.
	Force bool
	// Log receives one line per step; nil: nothing is printed.
	Log io.Writer
}

// Installation describes an installed (or prepared) kernel.
type Installation struct {
	Root      string // the gradbook module's folder
	BinDir    string // the folder with gonb and goimports
	GoNB      string // path of the gonb binary
	Goimports string // path of the goimports binary
	GoBinDir  string // the folder of the go command the kernel uses
	Spec      *Spec  // the kernelspec; Spec.Dir is empty until Install writes it
	Built     bool   // the tools were built by this call
	Written   bool   // kernel.json was written (new or changed) by this call
}

// CacheDir returns the folder for gradbook's built tools: $GRADBOOK_CACHE,
// or gradbook under the user's cache folder.
func CacheDir() (string, error) {
	if d := os.Getenv("GRADBOOK_CACHE"); d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("kernel: no cache folder (set GRADBOOK_CACHE): %w", err)
	}
	return filepath.Join(d, "gradbook"), nil
}

// ErrNoRoot is returned when the gradbook module's folder cannot be found.
var ErrNoRoot = errors.New("kernel: cannot find the gradbook module (run inside a gradbook checkout or pass its folder)")

// FindRoot finds the gradbook module's folder: the folder, among the
// current one and those above it, whose go.mod declares ModulePath; failing
// that, the same search from the running program's folder; failing that,
// for a released gradbook binary, its module in the module cache.
func FindRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		if exe, err := filepath.EvalSymlinks(exe); err == nil {
			starts = append(starts, filepath.Dir(exe))
		}
	}
	for _, dir := range starts {
		if root, ok := rootAbove(dir); ok {
			return root, nil
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path == ModulePath && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		out, err := exec.Command("go", "mod", "download", "-json", ModulePath+"@"+bi.Main.Version).Output()
		if err == nil {
			var m struct{ Dir string }
			if json.Unmarshal(out, &m) == nil && m.Dir != "" {
				return m.Dir, nil
			}
		}
	}
	return "", ErrNoRoot
}

func rootAbove(dir string) (string, bool) {
	for {
		if isRoot(dir) {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// isRoot reports whether dir holds gradbook's go.mod.
func isRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if mod, ok := strings.CutPrefix(line, "module"); ok {
			return strings.Trim(strings.TrimSpace(mod), `"`) == ModulePath
		}
	}
	return false
}

func (o *InstallOptions) defaults() error {
	var err error
	if o.Root == "" {
		if o.Root, err = FindRoot(); err != nil {
			return err
		}
	}
	if o.Root, err = filepath.Abs(o.Root); err != nil {
		return err
	}
	if !isRoot(o.Root) {
		return fmt.Errorf("kernel: %s does not hold the module %s", o.Root, ModulePath)
	}
	if o.CacheDir == "" {
		if o.CacheDir, err = CacheDir(); err != nil {
			return err
		}
	}
	if o.DataDir == "" {
		if o.DataDir, err = UserDataDir(); err != nil {
			return err
		}
	}
	if o.Name == "" {
		o.Name = DefaultName
	}
	return nil
}

func (o *InstallOptions) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}

// exe adds the platform's executable suffix.
func exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// goEnv returns the values of go env for the names.
func goEnv(ctx context.Context, names ...string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"env"}, names...)...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%v: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return nil, fmt.Errorf("kernel: go env: %w", err)
	}
	vals := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(vals) != len(names) {
		return nil, fmt.Errorf("kernel: go env printed %d lines for %d names", len(vals), len(names))
	}
	return vals, nil
}

// runGo runs the go command in dir with extra environment entries and
// returns its combined output in the error.
func runGo(ctx context.Context, dir string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("kernel: go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, bytes.TrimSpace(out))
	}
	return nil
}

// stamp records what the tools in the bin folder were built from.
type stamp struct {
	Module string `json:"module"` // sha256 of the tools module's go.mod and go.sum
	Go     string `json:"go"`     // go version
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
}

// toolsSource returns the folder of the tools module: kernel/tools in the
// root, or, where the root lacks it (gradbook from the module cache), one
// made in the cache from the pinned versions.
func toolsSource(ctx context.Context, o *InstallOptions) (string, error) {
	dir := filepath.Join(o.Root, "kernel", "tools")
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return dir, nil
	}
	dir = filepath.Join(o.CacheDir, "tools-"+GoNBVersion+"-"+GoimportsVersion)
	if _, err := os.Stat(filepath.Join(dir, "go.sum")); err == nil {
		return dir, nil
	}
	tmp, err := os.MkdirTemp(o.CacheDir, ".tools-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	mod := "module gradbook-kernel-tools\n\ngo 1.26\n"
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte(mod), 0o644); err != nil {
		return "", err
	}
	if err := runGo(ctx, tmp, []string{"GOWORK=off"}, "get", "-tool", GoNBModule+"@"+GoNBVersion, GoimportsPackage+"@"+GoimportsVersion); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil && !isExist(err) {
		return "", err
	}
	return dir, nil
}

func isExist(err error) bool {
	return errors.Is(err, os.ErrExist) || strings.Contains(err.Error(), "not empty")
}

// Prepare builds the pinned tools into the cache when they are missing or
// out of date, makes sure the module cache holds the gradbook module's
// dependencies (the kernel runs with GOPROXY=off), and returns the
// kernelspec, without writing it.
func Prepare(ctx context.Context, opts InstallOptions) (*Installation, error) {
	o := &opts
	if err := o.defaults(); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("go"); err != nil {
		return nil, fmt.Errorf("kernel: the go command is not on PATH; install Go 1.26 or later from https://go.dev/dl/")
	}
	env, err := goEnv(ctx, "GOVERSION", "GOROOT", "GOPROXY")
	if err != nil {
		return nil, err
	}
	goVersion, goRoot, goProxy := env[0], env[1], env[2]
	inst := &Installation{
		Root:     o.Root,
		BinDir:   filepath.Join(o.CacheDir, "bin"),
		GoBinDir: filepath.Join(goRoot, "bin"),
	}
	inst.GoNB = filepath.Join(inst.BinDir, exe("gonb"))
	inst.Goimports = filepath.Join(inst.BinDir, exe("goimports"))
	o.logf("gradbook module: %s", o.Root)

	if err := os.MkdirAll(o.CacheDir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := lockFile(filepath.Join(o.CacheDir, ".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	src, err := toolsSource(ctx, o)
	if err != nil {
		return nil, err
	}
	want, err := toolsStamp(src, goVersion)
	if err != nil {
		return nil, err
	}
	if o.Force || !upToDate(inst, want) {
		o.logf("building gonb %s and goimports %s into %s (a minute or two the first time) ...", GoNBVersion, GoimportsVersion, inst.BinDir)
		start := time.Now()
		if err := buildTools(ctx, src, inst, want); err != nil {
			return nil, err
		}
		inst.Built = true
		o.logf("built the tools in %.1fs", time.Since(start).Seconds())
	} else {
		o.logf("tools up to date: %s, %s", inst.GoNB, inst.Goimports)
	}

	// The kernel runs with GOPROXY=off: everything notebooks import through
	// the go.work must be in the module cache.
	if err := runGo(ctx, o.Root, []string{"GOWORK=off", "GOFLAGS=-mod=mod"}, "mod", "download"); err != nil {
		return nil, err
	}
	o.logf("module dependencies of %s are in the module cache", ModulePath)

	inst.Spec = newSpec(o.Name, inst, goProxy)
	return inst, nil
}

func toolsStamp(src, goVersion string) (stamp, error) {
	h := sha256.New()
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return stamp{}, err
		}
		h.Write(b)
	}
	return stamp{Module: hex.EncodeToString(h.Sum(nil)), Go: goVersion, GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}, nil
}

func stampPath(inst *Installation) string { return filepath.Join(inst.BinDir, ".stamp.json") }

// upToDate reports whether the binaries exist and were built from want.
func upToDate(inst *Installation, want stamp) bool {
	for _, p := range []string{inst.GoNB, inst.Goimports} {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() {
			return false
		}
	}
	b, err := os.ReadFile(stampPath(inst))
	if err != nil {
		return false
	}
	var got stamp
	return json.Unmarshal(b, &got) == nil && got == want
}

// buildTools builds gonb and goimports from the tools module into a
// temporary folder and renames them into the bin folder, so that concurrent
// installs and running kernels never see half a binary.
func buildTools(ctx context.Context, src string, inst *Installation, st stamp) error {
	if err := os.MkdirAll(inst.BinDir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(inst.BinDir, ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := runGo(ctx, src, []string{"GOWORK=off", "CGO_ENABLED=0"},
		"build", "-trimpath", "-o", tmp+string(filepath.Separator), GoNBModule, GoimportsPackage); err != nil {
		return err
	}
	for _, name := range []string{"gonb", "goimports"} {
		if err := os.Rename(filepath.Join(tmp, exe(name)), filepath.Join(inst.BinDir, exe(name))); err != nil {
			return err
		}
	}
	b, _ := json.Marshal(st)
	return os.WriteFile(stampPath(inst), b, 0o644)
}

// newSpec returns the kernelspec for an installation.
func newSpec(name string, inst *Installation, goProxy string) *Spec {
	sep := string(os.PathListSeparator)
	path := []string{inst.BinDir, inst.GoBinDir, "${PATH}"}
	if runtime.GOOS != "windows" {
		// For a Jupyter that does not expand ${PATH}: the usual folders.
		path = append(path, "/usr/local/bin", "/usr/bin", "/bin")
	}
	display := "Go (gradbook)"
	if name != DefaultName {
		display = "Go (" + name + ")"
	}
	return &Spec{
		Name: name,
		Argv: []string{inst.GoNB, "--kernel", "{connection_file}", "--go_work=" + inst.Root},
		// GoNB's own installer also asks for interrupt_request messages.
		InterruptMode: "message",
		DisplayName:   display,
		Language:      "go",
		Env: map[string]string{
			"PATH": strings.Join(path, sep),
			// No module proxy round trip per cell (GoNB runs "go get" before
			// every cell): imports resolve through the go.work and the module
			// cache. GRADBOOK_GOPROXY keeps the proxy for explicit fetches.
			"GOPROXY":          "off",
			"GRADBOOK_GOPROXY": goProxy,
			// Cells link internally without gcc: half a second less per
			// cell. gradbook needs no cgo (OpenBLAS and CUDA load through
			// purego); a cell that does can run %env CGO_ENABLED=1.
			"CGO_ENABLED": "0",
		},
		Metadata: map[string]any{
			"gradbook": map[string]any{"root": inst.Root, "gonb": GoNBVersion, "goimports": GoimportsVersion},
		},
	}
}

// Install prepares the tools (see Prepare) and writes the kernelspec to
// DataDir/kernels/NAME/kernel.json, unless it is already there unchanged.
func Install(ctx context.Context, opts InstallOptions) (*Installation, error) {
	o := &opts
	if err := o.defaults(); err != nil {
		return nil, err
	}
	inst, err := Prepare(ctx, *o)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(o.DataDir, "kernels", o.Name)
	want, err := json.MarshalIndent(inst.Spec, "", "  ")
	if err != nil {
		return nil, err
	}
	want = append(want, '\n')
	if got, err := os.ReadFile(filepath.Join(dir, "kernel.json")); err == nil && bytes.Equal(got, want) {
		o.logf("kernelspec %q unchanged: %s", o.Name, filepath.Join(dir, "kernel.json"))
	} else {
		if err := WriteSpec(dir, inst.Spec); err != nil {
			return nil, err
		}
		inst.Written = true
		o.logf("kernelspec %q written: %s", o.Name, filepath.Join(dir, "kernel.json"))
	}
	inst.Spec.Dir = dir
	return inst, nil
}

// CheckItem is one line of Check's report.
type CheckItem struct {
	What     string // "go", "gonb", ...
	OK       bool
	Optional bool   // gradbook run works without it
	Detail   string // what was found, or what is wrong
	Fix      string // how to get it, when not OK
}

// Check reports what the kernel needs and what is missing: go, the gradbook
// module, gonb and goimports, the module dependencies, the kernelspec and
// (optional, for notebooks in a browser) Jupyter.
func Check(ctx context.Context, opts InstallOptions) []CheckItem {
	var items []CheckItem
	add := func(it CheckItem) { items = append(items, it) }
	o := &opts
	rootErr := o.defaults()

	goPath, err := exec.LookPath("go")
	var goVersion, goProxy string
	if err != nil {
		add(CheckItem{What: "go", Detail: "the go command is not on PATH", Fix: "install Go 1.26 or later from https://go.dev/dl/ and put its bin folder on PATH"})
	} else if env, err := goEnv(ctx, "GOVERSION", "GOPROXY"); err != nil {
		add(CheckItem{What: "go", Detail: err.Error(), Fix: "repair the Go installation at " + goPath})
	} else {
		goVersion, goProxy = env[0], env[1]
		add(CheckItem{What: "go", OK: true, Detail: goVersion + " at " + goPath})
	}

	if rootErr != nil {
		add(CheckItem{What: "gradbook module", Detail: rootErr.Error(), Fix: "run in a gradbook checkout (git clone) or pass --root DIR"})
	} else {
		add(CheckItem{What: "gradbook module", OK: true, Detail: o.Root})
	}

	if rootErr == nil && goVersion != "" {
		bin := filepath.Join(o.CacheDir, "bin")
		inst := &Installation{BinDir: bin, GoNB: filepath.Join(bin, exe("gonb")), Goimports: filepath.Join(bin, exe("goimports"))}
		current := false
		src := filepath.Join(o.Root, "kernel", "tools")
		if _, err := os.Stat(filepath.Join(src, "go.mod")); err != nil {
			src = filepath.Join(o.CacheDir, "tools-"+GoNBVersion+"-"+GoimportsVersion)
		}
		if want, err := toolsStamp(src, goVersion); err == nil {
			current = upToDate(inst, want)
		}
		for _, t := range []struct{ name, path, version string }{
			{"gonb", inst.GoNB, GoNBVersion}, {"goimports", inst.Goimports, GoimportsVersion}} {
			it := CheckItem{What: t.name, Fix: "run: gradbook install (builds it from the module proxy)"}
			if _, err := os.Stat(t.path); err != nil {
				it.Detail = "not built: " + t.path + " is missing"
			} else if !current {
				it.Detail = t.path + " is out of date (other pins or another Go)"
			} else {
				it.OK, it.Detail = true, t.version+" at "+t.path
			}
			add(it)
		}
		it := CheckItem{What: "module dependencies", Fix: "run: gradbook install (downloads them)"}
		if err := runGo(ctx, o.Root, []string{"GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off"}, "mod", "download"); err != nil {
			it.Detail = "not all in the module cache, which the kernel needs (it runs with GOPROXY=off)"
		} else {
			it.OK, it.Detail = true, "in the module cache"
		}
		add(it)
		spec, err := FindSpec(o.Name)
		it = CheckItem{What: "kernelspec", Fix: "run: gradbook install"}
		switch {
		case err != nil:
			it.Detail = fmt.Sprintf("no kernelspec %q in %s", o.Name, strings.Join(DataDirs(), ", "))
		case spec.Argv[0] != inst.GoNB:
			it.Detail = fmt.Sprintf("%s runs %s, not %s", filepath.Join(spec.Dir, "kernel.json"), spec.Argv[0], inst.GoNB)
		default:
			want := newSpec(o.Name, &Installation{Root: o.Root, BinDir: bin, GoNB: inst.GoNB}, goProxy)
			if !containsArg(spec.Argv, want.Argv[3]) {
				it.Detail = fmt.Sprintf("%s is for another gradbook folder than %s", filepath.Join(spec.Dir, "kernel.json"), o.Root)
			} else {
				it.OK, it.Detail = true, filepath.Join(spec.Dir, "kernel.json")
			}
		}
		add(it)
	}

	if p, err := exec.LookPath("jupyter"); err != nil {
		add(CheckItem{What: "jupyter", Optional: true, Detail: "not on PATH: needed to open notebooks in a browser, not by gradbook run",
			Fix: "Debian/Ubuntu: sudo apt-get install jupyter-notebook (or jupyter-nbconvert for headless runs); elsewhere: pip install jupyterlab"})
	} else {
		add(CheckItem{What: "jupyter", OK: true, Optional: true, Detail: p})
	}
	return items
}

func containsArg(argv []string, arg string) bool {
	for _, a := range argv {
		if a == arg {
			return true
		}
	}
	return false
}
