// Package devicetest checks a device backend against the CPU: every op of
// dl runs on random inputs on both, and the values, gradients and
// tangents must agree. Backends call Run from their tests. Two devices in
// main memory check dl itself on any machine: Host has no kernels (every op
// goes through dl's fallback adapter), and Fake runs the CPU's kernels on
// memory of its own, declining those it is told to.
package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/cpu"
)

// Input says how a case draws one input.
type Input struct {
	Shape []int
	Kind  string // "normal", "positive" (0.5…2), "unit" (0…1), "away" (|v| in 0.3…1.5), "labels:C" (whole numbers below C)
	Grad  bool   // the input is a variable whose gradient and tangent are compared
}

// Case is one op (or short chain of ops) to compare.
type Case struct {
	Name   string
	Inputs []Input
	F      func(in ...*dl.Tensor) *dl.Tensor
}

func v(shape ...int) Input   { return Input{Shape: shape, Kind: "normal", Grad: true} }
func pos(shape ...int) Input { return Input{Shape: shape, Kind: "positive", Grad: true} }
func away(shape ...int) Input {
	return Input{Shape: shape, Kind: "away", Grad: true}
}
func labels(classes int, shape ...int) Input {
	return Input{Shape: shape, Kind: fmt.Sprintf("labels:%d", classes)}
}

