package viz_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// testdata is the absolute path of the golden files: the tests run in a
// temporary folder.
var testdata string

// TestMain runs the package's tests and examples in a fresh temporary
// folder, where the examples' Show writes its files (VIZ_KEEP=1 keeps it
// and prints its path, for looking at the pictures). Started with
// VIZ_TEST_CELL set, the test binary is instead a notebook cell's program
// (see TestNotebookDisplay).
func TestMain(m *testing.M) {
	if os.Getenv("VIZ_TEST_CELL") != "" {
		runCell()
		os.Exit(0)
	}
	var err error
	if testdata, err = filepath.Abs("testdata"); err != nil {
		panic(err)
	}
	orig, _ := os.Getwd()
	dir, err := os.MkdirTemp("", "viz-test-")
	if err != nil {
		panic(err)
	}
	if err := os.Chdir(dir); err != nil {
		panic(err)
	}
	code := m.Run()
	os.Chdir(orig)
	if os.Getenv("VIZ_KEEP") != "" {
		fmt.Fprintln(os.Stderr, "viz: pictures kept in", dir)
	} else {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
