package gpu

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestOpenLibraryNotFoundNamesEverythingTried(t *testing.T) {
	env := t.TempDir()
	t.Setenv(cudaPathEnv, env)
	sonames := []string{"libgradbook_absent.so.7", "libgradbook_absent.so"}
	dirs := []string{"/nonexistent/gradbook/lib", env}
	_, err := openLibrary("libgradbook_absent", sonames, dirs)
	if err == nil {
		t.Fatal("openLibrary found a library that does not exist")
	}
	msg := err.Error()
	for _, want := range []string{
		"gpu: libgradbook_absent not found",
		"libgradbook_absent.so.7, libgradbook_absent.so through the dynamic loader",
		env, "/nonexistent/gradbook/lib", cudaPathEnv,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not mention %q:\n%s", want, msg)
		}
	}
	if strings.Count(msg, env) != 1 {
		t.Errorf("error lists %s more than once:\n%s", env, msg)
	}
	if strings.Index(msg, env) > strings.Index(msg, "/nonexistent") {
		t.Errorf("error lists %s's directory after the fixed ones:\n%s", cudaPathEnv, msg)
	}
}

func TestOpenDriverWithEmptyCUDAPath(t *testing.T) {
	env := t.TempDir()
	t.Setenv(cudaPathEnv, env)
	l, err := openLibrary("libcuda", driverSonames, searchDirs())
	if err == nil {
		t.Skipf("libcuda is installed here (%s): nothing to check about its absence", l.Path)
	}
	for _, want := range []string{"libcuda not found", "libcuda.so.1", env, "/usr/local/nvidia/lib64", "GRADBOOK_CUDA_PATH"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%s", want, err)
		}
	}
}

func TestOpenLibraryReportsFileThatFailsToLoad(t *testing.T) {
	env := t.TempDir()
	t.Setenv(cudaPathEnv, env)
	bad := filepath.Join(env, "libgradbook_broken.so.1")
	if err := os.WriteFile(bad, []byte("not an ELF file"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := openLibrary("libgradbook_broken", []string{"libgradbook_broken.so.1"}, nil)
	if err == nil {
		t.Fatal("openLibrary loaded a file that is not a library")
	}
	if !strings.Contains(err.Error(), "failed to load: "+bad) {
		t.Errorf("error does not say that %s failed to load:\n%s", bad, err)
	}
}

// systemLibm finds the C math library, present wherever Go's tests run,
// to stand in for a CUDA library.
func systemLibm(t *testing.T) string {
	for _, p := range []string{"/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6", "/usr/lib64/libm.so.6", "/lib/aarch64-linux-gnu/libm.so.6"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("no libm.so.6 in the usual places")
	return ""
}

func TestOpenLibraryPrefersCUDAPath(t *testing.T) {
	libm := systemLibm(t)
	env := t.TempDir()
	t.Setenv(cudaPathEnv, "/nonexistent/first:"+env)
	link := filepath.Join(env, "libm.so.6")
	if err := os.Symlink(libm, link); err != nil {
		t.Fatal(err)
	}
	l, err := openLibrary("libm", []string{"libm.so.6"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.Path != link || l.Name != "libm" || l.soname != "libm.so.6" {
		t.Fatalf("opened %+v, want libm.so.6 from %s", *l, env)
	}
	if _, err := l.sym("cos"); err != nil {
		t.Fatalf("sym(cos): %v", err)
	}
	_, err = l.sym("gradbook_no_such_function")
	if err == nil || !strings.Contains(err.Error(), "gradbook_no_such_function") || !strings.Contains(err.Error(), link) {
		t.Fatalf("sym of a missing function: %v; want an error naming the function and %s", err, link)
	}
}

func TestOpenLibraryThroughLoader(t *testing.T) {
	systemLibm(t)
	t.Setenv(cudaPathEnv, "")
	l, err := openLibrary("libm", []string{"libgradbook_absent.so.1", "libm.so.6"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.soname != "libm.so.6" {
		t.Fatalf("soname %q, want libm.so.6 (the first that exists)", l.soname)
	}
	if !filepath.IsAbs(l.Path) {
		t.Logf("the loader's file for libm.so.6 could not be read back: Path = %q", l.Path)
	}
}

func TestResolveSymbols(t *testing.T) {
	l, err := openLibrary("libm", []string{"libm.so.6"}, []string{filepath.Dir(systemLibm(t))})
	if err != nil {
		t.Fatal(err)
	}
	var cos, sin, opt uintptr
	err = l.resolve([]symbol{
		{p: &cos, names: []string{"gradbook_cos_v2", "cos"}},
		{p: &opt, names: []string{"gradbook_optional"}, optional: true},
		{p: &sin, names: []string{"sin"}},
	})
	if err != nil || cos == 0 || sin == 0 || opt != 0 {
		t.Fatalf("resolve: err %v, cos %#x, sin %#x, optional %#x; want cos and sin found through their fallbacks", err, cos, sin, opt)
	}
	err = l.resolve([]symbol{{p: &opt, names: []string{"gradbook_required"}}})
	if err == nil || !strings.Contains(err.Error(), "gradbook_required") {
		t.Fatalf("resolve of a missing required symbol: %v", err)
	}
}

func TestSearchDirsOrder(t *testing.T) {
	dirs := searchDirs()
	if !slices.Equal(dirs[:len(fixedDirs)], fixedDirs) {
		t.Fatalf("searchDirs starts %v, want the fixed directories %v", dirs[:len(fixedDirs)], fixedDirs)
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[d] {
			t.Errorf("%s listed twice", d)
		}
		seen[d] = true
	}
}

func TestSplitPathList(t *testing.T) {
	got := splitPathList(":/a::/b/c:")
	if !slices.Equal(got, []string{"/a", "/b/c"}) {
		t.Fatalf("splitPathList = %q", got)
	}
}

func TestLibraryPathsRecordsLoads(t *testing.T) {
	if err := loadNVRTC(); err != nil {
		t.Skipf("no NVRTC here: %v", err)
	}
	p := libraryPaths()["libnvrtc"]
	if p == "" {
		t.Fatalf("libraryPaths() = %v, want libnvrtc recorded", libraryPaths())
	}
	t.Logf("libnvrtc loaded from %s", p)
}