// Cases returns the cases Run compares: every op of dl, on shapes that
// broadcast, reduce over each kind of axis list and batch.
func Cases() []Case {
	var cs []Case
	unary := map[string]func(x *dl.Tensor) *dl.Tensor{
		"Neg": (*dl.Tensor).Neg, "Exp": (*dl.Tensor).Exp, "Tanh": (*dl.Tensor).Tanh,
		"Sigmoid": (*dl.Tensor).Sigmoid, "ReLU": (*dl.Tensor).ReLU, "Abs": (*dl.Tensor).Abs,
		"Square": (*dl.Tensor).Square, "Sin": (*dl.Tensor).Sin, "Cos": (*dl.Tensor).Cos,
		"Erf": (*dl.Tensor).Erf, "Tan": (*dl.Tensor).Tan, "Softplus": (*dl.Tensor).Softplus,
	}
	for _, name := range sortedKeys(unary) {
		f := unary[name]
		for _, s := range [][]int{{}, {7}, {3, 5}, {2, 3, 4}, {257, 33}} {
			cs = append(cs, Case{fmt.Sprintf("%s%v", name, s), []Input{away(s...)}, func(in ...*dl.Tensor) *dl.Tensor { return f(in[0]) }})
		}
	}
	for _, name := range []string{"Log", "Sqrt"} {
		f := map[string]func(x *dl.Tensor) *dl.Tensor{"Log": (*dl.Tensor).Log, "Sqrt": (*dl.Tensor).Sqrt}[name]
		for _, s := range [][]int{{6}, {40, 30}} {
			cs = append(cs, Case{fmt.Sprintf("%s%v", name, s), []Input{pos(s...)}, func(in ...*dl.Tensor) *dl.Tensor { return f(in[0]) }})
		}
	}
	cs = append(cs,
		Case{"Clamp", []Input{away(4, 5)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Clamp(-0.5, 0.7) }},
		Case{"ClampBelow", []Input{v(300, 7)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Clamp(0, math.Inf(1)) }},
	)

	binary := map[string]func(x, y *dl.Tensor) *dl.Tensor{
		"Add": (*dl.Tensor).Add, "Sub": (*dl.Tensor).Sub, "Mul": (*dl.Tensor).Mul, "Div": (*dl.Tensor).Div,
		"Maximum": (*dl.Tensor).Maximum, "Minimum": (*dl.Tensor).Minimum,
	}
	shapes := []struct{ a, b []int }{
		{[]int{5}, []int{5}}, {[]int{3, 4}, []int{3, 4}}, {[]int{3, 4}, []int{4}}, {[]int{3, 4}, []int{3, 1}},
		{[]int{2, 3, 4}, []int{}}, {[]int{}, []int{2, 3}}, {[]int{2, 1, 4}, []int{3, 1}}, {[]int{4, 1, 3, 2}, []int{5, 1, 1}},
		{[]int{2, 3, 2, 2, 3, 2, 2}, []int{3, 1, 1, 1, 2, 2}}, {[]int{300, 70}, []int{70}},
	}
	for _, name := range sortedKeys(binary) {
		f := binary[name]
		for _, s := range shapes {
			b := v(s.b...)
			if name == "Div" {
				b = away(s.b...)
			}
			cs = append(cs, Case{fmt.Sprintf("%s%v%v", name, s.a, s.b), []Input{v(s.a...), b}, func(in ...*dl.Tensor) *dl.Tensor { return f(in[0], in[1]) }})
		}
	}
	cs = append(cs,
		Case{"Pow", []Input{pos(3, 4), v(4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Pow(in[1]) }},
		Case{"Where", []Input{v(3, 4), v(3, 4), v(4)}, func(in ...*dl.Tensor) *dl.Tensor {
			return dl.Where(in[0].Detach().ReLU(), in[1], in[2])
		}},
		Case{"WhereBroadcast", []Input{v(2, 1, 4), v(3, 1), v()}, func(in ...*dl.Tensor) *dl.Tensor {
			return dl.Where(in[0].Greater(dl.Scalar(0)), in[1], in[2])
		}},
		Case{"Greater", []Input{v(3, 4), v(4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Greater(in[1]) }},
		Case{"ScalarLiteral", []Input{v(3, 4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Mul(dl.Scalar(0.5)).Add(dl.Scalar(1)) }},
	)

	for _, s := range []struct {
		shape []int
		axes  []int
	}{{[]int{7}, nil}, {[]int{3, 4}, []int{0}}, {[]int{3, 4}, []int{1}}, {[]int{2, 3, 4}, []int{0, 2}}, {[]int{2, 3, 4, 5}, []int{1, 3}},
		{[]int{1000, 3}, []int{0}}, {[]int{3, 5000}, nil}} {
		axes := s.axes
		cs = append(cs,
			Case{fmt.Sprintf("Sum%v%v", s.shape, axes), []Input{v(s.shape...)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Sum(axes...) }},
			Case{fmt.Sprintf("Mean%v%v", s.shape, axes), []Input{v(s.shape...)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Mean(axes...) }},
			Case{fmt.Sprintf("Max%v%v", s.shape, axes), []Input{v(s.shape...)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Max(axes...) }},
			Case{fmt.Sprintf("Min%v%v", s.shape, axes), []Input{v(s.shape...)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Min(axes...) }},
		)
	}
	cs = append(cs,
		Case{"SumKeepDim", []Input{v(2, 3, 4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].SumKeepDim(1).Mul(in[0]) }},
		Case{"MaxKeepDim", []Input{v(2, 3, 4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].MaxKeepDim(0, 2).Mul(in[0]) }},
		Case{"MinKeepDim", []Input{v(2, 3, 4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].MinKeepDim(2).Mul(in[0]) }},
		// Clamping makes ties, which share the gradient.
		Case{"MaxTies", []Input{v(6, 5)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Clamp(-0.3, 0.3).Max(1) }},
		Case{"MinTies", []Input{v(6, 5)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Clamp(-0.3, 0.3).Min(0) }},
	)
	for _, axis := range []int{0, 1, -1} {
		a := axis
		cs = append(cs,
			Case{fmt.Sprintf("Softmax%d", a), []Input{v(4, 5, 3)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Softmax(a) }},
			Case{fmt.Sprintf("LogSoftmax%d", a), []Input{v(4, 5, 3)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].LogSoftmax(a) }},
			Case{fmt.Sprintf("LogSumExp%d", a), []Input{v(4, 5, 3)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].LogSumExp(a) }},
		)
	}
	cs = append(cs,
		Case{"SoftmaxWide", []Input{v(3, 2000)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Softmax(1) }},
		Case{"ArgMax", []Input{v(4, 6)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].ArgMax(1).Add(in[0].Sum()) }},
		Case{"ArgMax0", []Input{v(5, 3, 4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].ArgMax(0) }},
		Case{"ArgMin", []Input{v(4, 6)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].ArgMin(1).Add(in[0].Sum()) }},
		Case{"ArgMin2", []Input{v(3, 4, 5)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].ArgMin(-1) }},
	)

	for _, s := range []struct{ a, b []int }{
		{[]int{3, 4}, []int{4, 5}}, {[]int{4}, []int{4, 5}}, {[]int{3, 4}, []int{4}}, {[]int{2, 3, 4}, []int{2, 4, 5}},
		{[]int{2, 3, 4}, []int{4, 5}}, {[]int{3, 4}, []int{2, 4, 5}}, {[]int{2, 1, 3, 4}, []int{3, 4, 2}}, {[]int{130, 70}, []int{70, 90}},
	} {
		cs = append(cs, Case{fmt.Sprintf("MatMul%v%v", s.a, s.b), []Input{v(s.a...), v(s.b...)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].MatMul(in[1]) }})
	}
	cs = append(cs,
		Case{"Linear", []Input{v(6, 5), v(4, 5), v(4)}, func(in ...*dl.Tensor) *dl.Tensor { return dl.Linear(in[0], in[1], in[2]) }},
		Case{"LinearNoBias3D", []Input{v(2, 3, 5), v(4, 5)}, func(in ...*dl.Tensor) *dl.Tensor { return dl.Linear(in[0], in[1], nil) }},
		Case{"LinearBig", []Input{v(128, 784), v(256, 784), v(256)}, func(in ...*dl.Tensor) *dl.Tensor { return dl.Linear(in[0], in[1], in[2]).ReLU() }},
	)
	for _, c := range []struct{ n, ci, h, w, o, k, stride, pad int }{
		{2, 3, 7, 6, 4, 3, 1, 0}, {2, 2, 8, 8, 3, 3, 2, 1}, {3, 1, 5, 5, 2, 1, 1, 0}, {2, 6, 14, 14, 16, 5, 1, 2}, {4, 1, 28, 28, 6, 3, 1, 0}, {32, 1, 28, 28, 6, 3, 1, 0},
	} {
		c := c
		cs = append(cs,
			Case{fmt.Sprintf("Conv2d%+v", c), []Input{v(c.n, c.ci, c.h, c.w), v(c.o, c.ci, c.k, c.k), v(c.o)},
				func(in ...*dl.Tensor) *dl.Tensor { return dl.Conv2d(in[0], in[1], in[2], c.stride, c.pad) }},
			Case{fmt.Sprintf("Conv2dNoBias%+v", c), []Input{v(c.n, c.ci, c.h, c.w), v(c.o, c.ci, c.k, c.k)},
				func(in ...*dl.Tensor) *dl.Tensor { return dl.Conv2d(in[0], in[1], nil, c.stride, c.pad) }},
		)
	}
	for _, p := range []struct{ k, s int }{{2, 2}, {3, 1}, {3, 2}, {2, 1}} {
		p := p
		cs = append(cs,
			Case{fmt.Sprintf("MaxPool2d%v", p), []Input{v(2, 3, 9, 8)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].MaxPool2d(p.k, p.s) }},
			Case{fmt.Sprintf("AvgPool2d%v", p), []Input{v(2, 3, 9, 8)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].AvgPool2d(p.k, p.s) }},
		)
	}
	cs = append(cs,
		Case{"CrossEntropy", []Input{v(16, 10), labels(10, 16)}, func(in ...*dl.Tensor) *dl.Tensor { return dl.CrossEntropyLogits(in[0], in[1]) }},
		Case{"CrossEntropyBig", []Input{v(1024, 10), labels(10, 1024)}, func(in ...*dl.Tensor) *dl.Tensor { return dl.CrossEntropyLogits(in[0], in[1]) }},
		Case{"CrossEntropy4D", []Input{v(2, 5, 3, 2), labels(5, 2, 3, 2)}, func(in ...*dl.Tensor) *dl.Tensor { return dl.CrossEntropyLogits(in[0], in[1]) }},
		Case{"BCEWithLogits", []Input{v(6, 3), Input{Shape: []int{6, 3}, Kind: "unit"}}, func(in ...*dl.Tensor) *dl.Tensor { return dl.BCEWithLogits(in[0], in[1]) }},
		Case{"BCEWithLogitsTargetGrad", []Input{v(50, 4), Input{Shape: []int{50, 4}, Kind: "unit", Grad: true}}, func(in ...*dl.Tensor) *dl.Tensor {
			return dl.BCEWithLogits(in[0], in[1])
		}},
		Case{"Reshape", []Input{v(2, 3, 4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Reshape(4, 6).Mul(in[0].Reshape(4, 6)) }},
		Case{"Transpose", []Input{v(3, 4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].T().Exp() }},
		Case{"Permute", []Input{v(2, 3, 4, 5)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Permute(2, 0, 3, 1).Square() }},
		Case{"BroadcastTo", []Input{v(3, 1)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].BroadcastTo(2, 3, 4).Square() }},
		Case{"Slice", []Input{v(4, 6)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Slice(1, 1, 4).Square() }},
		Case{"Index", []Input{v(4, 6)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Index(2).Square() }},
		Case{"Concat", []Input{v(2, 3), v(2, 5)}, func(in ...*dl.Tensor) *dl.Tensor { return dl.Concat(1, in[0], in[1]).Square() }},
		Case{"Stack", []Input{v(2, 3), v(2, 3)}, func(in ...*dl.Tensor) *dl.Tensor { return dl.Stack(0, in[0], in[1]).Square() }},
		Case{"Gather", []Input{v(4, 5), labels(5, 4, 2)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Gather(1, in[1]).Square() }},
		Case{"Gather0", []Input{v(3, 4, 2), labels(3, 5, 4, 2)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Gather(0, in[1]).Exp() }},
		Case{"OneHot", []Input{labels(4, 6)}, func(in ...*dl.Tensor) *dl.Tensor { return dl.OneHot(in[0], 4) }},
		Case{"Dropout", []Input{v(20, 30)}, func(in ...*dl.Tensor) *dl.Tensor {
			return dl.Dropout(in[0], 0.3, rand.New(rand.NewPCG(1, 2))).Square()
		}},
		Case{"SqueezeUnsqueeze", []Input{v(3, 1, 4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].Squeeze(1).Unsqueeze(0).Exp() }},
		Case{"AssignAddScaled", []Input{v(3, 4), v(3, 4)}, func(in ...*dl.Tensor) *dl.Tensor {
			return in[0].Detach().Clone().AssignAddScaled(-0.5, in[1].Detach()).Mul(in[1])
		}},
		Case{"AssignAddScaledFloat64", []Input{v(3, 4), v(3, 4)}, func(in ...*dl.Tensor) *dl.Tensor {
			return in[0].Detach().Clone().AssignAddScaled(0.25, in[1].Detach().AsType(dl.Float64)).Mul(in[1])
		}},
		Case{"Assign", []Input{v(3, 4), v(3, 4)}, func(in ...*dl.Tensor) *dl.Tensor {
			t := in[0].Detach().Clone().Assign(in[1].Square())
			vals := make([]float64, 5)
			t.ReadFloat64s(2, vals)
			return t.AssignFloat64s(6, vals).Mul(in[0])
		}},
		Case{"AsType", []Input{v(3, 4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].AsType(dl.Float64).Square().AsType(in[0].DType()) }},
		Case{"ToCPUAndBack", []Input{v(3, 4)}, func(in ...*dl.Tensor) *dl.Tensor { return in[0].To(dl.CPU).Square().To(in[0].Device()) }},
		Case{"MLP", []Input{v(8, 6), v(5, 6), v(5), v(3, 5), v(3), labels(3, 8)}, func(in ...*dl.Tensor) *dl.Tensor {
			h := dl.Linear(in[0], in[1], in[2]).Tanh()
			return dl.CrossEntropyLogits(dl.Linear(h, in[3], in[4]), in[5])
		}},
	)
	for _, r := range []struct {
		name string
		rule dl.StepRule
	}{
		{"SGDMaximize", dl.StepRule{Kind: cpu.SGD, LR: 0.1, L2: 1e-2, Maximize: true}},
		{"SGDMomentum", dl.StepRule{Kind: cpu.SGD, LR: 0.1, WeightDecay: 1e-2, Momentum: 0.9, Dampening: 0.1}},
		{"SGDNesterov", dl.StepRule{Kind: cpu.SGD, LR: 0.1, Momentum: 0.9, Nesterov: true}},
		{"Adagrad", dl.StepRule{Kind: cpu.Adagrad, LR: 0.1, WeightDecay: 1e-2, LRDecay: 0.01, Eps: 1e-10}},
		{"RMSPropCentered", dl.StepRule{Kind: cpu.RMSProp, LR: 0.01, Alpha: 0.99, Eps: 1e-8, Centered: true, Momentum: 0.9}},
		{"RMSProp", dl.StepRule{Kind: cpu.RMSProp, LR: 0.01, Alpha: 0.9, Eps: 1e-8, WeightDecay: 1e-2}},
		{"AdamAMSGrad", dl.StepRule{Kind: cpu.Adam, LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2, AMSGrad: true}},
		{"AdamW", dl.StepRule{Kind: cpu.AdamW, LR: 1e-2, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 1e-2}},
		{"LAMB", dl.StepRule{Kind: cpu.LAMB, LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, WeightDecay: 1e-2}},
	} {
		cs = append(cs, stepCase("Step"+r.name, r.rule))
	}
	return cs
}

