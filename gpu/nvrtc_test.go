package gpu

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// needNVRTC skips the test when no NVRTC can be loaded, unless
// GRADBOOK_REQUIRE_GPU is set, when that is a failure.
func needNVRTC(t *testing.T) {
	t.Helper()
	if err := loadNVRTC(); err != nil {
		failOrSkip(t, "no NVRTC: %v", err)
	}
}

// saxpySource is y = a·x + y on n elements of typ ("float" or "double").
func saxpySource(typ string) string {
	return fmt.Sprintf(`extern "C" __global__ void saxpy(int n, %[1]s a, const %[1]s* x, %[1]s* y) {
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n) {
		y[i] = a * x[i] + y[i];
	}
}
`, typ)
}

// ptxTarget returns the SM version in PTX's .target line.
func ptxTarget(t *testing.T, ptx []byte) int {
	t.Helper()
	m := regexp.MustCompile(`\.target\s+sm_(\d+)`).FindSubmatch(ptx)
	if m == nil {
		t.Fatalf("PTX has no .target line:\n%.400s", ptx)
	}
	v, _ := strconv.Atoi(string(m[1]))
	return v
}

func TestCompileSaxpy(t *testing.T) {
	needNVRTC(t)
	major, minor, err := nvrtcVersion()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("NVRTC %d.%d from %s", major, minor, libraryPaths()["libnvrtc"])
	for _, c := range []struct{ typ, op string }{{"float", "fma.rn.f32"}, {"double", "fma.rn.f64"}} {
		ptx, log, err := compilePTX(saxpySource(c.typ), "saxpy.cu", 8, 0)
		if err != nil {
			t.Fatalf("%s saxpy: %v", c.typ, err)
		}
		if strings.TrimSpace(log) != "" {
			t.Logf("%s saxpy log: %s", c.typ, log)
		}
		s := string(ptx)
		if !strings.Contains(s, ".entry saxpy") {
			t.Errorf("%s saxpy: PTX has no .entry saxpy:\n%s", c.typ, s)
		}
		if !strings.Contains(s, c.op) {
			t.Errorf("%s saxpy: PTX has no %s:\n%s", c.typ, c.op, s)
		}
		if got := ptxTarget(t, ptx); got != 80 {
			t.Errorf("%s saxpy: PTX targets sm_%d, want sm_80", c.typ, got)
		}
		if strings.ContainsRune(s, 0) {
			t.Errorf("%s saxpy: PTX contains a NUL byte", c.typ)
		}
	}
}

func TestCompileErrorReturnsLog(t *testing.T) {
	needNVRTC(t)
	src := "extern \"C\" __global__ void broken(float* y) {\n" +
		"\tint i = threadIdx.x;\n" +
		"\ty[i] = undefined_name * 2.0f;\n" +
		"}\n"
	ptx, log, err := compilePTX(src, "broken.cu", 8, 0)
	if err == nil {
		t.Fatalf("compiling an undefined name succeeded:\n%s", ptx)
	}
	var ce *cudaError
	if !errors.As(err, &ce) || ce.Name != "NVRTC_ERROR_COMPILATION" || ce.Call != "nvrtcCompileProgram" {
		t.Fatalf("error %v (%T), want a *cudaError for nvrtcCompileProgram: NVRTC_ERROR_COMPILATION", err, err)
	}
	for _, s := range []string{"broken.cu(3)", "undefined_name"} {
		if !strings.Contains(log, s) {
			t.Errorf("log does not mention %q:\n%s", s, log)
		}
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error does not mention %q:\n%s", s, err)
		}
	}
	if !strings.HasPrefix(err.Error(), "gpu: nvrtcCompileProgram: NVRTC_ERROR_COMPILATION") {
		t.Errorf("error %q does not start with the call and result", err)
	}
}

func TestCompileBadOption(t *testing.T) {
	needNVRTC(t)
	_, _, err := compilePTX(saxpySource("float"), "saxpy.cu", 8, 0, "--gradbook-no-such-option")
	if err == nil {
		t.Fatal("an unknown option was accepted")
	}
	if !strings.Contains(err.Error(), "NVRTC_ERROR_INVALID_OPTION") || !strings.Contains(err.Error(), "--gradbook-no-such-option") {
		t.Fatalf("error %q does not name the result and the option", err)
	}
}

// TestCompileClampsArch asks for an architecture newer than any NVRTC
// knows and expects PTX for the newest it does know.
func TestCompileClampsArch(t *testing.T) {
	needNVRTC(t)
	archs := supportedArchs()
	if len(archs) == 0 {
		t.Skip("this NVRTC cannot list its architectures")
	}
	newest := slices.Max(archs)
	ptx, _, err := compilePTX(saxpySource("float"), "saxpy.cu", 99, 0)
	if err != nil {
		t.Fatalf("compile for compute_990: %v", err)
	}
	if got := ptxTarget(t, ptx); got != newest {
		t.Fatalf("PTX targets sm_%d, want sm_%d, the newest of %v", got, newest, archs)
	}
	t.Logf("compute_990 became sm_%d; this NVRTC knows %v", newest, archs)
}

func TestClampArch(t *testing.T) {
	archs := []int{50, 60, 70, 75, 80, 86, 89, 90}
	for _, c := range []struct{ in, want int }{{90, 90}, {100, 90}, {120, 90}, {87, 86}, {80, 80}, {35, 35}} {
		if got := clampArch(c.in, archs); got != c.want {
			t.Errorf("clampArch(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}
