package dl_test

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// This test checks whole expressions, values and gradients, against
// PyTorch. testdata/torchref/reference.json holds PyTorch's float64 results;
// testdata/torchref/generate.py wrote it (see how to run it there). The Go
// test never runs torch: it only reads the committed JSON.
//
// For every case, with the inputs and the weight W stored in the JSON:
//
//   - float64: the output and d sum(output·W)/d input for every variable
//     input must match PyTorch to torchRefRTol64 (below);
//   - forward mode: the directional derivative Σ W·(J v) that dl.JVP gives
//     along a seeded tangent v must equal Σᵢ gradᵢ·vᵢ from PyTorch's
//     gradients, to the same tolerance (reverse and forward mode must agree);
//   - float32: the output computed from the inputs rounded to float32 must
//     match PyTorch's float64 output to torchRefRTol32.
//
// A value got matches PyTorch's want when
//
//	|got − want| ≤ rtol · max(|want|, floor)
//
// that is, a relative error of rtol, except that values smaller than floor
// are held to the absolute error rtol·floor (a relative error means nothing
// at an exact zero). The float32 check compares with PyTorch's float64
// values, so it also absorbs the rounding of the inputs to float32.
const (
	torchRefRTol64 = 1e-6
	torchRefRTol32 = 1e-4
	torchRefFloor  = 1e-3
)

// k is a float64 constant; a rank-0 operand takes the dtype of the other
// operand, so k works in float32 expressions too.
func k(v float64) *dl.Tensor { return dl.Float64.Scalar(v) }