// stepCase takes three steps of rule (dl.StepAll) on copies of two
// parameters in[0] and in[1] with the gradients in[2] and in[3], from state
// buffers of zeros, and returns the parameters and the state buffers after
// them, concatenated.
func stepCase(name string, rule dl.StepRule) Case {
	big, small := Input{Shape: []int{5, 7}, Kind: "normal"}, Input{Shape: []int{3}, Kind: "normal"}
	return Case{name, []Input{big, small, big, small}, func(in ...*dl.Tensor) *dl.Tensor {
		ps := []*dl.Tensor{in[0].Clone(), in[1].Clone()}
		gs := []*dl.Tensor{in[2], in[3]}
		states := make([][]*dl.Tensor, len(ps))
		for i, p := range ps {
			for range rule.States() {
				states[i] = append(states[i], p.Mul(dl.Scalar(0)))
			}
		}
		for step := 1; step <= 3; step++ {
			r := rule
			r.Step, r.FirstStep = step, step == 1
			dl.StepAll(r, ps, gs, states)
		}
		all := []*dl.Tensor{ps[0].Flatten(), ps[1]}
		for _, s := range states {
			for _, b := range s {
				all = append(all, b.Flatten())
			}
		}
		return dl.Concat(0, all...)
	}}
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// draw makes a case's input in dtype d.
func draw(in Input, d dl.DType, rng *rand.Rand) *dl.Tensor {
	n := 1
	for _, s := range in.Shape {
		n *= s
	}
	vals := make([]float64, n)
	var classes int
	fmt.Sscanf(in.Kind, "labels:%d", &classes)
	for i := range vals {
		switch {
		case classes > 0:
			vals[i] = float64(rng.IntN(classes))
		case in.Kind == "positive":
			vals[i] = 0.5 + 1.5*rng.Float64()
		case in.Kind == "unit":
			vals[i] = rng.Float64()
		case in.Kind == "zero":
		case in.Kind == "away":
			vals[i] = 0.3 + 1.2*rng.Float64()
			if rng.IntN(2) == 0 {
				vals[i] = -vals[i]
			}
		default:
			vals[i] = rng.NormFloat64()
		}
	}
	if len(in.Shape) == 0 {
		return dl.Float64.Scalar(vals[0]).AsType(d)
	}
	return dl.FromSlice(vals, in.Shape...).AsType(d)
}

// Result is what one side of a comparison computed.
type Result struct {
	Out   *dl.Tensor
	Grads []*dl.Tensor
	// Tangent is the output's derivative (forward mode, dl.JVP) along
	// random tangents of the inputs marked Grad, zero for the others.
	Tangent *dl.Tensor
}

// Eval runs c on dev in dtype d with inputs drawn from seed: the output,
// for a differentiable output the gradients of Σ seed·out for a random
// seed, and the output's tangent, all brought back to main memory.
func Eval(c Case, dev dl.Device, d dl.DType, seed uint64) Result {
	rng := rand.New(rand.NewPCG(seed, 7))
	ins := make([]*dl.Tensor, len(c.Inputs))
	for i, in := range c.Inputs {
		ins[i] = draw(in, d, rng).MoveTo(dev)
		if in.Grad {
			ins[i].SetRequiresGrad(true)
		}
	}
	out := c.F(ins...)
	res := Result{Out: out.To(dl.CPU)}
	if out.RequiresGrad() {
		g := draw(Input{Shape: out.Shape(), Kind: "normal"}, out.DType(), rng)
		out.Backward(g)
		for _, in := range ins {
			if in.Grad() != nil {
				res.Grads = append(res.Grads, in.Grad().To(dl.CPU))
			} else {
				res.Grads = append(res.Grads, nil)
			}
		}
	}
	if out.Device() != dev {
		panic(fmt.Sprintf("%s: the output is on %v, not on %v", c.Name, out.Device(), dev))
	}
	for i, in := range ins {
		if g := in.Grad(); g != nil && g.Device() != dev {
			panic(fmt.Sprintf("%s: the gradient of input %d is on %v, not on %v", c.Name, i, g.Device(), dev))
		}
	}
	tangents := make([]*dl.Tensor, len(ins))
	for i, in := range c.Inputs {
		if in.Grad {
			tangents[i] = draw(Input{Shape: in.Shape, Kind: "normal"}, d, rng).MoveTo(dev)
		} else {
			tangents[i] = draw(Input{Shape: in.Shape, Kind: "zero"}, d, rng).MoveTo(dev)
		}
	}
	_, tan := dl.JVP(func(x ...*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{c.F(x...)} }, ins, tangents)
	if tan[0].Device() != dev {
		panic(fmt.Sprintf("%s: the output's tangent is on %v, not on %v", c.Name, tan[0].Device(), dev))
	}
	res.Tangent = tan[0].To(dl.CPU)
	return res
}

// Run compares every case on dev with the CPU in dtype d: values,
// gradients and tangents must agree within tol, relative to the largest
// magnitude of the CPU's tensor (at least 1).
func Run(t *testing.T, dev dl.Device, d dl.DType, tol float64) {
	for i, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			seed := uint64(i + 1)
			want := Eval(c, dl.CPU, d, seed)
			var got Result
			if err := dl.Catch(func() { got = Eval(c, dev, d, seed) }); err != nil {
				t.Fatalf("on %v: %v", dev, err)
			}
			Compare(t, "output", got.Out, want.Out, tol)
			if len(got.Grads) != len(want.Grads) {
				t.Fatalf("%d gradients on %v, %d on the CPU", len(got.Grads), dev, len(want.Grads))
			}
			for j := range want.Grads {
				if (got.Grads[j] == nil) != (want.Grads[j] == nil) {
					t.Fatalf("gradient of input %d: present on one side only", j)
				}
				if want.Grads[j] != nil {
					Compare(t, fmt.Sprintf("gradient of input %d", j), got.Grads[j], want.Grads[j], tol)
				}
			}
			Compare(t, "tangent", got.Tangent, want.Tangent, tol)
		})
	}
}

// Compare fails t when got and want differ in shape, dtype or, beyond
// tol relative to want's largest magnitude (at least 1), in value.
func Compare(t testing.TB, what string, got, want *dl.Tensor, tol float64) {
	t.Helper()
	if !slices.Equal(got.Shape(), want.Shape()) || got.DType() != want.DType() {
		t.Fatalf("%s: %v %v, want %v %v", what, got.DType(), got.Shape(), want.DType(), want.Shape())
	}
	g, w := got.Float64s(), want.Float64s()
	scale := 1.0
	for _, x := range w {
		scale = max(scale, math.Abs(x))
	}
	worst, at := 0.0, -1
	for i := range w {
		diff := math.Abs(g[i] - w[i])
		if math.IsNaN(g[i]) != math.IsNaN(w[i]) {
			diff = math.Inf(1)
		}
		if diff > worst {
			worst, at = diff, i
		}
	}
	if worst > tol*scale {
		t.Errorf("%s %v: element %d is %g, want %g (difference %.3g, tolerance %.3g)", what, want.Shape(), at, g[at], w[at], worst, tol*scale)
	}
}
