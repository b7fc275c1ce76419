package optim_test

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/optim"
)

// These tests check the optimizers and schedules against PyTorch 1.13.
// testdata/reference.json holds PyTorch's float64 results; the committed
// script testdata/generate.py wrote it (how to run it is explained there).
// The tests never run torch: they replay the same loss with dl's ops in
// Float64 and compare
//
//   - the parameters after each optimizer step, to torchRefParamRTol
//     relative error;
//   - each schedule's learning rate (and OneCycle's momentum) at every
//     step, to torchRefLRRTol relative error.
const (
	torchRefParamRTol = 1e-10
	torchRefLRRTol    = 1e-12
)

type torchRef struct {
	TorchVersion string      `json:"torch_version"`
	X, Y, W0     [][]float64 // the data and the weight's start
	B0           []float64   `json:"b0"` // the bias's start
	Optimizers   map[string]struct {
		Class  string         `json:"class"`
		Kwargs map[string]any `json:"kwargs"`
		Steps  []struct {
			W []float64 `json:"W"`
			B []float64 `json:"b"`
		} `json:"steps"`
	} `json:"optimizers"`
	Schedules map[string]struct {
		LR       []float64 `json:"lr"`
		Momentum []float64 `json:"momentum"`
		Metrics  []float64 `json:"metrics"`
	} `json:"schedules"`
}

func loadTorchRef(t *testing.T) *torchRef {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref torchRef
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return &ref
}

// matrix returns a Float64 tensor of the rows.
func matrix(rows [][]float64) *dl.Tensor {
	var flat []float64
	for _, r := range rows {
		flat = append(flat, r...)
	}
	return dl.FromSlice(flat, len(rows), len(rows[0]))
}

// torchRefLoss is generate.py's loss_fn:
// mean((X @ W + b − Y)²) + 0.05·sum(W⁴).
func torchRefLoss(W, b, X, Y *dl.Tensor) *dl.Tensor {
	fit := X.MatMul(W).Add(b).Sub(Y).Square().Mean()
	return fit.Add(W.Square().Square().Sum().Mul(dl.Float64.Scalar(0.05)))
}

// torchRefOptimizers are the Go twins of generate.py's OPTIMIZERS.
var torchRefOptimizers = map[string]func(p []*dl.Tensor) optim.Optimizer{
	"sgd":          func(p []*dl.Tensor) optim.Optimizer { return optim.SGD(p, 0.1) },
	"sgd_momentum": func(p []*dl.Tensor) optim.Optimizer { return optim.SGD(p, 0.1, optim.Momentum(0.9)) },
	"sgd_dampening": func(p []*dl.Tensor) optim.Optimizer {
		return optim.SGD(p, 0.1, optim.Momentum(0.9), optim.Dampening(0.5))
	},
	"sgd_nesterov": func(p []*dl.Tensor) optim.Optimizer { return optim.SGD(p, 0.1, optim.Momentum(0.9), optim.Nesterov()) },
	"sgd_weight_decay": func(p []*dl.Tensor) optim.Optimizer {
		return optim.SGD(p, 0.1, optim.Momentum(0.5), optim.WeightDecay(0.1))
	},
	"sgd_maximize": func(p []*dl.Tensor) optim.Optimizer { return optim.SGD(p, 0.01, optim.Momentum(0.9), optim.Maximize()) },
	"adagrad":      func(p []*dl.Tensor) optim.Optimizer { return optim.Adagrad(p, 0.1) },
	"adagrad_options": func(p []*dl.Tensor) optim.Optimizer {
		return optim.Adagrad(p, 0.1, optim.LRDecay(0.1), optim.WeightDecay(0.05), optim.InitialAccumulator(0.5), optim.Eps(1e-6))
	},
	"rmsprop":          func(p []*dl.Tensor) optim.Optimizer { return optim.RMSProp(p, 0.01) },
	"rmsprop_momentum": func(p []*dl.Tensor) optim.Optimizer { return optim.RMSProp(p, 0.01, optim.Momentum(0.9)) },
	"rmsprop_centered": func(p []*dl.Tensor) optim.Optimizer { return optim.RMSProp(p, 0.01, optim.Centered()) },
	"rmsprop_all": func(p []*dl.Tensor) optim.Optimizer {
		return optim.RMSProp(p, 0.01, optim.Alpha(0.9), optim.Eps(1e-6), optim.WeightDecay(0.1), optim.Momentum(0.5), optim.Centered())
	},
	"adam": func(p []*dl.Tensor) optim.Optimizer { return optim.Adam(p, 0.05) },
	"adam_amsgrad": func(p []*dl.Tensor) optim.Optimizer {
		return optim.Adam(p, 0.2, optim.Betas(0.9, 0.5), optim.AMSGrad())
	},
	"adam_weight_decay": func(p []*dl.Tensor) optim.Optimizer { return optim.Adam(p, 0.05, optim.WeightDecay(0.1)) },
	"adam_options": func(p []*dl.Tensor) optim.Optimizer {
		return optim.Adam(p, 0.05, optim.Betas(0.8, 0.99), optim.Eps(1e-6), optim.Maximize())
	},
	"adamw": func(p []*dl.Tensor) optim.Optimizer { return optim.AdamW(p, 0.05) },
	"adamw_amsgrad": func(p []*dl.Tensor) optim.Optimizer {
		return optim.AdamW(p, 0.2, optim.Betas(0.9, 0.5), optim.WeightDecay(0.1), optim.AMSGrad())
	},
}