// torchRefCases are the Go twins of the cases in generate.py, by name, with
// the inputs in the order the JSON lists them. Constants (labels, masks)
// come as float tensors of whole numbers.
var torchRefCases = map[string]func(in ...*dl.Tensor) *dl.Tensor{
	"lecture_f": func(in ...*dl.Tensor) *dl.Tensor {
		x1, x2 := in[0], in[1]
		return x1.Log().Add(x1.Mul(x2)).Sub(x2.Sin())
	},
	"mlp_sigmoid_mse": func(in ...*dl.Tensor) *dl.Tensor {
		X, W1, b1, W2, b2, Y := in[0], in[1], in[2], in[3], in[4], in[5]
		h := X.MatMul(W1).Add(b1).Sigmoid()
		return h.MatMul(W2).Add(b2).Sub(Y).Square().Mean()
	},
	"softmax_xent_gather": func(in ...*dl.Tensor) *dl.Tensor {
		logits, y := in[0], in[1]
		return logits.LogSoftmax(1).Gather(1, y).Mean().Neg()
	},
	"onehot_xent": func(in ...*dl.Tensor) *dl.Tensor {
		logits, y := in[0], in[1]
		onehot := dl.OneHot(y, 5).AsType(logits.DType())
		return onehot.Mul(logits.LogSoftmax(-1)).Sum(-1).Mean().Neg()
	},
	"logsumexp_bias": func(in ...*dl.Tensor) *dl.Tensor {
		x, b := in[0], in[1]
		return x.Mul(k(3)).Add(b).LogSumExp(1).Sub(x.Mean(1))
	},
	"logsumexp_large": func(in ...*dl.Tensor) *dl.Tensor {
		x, s := in[0], in[1]
		return x.Mul(k(20)).Add(k(100)).LogSumExp(0).Mul(s)
	},
	"bmm_broadcast_tanh": func(in ...*dl.Tensor) *dl.Tensor {
		return in[0].MatMul(in[1]).Tanh()
	},
	"matmul_vectors": func(in ...*dl.Tensor) *dl.Tensor {
		v, M, w := in[0], in[1], in[2]
		return v.MatMul(M).MatMul(w).Mul(M.MatMul(w).Mean(-1))
	},
	"tanh_relu_chain": func(in ...*dl.Tensor) *dl.Tensor {
		x, W, b, W2 := in[0], in[1], in[2], in[3]
		h := x.MatMul(W).Add(b).Tanh().Mul(k(2)).Sub(k(0.3)).ReLU()
		return h.MatMul(W2).Sub(k(0.1)).ReLU().Add(h.Tanh().SumKeepDim(1))
	},
	"pow_tensor_exponent": func(in ...*dl.Tensor) *dl.Tensor {
		x, y := in[0], in[1]
		return x.Pow(y).Sum(1).Log()
	},
	"pow_scalar_base": func(in ...*dl.Tensor) *dl.Tensor {
		s, x := in[0], in[1]
		return s.Pow(x).Add(x.Pow(k(3))).Sub(x.Pow(k(2)))
	},
	"clamp_mul": func(in ...*dl.Tensor) *dl.Tensor {
		x, y := in[0], in[1]
		return x.Mul(k(1.5)).Clamp(-1, 1).Mul(y).Add(x.Clamp(-0.5, math.Inf(1)))
	},
	"where_mask": func(in ...*dl.Tensor) *dl.Tensor {
		m, x, y := in[0], in[1], in[2]
		return dl.Where(m, x.Exp(), y.Sin()).Add(dl.Where(m, y, x).Mul(x))
	},
	"maximum_minimum": func(in ...*dl.Tensor) *dl.Tensor {
		x, y, z := in[0], in[1], in[2]
		return x.Maximum(y).Mul(x.Mul(k(2)).Minimum(z))
	},
	"max_mean_keepdim": func(in ...*dl.Tensor) *dl.Tensor {
		x := in[0]
		return x.Sub(x.MaxKeepDim(2)).Exp().MeanKeepDim(0, 2)
	},
	"max_min_axes": func(in ...*dl.Tensor) *dl.Tensor {
		x := in[0]
		return x.Max(0, 2).Unsqueeze(0).Mul(x.Min(1, 2).Unsqueeze(1)).Add(x.Max())
	},
	"permute_reshape_matmul": func(in ...*dl.Tensor) *dl.Tensor {
		x, W := in[0], in[1]
		return x.Permute(2, 0, 1).Reshape(4, 6).MatMul(W).T().Mul(x.Index(1))
	},
	"transpose_reshape": func(in ...*dl.Tensor) *dl.Tensor {
		x, y := in[0], in[1]
		return x.Transpose(0, 2).Reshape(-1, 4).Sin().Mul(y)
	},
	"concat_stack": func(in ...*dl.Tensor) *dl.Tensor {
		a, b, c := in[0], in[1], in[2]
		t := dl.Concat(1, a, b.Mul(k(2)))
		s := dl.Stack(-1, t, c.Tanh(), t.Mul(c))
		return dl.Concat(0, s, s.Exp().Mul(k(0.5))).Sum(1)
	},
	"slicing": func(in ...*dl.Tensor) *dl.Tensor {
		x := in[0]
		return x.Slice(1, 1, 4).Mul(x.Slice(1, -3, 6)).Add(x.Index(2).Slice(0, 2, 5)).Mul(x.Index(-1, 0))
	},
	"softmax_weighted": func(in ...*dl.Tensor) *dl.Tensor {
		x, y := in[0], in[1]
		return x.Softmax(0).Mul(y).Sum(1).Add(y.Mul(k(2)).Softmax(-1).Slice(1, 0, 1).Reshape(-1))
	},
	"log_softmax_3d": func(in ...*dl.Tensor) *dl.Tensor {
		x := in[0]
		return x.LogSoftmax(1).Mul(x.Sigmoid())
	},
	"sqrt_abs_div": func(in ...*dl.Tensor) *dl.Tensor {
		x, y := in[0], in[1]
		return x.Abs().Add(k(1)).Sqrt().Div(y.Pow(k(2)).Add(k(1))).Sub(y.Abs().Mul(x))
	},
	"exp_log_tan": func(in ...*dl.Tensor) *dl.Tensor {
		x := in[0]
		return x.Exp().Add(k(1)).Log().Add(x.Mul(k(0.7)).Tan().Mul(x.Cos()))
	},
	"outer_sub_square": func(in ...*dl.Tensor) *dl.Tensor {
		x, y, s := in[0], in[1], in[2]
		return x.Sub(y).Pow(k(2)).Neg().Mul(s).Exp()
	},
	"gather_axis0": func(in ...*dl.Tensor) *dl.Tensor {
		x, idx := in[0], in[1]
		return x.Gather(0, idx).Exp().Mul(x.Slice(0, 0, 2))
	},
	"cosine_similarity": func(in ...*dl.Tensor) *dl.Tensor {
		x, y := in[0], in[1]
		return x.Mul(y).Sum(1).Div(x.Mul(x).Sum(1).Sqrt().Mul(y.Mul(y).Sum(1).Sqrt()))
	},
	"layer_norm_tanh": func(in ...*dl.Tensor) *dl.Tensor {
		x, gamma, beta := in[0], in[1], in[2]
		d := x.Sub(x.MeanKeepDim(-1))
		v := d.Pow(k(2)).MeanKeepDim(-1)
		return d.Div(v.Add(k(1e-5)).Sqrt()).Mul(gamma).Add(beta).Tanh()
	},
	"attention": func(in ...*dl.Tensor) *dl.Tensor {
		Q, K, V := in[0], in[1], in[2]
		return Q.MatMul(K.Transpose(-1, -2)).Div(k(2)).Softmax(-1).MatMul(V)
	},
	"bce_sigmoid": func(in ...*dl.Tensor) *dl.Tensor {
		z, y := in[0], in[1]
		p := z.Sigmoid()
		return y.Mul(p.Log()).Add(k(1).Sub(y).Mul(k(1).Sub(p).Log())).Mean().Neg()
	},
	"gelu_tanh": func(in ...*dl.Tensor) *dl.Tensor {
		x := in[0]
		inner := x.Add(k(0.044715).Mul(x.Pow(k(3)))).Mul(k(math.Sqrt(2 / math.Pi)))
		return k(0.5).Mul(x).Mul(k(1).Add(inner.Tanh()))
	},
	"scalar_broadcast": func(in ...*dl.Tensor) *dl.Tensor {
		s, x, t := in[0], in[1], in[2]
		return s.Mul(x).Add(t).Sigmoid().Sum(0).Mul(s)
	},
	"batchnorm_variance": func(in ...*dl.Tensor) *dl.Tensor {
		x := in[0]
		return x.Sub(x.MeanKeepDim(0, 2)).Pow(k(2)).Mean(0, 2).Div(x.Mean())
	},
	"div_sub_neg": func(in ...*dl.Tensor) *dl.Tensor {
		x, y := in[0], in[1]
		return x.MatMul(y).Sub(k(1)).Neg().Div(x.Cos().Sum().Add(k(5))).MatMul(x).Sub(y.T().Mul(x))
	},
}

type torchRefTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

type torchRefInput struct {
	Name         string    `json:"name"`
	Shape        []int     `json:"shape"`
	Data         []float64 `json:"data"`
	RequiresGrad bool      `json:"requires_grad"`
}

type torchRefCase struct {
	Name   string            `json:"name"`
	Torch  string            `json:"torch"` // the expression, for messages
	Inputs []torchRefInput   `json:"inputs"`
	Output torchRefTensor    `json:"output"`
	Weight torchRefTensor    `json:"weight"`
	Grads  []*torchRefTensor `json:"grads"` // nil for constant inputs
}

func loadTorchRef(t *testing.T) []torchRefCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/torchref/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []torchRefCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("reference.json: %v", err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("reference.json holds no cases")
	}
	return doc.Cases
}

// tensorOf makes a tensor of dtype d holding data with shape (rank 0 when
// shape is empty).
func tensorOf(d dl.DType, shape []int, data []float64) *dl.Tensor {
	if len(shape) == 0 {
		return d.Scalar(data[0])
	}
	if d == dl.Float32 {
		f := make([]float32, len(data))
		for i, v := range data {
			f[i] = float32(v)
		}
		return dl.FromSlice(f, shape...)
	}
	return dl.FromSlice(slices.Clone(data), shape...)
}

