package gpu

import (
	"fmt"
	"sync"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/cpu"
)

// kernelNames lists every kernel of kernelSource.
func kernelNames() []string {
	names := []string{"fill", "to_float", "to_double", "add_scaled", "div_scalar", "gather", "gather_3d", "scatter", "reduce_sum", "reduce_sum_parts", "reduce_parts",
		"softmax_rows", "softmax_grad_rows", "cross_entropy", "cross_entropy_grad", "im2col", "col2im",
		"maxpool", "maxpool_grad", "avgpool", "avgpool_grad", "sgd_step", "adam_step", "gemm_tiled"}
	for _, op := range cpu.UnaryOps() {
		if _, ok := unaryExprs[op]; ok {
			names = append(names, unaryKernel(op))
		}
	}
	for _, op := range cpu.GradOps() {
		if _, ok := gradExprs[op]; ok {
			names = append(names, gradKernel(op))
		}
	}
	for _, op := range cpu.BinaryOps() {
		if _, ok := binaryExprs[op]; ok {
			k := binaryKernel(op)
			names = append(names, k, k+"_strided", k+"_3d")
		}
	}
	return names
}

// module is the compiled kernels of one dtype on one device.
type module struct {
	fns map[string]uintptr
}

// modules compiles a dtype's kernels on first use and keeps them.
type modules struct {
	mu   sync.Mutex
	byDT map[dl.DType]*module
	errs map[dl.DType]error
}

// kernel returns the function name for dtype d, compiling the dtype's
// module on first use. The caller holds the device bound.
func (g *GPU) kernel(d dl.DType, name string) (uintptr, error) {
	g.mods.mu.Lock()
	defer g.mods.mu.Unlock()
	m := g.mods.byDT[d]
	if m == nil {
		if err := g.mods.errs[d]; err != nil {
			return 0, err
		}
		var err error
		m, err = g.compile(d)
		if err != nil {
			if g.mods.errs == nil {
				g.mods.errs = map[dl.DType]error{}
			}
			g.mods.errs[d] = err
			return 0, err
		}
		if g.mods.byDT == nil {
			g.mods.byDT = map[dl.DType]*module{}
		}
		g.mods.byDT[d] = m
	}
	fn, ok := m.fns[name]
	if !ok {
		return 0, fmt.Errorf("gpu: no kernel %q", name)
	}
	return fn, nil
}

// compile builds dtype d's module for this device's architecture.
func (g *GPU) compile(d dl.DType) (*module, error) {
	if err := loadNVRTC(); err != nil {
		return nil, err
	}
	typ := map[dl.DType]string{dl.Float32: "float", dl.Float64: "double"}[d]
	ptx, log, err := compilePTX(kernelSource(typ), "gradbook_"+typ+".cu", g.info.Major, g.info.Minor)
	if err != nil {
		return nil, fmt.Errorf("gpu: compiling the %v kernels: %w\n%s", d, err, log)
	}
	mod, err := g.ctx.loadModule(ptx)
	if err != nil {
		return nil, fmt.Errorf("gpu: loading the %v kernels: %w", d, err)
	}
	m := &module{fns: map[string]uintptr{}}
	for _, name := range kernelNames() {
		fn, err := g.ctx.function(mod, name)
		if err != nil {
			return nil, err
		}
		m.fns[name] = fn
	}
	return m, nil
}
