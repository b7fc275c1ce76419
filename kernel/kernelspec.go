package kernel

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/gradbook/gradbook/kernel/ipynb"
)

// Spec is a Jupyter kernelspec: the kernel.json file of a kernel.
type Spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode,omitempty"` // "signal" (the default) or "message"
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata,omitempty"`

	// Name is the kernel's name, the name of its folder.
	Name string `json:"-"`
	// Dir is the folder that holds kernel.json; empty for a spec not read
	// from disk.
	Dir string `json:"-"`
}

// ErrNoSpec is returned by FindSpec when no kernelspec has the name.
var ErrNoSpec = errors.New("kernel: no such kernelspec")

// UserDataDir returns Jupyter's per-user data folder: $JUPYTER_DATA_DIR, or
// the platform's default (~/.local/share/jupyter on Linux,
// ~/Library/Jupyter on macOS, %APPDATA%\jupyter on Windows).
func UserDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	switch runtime.GOOS {
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if d := os.Getenv("APPDATA"); d != "" {
			return filepath.Join(d, "jupyter"), nil
		}
		return "", errors.New("kernel: APPDATA is not set")
	default:
		if d := os.Getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, "jupyter"), nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, ".local", "share", "jupyter"), nil
	}
}

// DataDirs returns the folders Jupyter searches for kernelspecs, first
// first: $JUPYTER_PATH, the user's data folder, then the system's.
func DataDirs() []string {
	var dirs []string
	for _, d := range filepath.SplitList(os.Getenv("JUPYTER_PATH")) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	if d, err := UserDataDir(); err == nil {
		dirs = append(dirs, d)
	}
	if runtime.GOOS != "windows" {
		dirs = append(dirs, "/usr/local/share/jupyter", "/usr/share/jupyter")
	}
	return dirs
}

// FindSpec finds the kernelspec with the given name in DataDirs.
func FindSpec(name string) (*Spec, error) {
	for _, d := range DataDirs() {
		dir := filepath.Join(d, "kernels", name)
		if _, err := os.Stat(filepath.Join(dir, "kernel.json")); err == nil {
			return ReadSpec(dir)
		}
	}
	return nil, fmt.Errorf("%w %q in %s", ErrNoSpec, name, strings.Join(DataDirs(), ", "))
}

// ReadSpec reads the kernelspec in folder dir.
func ReadSpec(dir string) (*Spec, error) {
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		return nil, err
	}
	var s Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("kernel: %s: %w", filepath.Join(dir, "kernel.json"), err)
	}
	if len(s.Argv) == 0 {
		return nil, fmt.Errorf("kernel: %s: empty argv", filepath.Join(dir, "kernel.json"))
	}
	s.Name = filepath.Base(dir)
	s.Dir = dir
	return &s, nil
}

// WriteSpec writes s as kernel.json in folder dir (created if needed),
// atomically.
func WriteSpec(dir string, s *Spec) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return ipynb.WriteFileAtomic(filepath.Join(dir, "kernel.json"), append(b, '\n'), 0o644)
}

// command returns the kernel's argv, with {connection_file} replaced by
// connFile (and {resource_dir} by the spec's folder), and its environment:
// the current one with the spec's env on top. As in jupyter_client, the
// spec's values may refer to the current environment as $VAR or ${VAR}.
func (s *Spec) command(connFile string) (argv, env []string) {
	for _, a := range s.Argv {
		a = strings.ReplaceAll(a, "{connection_file}", connFile)
		if s.Dir != "" {
			a = strings.ReplaceAll(a, "{resource_dir}", s.Dir)
		}
		argv = append(argv, a)
	}
	env = os.Environ()
	if len(s.Env) == 0 {
		return argv, env
	}
	index := map[string]int{}
	for i, kv := range env {
		if k, _, ok := strings.Cut(kv, "="); ok {
			index[k] = i
		}
	}
	for _, k := range sortedKeys(s.Env) {
		kv := k + "=" + substitute(s.Env[k], os.LookupEnv)
		if i, ok := index[k]; ok {
			env[i] = kv
		} else {
			env = append(env, kv)
		}
	}
	return argv, env
}

// substitute expands $VAR and ${VAR} from lookup as Python's
// string.Template.safe_substitute does: $$ is a dollar, and unknown
// variables are left as written.
func substitute(s string, lookup func(string) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		if s[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		braced := s[i+1] == '{'
		j := i + 1
		if braced {
			j++
		}
		k := j
		for k < len(s) && (s[k] == '_' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || k > j && s[k] >= '0' && s[k] <= '9') {
			k++
		}
		if k == j || braced && (k >= len(s) || s[k] != '}') {
			b.WriteByte('$')
			continue
		}
		name := s[j:k]
		end := k
		if braced {
			end = k + 1
		}
		if v, ok := lookup(name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i:end])
		}
		i = end - 1
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