// within reports whether |got − want| ≤ rtol·max(|want|, floor); NaN is
// never within.
func within(got, want, rtol, floor float64) bool {
	return math.Abs(got-want) <= rtol*max(math.Abs(want), floor)
}

// checkClose reports, as one error, the worst element of got that is not
// within rtol·max(|want|, floor) of want, and any mismatch of shape.
func checkClose(t *testing.T, what string, got *dl.Tensor, want torchRefTensor, rtol, floor float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got no tensor, want shape %v", what, want.Shape)
		return
	}
	if !slices.Equal(got.Shape(), want.Shape) {
		t.Errorf("%s: shape %v, PyTorch has %v", what, got.Shape(), want.Shape)
		return
	}
	g := got.Float64s()
	worst, bad, excess := -1, 0, 0.0
	for i, w := range want.Data {
		if !within(g[i], w, rtol, floor) {
			bad++
			if e := math.Abs(g[i]-w) / (rtol * max(math.Abs(w), floor)); worst < 0 || e > excess || math.IsNaN(e) {
				worst, excess = i, e
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d elements differ from PyTorch; worst at flat index %d: got %.17g, want %.17g (error %.3g times the tolerance)",
			what, bad, len(want.Data), worst, g[worst], want.Data[worst], excess)
	}
}

// TestTorchRefCasesMatch fails when the JSON and the Go map disagree on the
// set of cases: every reference needs a twin, and every twin a reference.
func TestTorchRefCasesMatch(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range loadTorchRef(t) {
		if seen[c.Name] {
			t.Errorf("case %q appears twice in reference.json", c.Name)
		}
		seen[c.Name] = true
		if torchRefCases[c.Name] == nil {
			t.Errorf("case %q of reference.json has no Go twin in torchRefCases", c.Name)
		}
	}
	for name := range torchRefCases {
		if !seen[name] {
			t.Errorf("Go case %q has no reference in reference.json (add it to generate.py and rerun it)", name)
		}
	}
}

func TestTorchRefFloat64(t *testing.T) {
	for _, c := range loadTorchRef(t) {
		f := torchRefCases[c.Name]
		if f == nil {
			continue // TestTorchRefCasesMatch reports it
		}
		t.Run(c.Name, func(t *testing.T) {
			if len(c.Grads) != len(c.Inputs) {
				t.Fatalf("reference has %d grads for %d inputs", len(c.Grads), len(c.Inputs))
			}
			in := make([]*dl.Tensor, len(c.Inputs))
			for i, ri := range c.Inputs {
				in[i] = tensorOf(dl.Float64, ri.Shape, ri.Data).SetRequiresGrad(ri.RequiresGrad)
			}
			out := f(in...)
			if out.DType() != dl.Float64 {
				t.Fatalf("output dtype %v, want float64", out.DType())
			}
			checkClose(t, "output", out, c.Output, torchRefRTol64, torchRefFloor)
			W := tensorOf(dl.Float64, c.Weight.Shape, c.Weight.Data)
			out.Mul(W).Sum().Backward()
			for i, ri := range c.Inputs {
				want := c.Grads[i]
				if !ri.RequiresGrad {
					if in[i].Grad() != nil {
						t.Errorf("constant input %s got a gradient", ri.Name)
					}
					continue
				}
				if want == nil {
					t.Fatalf("reference has no gradient for variable %s", ri.Name)
				}
				checkClose(t, "grad "+ri.Name, in[i].Grad(), *want, torchRefRTol64, torchRefFloor)
			}
			if t.Failed() {
				t.Logf("PyTorch expression:\n%s", c.Torch)
			}
		})
	}
}

