package gpu

import (
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// Where there is no driver, asking for a device is a clear error naming
// what was looked for, never a crash; Device panics with it as a dl
// error.
func TestNoDriverIsAClearError(t *testing.T) {
	if loadDriver() == nil {
		t.Skip("a CUDA driver is here: the missing-driver messages are checked on machines without one")
	}
	if Available() {
		t.Fatal("Available without a driver")
	}
	_, err := Open(0)
	if err == nil || !strings.Contains(err.Error(), "libcuda") || !strings.Contains(err.Error(), cudaPathEnv) {
		t.Fatalf("Open(0) without a driver: %v", err)
	}
	perr := dl.Catch(func() { Device(0) })
	if perr == nil || !strings.Contains(perr.Error(), "gpu.Device") {
		t.Fatalf("Device(0) without a driver: %v", perr)
	}
}
