package gpu

import (
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/cpu"
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

// The kernel table follows package cpu's codes: each entry instantiates
// its kernel under the code's name, and a code without an entry is
// declined before the device is touched (dl then runs the CPU's loop).
func TestKernelTableDeclinesTheRest(t *testing.T) {
	src := elementwiseSource()
	for _, op := range cpu.UnaryOps() {
		_, has := unaryExprs[op]
		if has != strings.Contains(src, "UNARY("+op.String()+",") {
			t.Errorf("unary %v: in the table %v, in the source %v", op, has, !has)
		}
		if !has && (&GPU{}).Unary(op, &dl.Memory{}, &dl.Memory{}) {
			t.Errorf("Unary(%v) has no kernel but was not declined", op)
		}
	}
	for _, op := range cpu.GradOps() {
		_, has := gradExprs[op]
		if has != strings.Contains(src, "GRAD("+op.String()+",") {
			t.Errorf("grad %v: in the table %v, in the source %v", op, has, !has)
		}
		if !has && (&GPU{}).UnaryGrad(op, &dl.Memory{}, &dl.Memory{}, &dl.Memory{}) {
			t.Errorf("UnaryGrad(%v) has no kernel but was not declined", op)
		}
	}
	for _, op := range cpu.BinaryOps() {
		_, has := binaryExprs[op]
		if has != strings.Contains(src, "BINARY("+op.String()+",") {
			t.Errorf("binary %v: in the table %v, in the source %v", op, has, !has)
		}
		if !has && (&GPU{}).Binary(op, &dl.Memory{}, &dl.Memory{}, &dl.Memory{}, nil, nil, nil) {
			t.Errorf("Binary(%v) has no kernel but was not declined", op)
		}
	}
	g, m := &GPU{}, &dl.Memory{}
	for what, ok := range map[string]bool{
		"Reduce max":            g.Reduce(cpu.ReduceMax, m, m, nil, nil),
		"Reduce min":            g.Reduce(cpu.ReduceMin, m, m, nil, nil),
		"log-softmax's tangent": g.SoftmaxGrad(m, m, m, 1, 1, 1, true, true),
		"Adagrad":               g.Step(cpu.StepRule{Kind: cpu.Adagrad}, nil, nil, nil),
		"RMSProp":               g.Step(cpu.StepRule{Kind: cpu.RMSProp}, nil, nil, nil),
		"LAMB":                  g.Step(cpu.StepRule{Kind: cpu.LAMB}, nil, nil, nil),
		"Clamp":                 g.Clamp(m, m, 0, 1),
		"Take":                  g.Take(m, m, nil),
		"MaxPoolPick":           g.MaxPoolPick(m, m, m, cpu.ConvShape{}),
	} {
		if ok {
			t.Errorf("%s was not declined", what)
		}
	}
}