// TestTorchRefJVP checks forward mode against PyTorch's reverse-mode
// gradients: for a tangent v (one per input, zero for constants),
// Σ W·(J v) = Σᵢ ⟨gradᵢ, vᵢ⟩ where gradᵢ = d Σ(output·W)/d inputᵢ.
func TestTorchRefJVP(t *testing.T) {
	for _, c := range loadTorchRef(t) {
		f := torchRefCases[c.Name]
		if f == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			h := fnv.New64a()
			h.Write([]byte(c.Name))
			rng := rand.New(rand.NewPCG(h.Sum64(), 1))
			in := make([]*dl.Tensor, len(c.Inputs))
			tan := make([]*dl.Tensor, len(c.Inputs))
			want, scale := 0.0, 0.0 // Σᵢ ⟨gradᵢ, vᵢ⟩ and Σ |terms|
			for i, ri := range c.Inputs {
				in[i] = tensorOf(dl.Float64, ri.Shape, ri.Data)
				v := make([]float64, len(ri.Data))
				if ri.RequiresGrad {
					for j := range v {
						v[j] = rng.NormFloat64()
						want += c.Grads[i].Data[j] * v[j]
						scale += math.Abs(c.Grads[i].Data[j] * v[j])
					}
				}
				tan[i] = tensorOf(dl.Float64, ri.Shape, v)
			}
			outs, tangents := dl.JVP(func(x ...*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{f(x...)} }, in, tan)
			checkClose(t, "JVP output", outs[0], c.Output, torchRefRTol64, torchRefFloor)
			if !slices.Equal(tangents[0].Shape(), c.Output.Shape) {
				t.Fatalf("tangent shape %v, want %v", tangents[0].Shape(), c.Output.Shape)
			}
			got := 0.0
			for j, d := range tangents[0].Float64s() {
				got += c.Weight.Data[j] * d
			}
			// The floor scales with the terms of the sum, which may cancel.
			checkClose(t, "Σ W·(J v)", dl.Float64.Scalar(got),
				torchRefTensor{Shape: []int{}, Data: []float64{want}},
				torchRefRTol64, max(torchRefFloor, 1e-3*scale))
			if t.Failed() {
				t.Logf("PyTorch expression:\n%s", c.Torch)
			}
		})
	}
}

func TestTorchRefFloat32(t *testing.T) {
	for _, c := range loadTorchRef(t) {
		f := torchRefCases[c.Name]
		if f == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			in := make([]*dl.Tensor, len(c.Inputs))
			for i, ri := range c.Inputs {
				in[i] = tensorOf(dl.Float32, ri.Shape, ri.Data)
			}
			out := f(in...)
			if out.DType() != dl.Float32 {
				t.Fatalf("output dtype %v, want float32", out.DType())
			}
			checkClose(t, "float32 output", out, c.Output, torchRefRTol32, torchRefFloor)
			if t.Failed() {
				t.Logf("PyTorch expression:\n%s", c.Torch)
			}
		})
	}
}

// TestTorchRefWithin pins the tolerance rule, so that a change to within
// cannot silently accept everything.
func TestTorchRefWithin(t *testing.T) {
	for _, tc := range []struct {
		got, want float64
		ok        bool
	}{
		{1 + 0.5e-6, 1, true},
		{1 + 2e-6, 1, false},
		{-1e3 - 0.5e-3, -1e3, true},
		{-1e3 - 2e-3, -1e3, false},
		{1e-4 + 0.5e-9, 1e-4, true}, // under the floor: absolute 1e-9
		{1e-4 + 2e-9, 1e-4, false},
		{math.NaN(), 1, false},
		{math.Inf(1), 1, false},
	} {
		if ok := within(tc.got, tc.want, torchRefRTol64, torchRefFloor); ok != tc.ok {
			t.Errorf("within(%v, %v) = %v, want %v", tc.got, tc.want, ok, tc.ok)
		}
	}
}
