//go:build darwin || linux

package cpu

import (
	"fmt"

	"github.com/ebitengine/purego"
)

// loadSymbols opens the shared library lib and returns the addresses of
// names in it.
func loadSymbols(lib string, names ...string) ([]uintptr, error) {
	h, err := purego.Dlopen(lib, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, err
	}
	out := make([]uintptr, len(names))
	for i, n := range names {
		if out[i], err = purego.Dlsym(h, n); err != nil {
			return nil, fmt.Errorf("%s: %w", lib, err)
		}
	}
	return out, nil
}
