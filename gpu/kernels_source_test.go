package gpu

import (
	"strings"
	"testing"
)

// Every kernel the backend launches compiles, for both dtypes, with the
// NVRTC found on this machine, and its PTX has every entry point.
func TestKernelSourceCompiles(t *testing.T) {
	needNVRTC(t)
	for _, typ := range []string{"float", "double"} {
		ptx, log, err := compilePTX(kernelSource(typ), "gradbook_"+typ+".cu", 8, 0)
		if err != nil {
			t.Fatalf("%s: %v\n%s", typ, err, log)
		}
		for _, name := range kernelNames() {
			if !strings.Contains(string(ptx), ".entry "+name+"(") {
				t.Errorf("%s: no entry %s in the PTX", typ, name)
			}
		}
	}
}
