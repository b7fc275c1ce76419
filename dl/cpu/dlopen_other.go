//go:build !darwin && !linux

package cpu

import (
	"fmt"
	"runtime"
)

// loadSymbols reports that this system loads no shared libraries here.
func loadSymbols(lib string, names ...string) ([]uintptr, error) {
	return nil, fmt.Errorf("loading %s is not supported on %s", lib, runtime.GOOS)
}