// torchRefSchedules are the Go twins of generate.py's SCHEDULES.
var torchRefSchedules = map[string]optim.Schedule{
	"step":                 optim.Step(0.1, 7, 0.5),
	"multistep":            optim.MultiStep(0.1, []int{5, 12, 12, 20}, 0.3),
	"exponential":          optim.Exponential(0.1, 0.9),
	"cosine":               optim.CosineAnnealing(0.1, 10, 0.001),
	"cosine_zero_min":      optim.CosineAnnealing(0.1, 12, 0),
	"warmup_cosine":        optim.WarmupCosine(0.1, 5, 25, 0.002),
	"onecycle":             optim.OneCycle(0.1, 30),
	"onecycle_options":     optim.OneCycle(0.2, 30, optim.PctStart(0.25), optim.LinearAnneal(), optim.DivFactor(10), optim.FinalDivFactor(100), optim.CycleMomentum(0.8, 0.9)),
	"onecycle_three_phase": optim.OneCycle(0.1, 30, optim.ThreePhase()),
}

// torchRefPlateaus are the Go twins of generate.py's PLATEAUS.
var torchRefPlateaus = map[string]func() *optim.PlateauSchedule{
	"plateau": func() *optim.PlateauSchedule { return optim.ReduceOnPlateau(0.1, 0.5, 2) },
	"plateau_options": func() *optim.PlateauSchedule {
		return optim.ReduceOnPlateau(0.1, 0.3, 1, optim.PlateauMax(), optim.PlateauAbsThreshold(0.015),
			optim.PlateauCooldown(2), optim.PlateauMinLR(0.002))
	},
}

// relClose reports whether |got − want| ≤ rtol·|want| (≤ rtol at want = 0).
func relClose(got, want, rtol float64) bool {
	return math.Abs(got-want) <= rtol*math.Abs(want) || (want == 0 && math.Abs(got) <= rtol)
}

func TestTorchRefOptimizers(t *testing.T) {
	ref := loadTorchRef(t)
	if len(ref.Optimizers) != len(torchRefOptimizers) {
		t.Errorf("reference.json has %d optimizer cases, the test %d", len(ref.Optimizers), len(torchRefOptimizers))
	}
	X, Y := matrix(ref.X), matrix(ref.Y)
	for name, c := range ref.Optimizers {
		t.Run(name, func(t *testing.T) {
			mk := torchRefOptimizers[name]
			if mk == nil {
				t.Fatalf("no Go twin for %s(%v)", c.Class, c.Kwargs)
			}
			W := matrix(ref.W0).SetRequiresGrad(true)
			b := dl.FromSlice(slices.Clone(ref.B0)).SetRequiresGrad(true)
			opt := mk([]*dl.Tensor{W, b})
			for step, want := range c.Steps {
				opt.ZeroGrad()
				torchRefLoss(W, b, X, Y).Backward()
				opt.Step()
				for _, p := range []struct {
					name      string
					got, want []float64
				}{{"W", W.Float64s(), want.W}, {"b", b.Float64s(), want.B}} {
					for i := range p.want {
						if !relClose(p.got[i], p.want[i], torchRefParamRTol) {
							t.Errorf("%s(%v) step %d: %s[%d] = %.17g, PyTorch %.17g (relative error %.2g)",
								c.Class, c.Kwargs, step+1, p.name, i, p.got[i], p.want[i], math.Abs(p.got[i]-p.want[i])/math.Abs(p.want[i]))
						}
					}
				}
			}
		})
	}
}

func TestTorchRefSchedules(t *testing.T) {
	ref := loadTorchRef(t)
	if n := len(torchRefSchedules) + len(torchRefPlateaus); len(ref.Schedules) != n {
		t.Errorf("reference.json has %d schedule cases, the test %d", len(ref.Schedules), n)
	}
	for name, c := range ref.Schedules {
		t.Run(name, func(t *testing.T) {
			check := func(what string, step int, got, want float64) {
				if !relClose(got, want, torchRefLRRTol) {
					t.Errorf("step %d: %s = %.17g, PyTorch %.17g", step, what, got, want)
				}
			}
			if mk := torchRefPlateaus[name]; mk != nil {
				s := mk()
				for step, want := range c.LR {
					check("LR", step, s.LR(step), want)
					s.Observe(c.Metrics[step])
				}
				return
			}
			s := torchRefSchedules[name]
			if s == nil {
				t.Fatalf("no Go twin")
			}
			for step, got := range optim.Preview(s, len(c.LR)) {
				check("LR", step, got, c.LR[step])
			}
			if c.Momentum != nil {
				oc := s.(*optim.OneCycleSchedule)
				for step, want := range c.Momentum {
					check("momentum", step, oc.Momentum(step), want)
				}
			}
		})
	}
}
