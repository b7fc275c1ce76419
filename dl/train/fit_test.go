package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
)

// playgroundNet is the lecture's Playground network, 2-8-8 tanh, with two
// outputs for cross-entropy.
func playgroundNet(seed uint64) nn.Module {
	nn.Seed(seed)
	return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 2))
}

func TestFitSeparatesPlayground(t *testing.T) {
	for _, ds := range []*data.Dataset{data.Circle(500, 0, 1), data.XOR(500, 0, 1)} {
		tr, te := ds.Split(0.2, 2)
		net := playgroundNet(3)
		h := Fit(net, data.NewLoader(tr, 10, data.Shuffle(4)), Options{
			Epochs: 40, Optimizer: optim.Adam(net.Parameters(), 0.03), Validation: te, Quiet: true})
		last, ok := h.Last()
		if !ok || last.ValAccuracy < 0.95 {
			t.Errorf("%s: validation accuracy %.3f after %d epochs, want ≥ 0.95\n%s", ds.Name, last.ValAccuracy, len(h.Epochs), h)
		}
		if len(h.Steps) != 40*40 {
			t.Errorf("%s: %d steps, want 1600", ds.Name, len(h.Steps))
		}
	}
}

func TestFitResumesFromCheckpoint(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "net.safetensors")
	ds := data.Circle(100, 0, 1)
	opts := func(epochs int) Options {
		return Options{Epochs: epochs, Checkpoint: ckpt, Resume: true, Quiet: true}
	}
	full := playgroundNet(5)
	o := opts(4)
	o.Optimizer = optim.SGD(full.Parameters(), 0.1)
	want := Fit(full, data.NewLoader(ds, 20, data.Shuffle(1)), o)

	os.Remove(ckpt)
	os.Remove(statePath(ckpt))
	first := playgroundNet(5)
	o = opts(2)
	o.Optimizer = optim.SGD(first.Parameters(), 0.1)
	Fit(first, data.NewLoader(ds, 20, data.Shuffle(1)), o)

	resumed := playgroundNet(99) // different weights: the checkpoint must replace them
	o = opts(4)
	o.Optimizer = optim.SGD(resumed.Parameters(), 0.1)
	got := Fit(resumed, data.NewLoader(ds, 20, data.Shuffle(1)), o)
	if got.Err != nil {
		t.Fatal(got.Err)
	}
	if len(got.Epochs) != 4 || len(got.Steps) != 20 {
		t.Fatalf("resumed run has %d epochs and %d steps, want 4 and 20", len(got.Epochs), len(got.Steps))
	}
	// Plain SGD has no state, so the resumed run equals the uninterrupted one.
	for i := range want.Epochs {
		if got.Epochs[i].Loss != want.Epochs[i].Loss {
			t.Errorf("epoch %d: loss %g, uninterrupted run %g", i, got.Epochs[i].Loss, want.Epochs[i].Loss)
		}
	}
}

func TestEarlyStopping(t *testing.T) {
	net := playgroundNet(1)
	h := Fit(net, data.NewLoader(data.XOR(40, 0, 1), 10), Options{
		Epochs: 10, Optimizer: optim.SGD(net.Parameters(), 0), Patience: 2, Quiet: true})
	if h.Stopped != "early stopping" || len(h.Epochs) != 3 {
		t.Errorf("stopped %q after %d epochs; with a zero learning rate, want early stopping after 3", h.Stopped, len(h.Epochs))
	}
}

func TestStopAndInterrupt(t *testing.T) {
	net := playgroundNet(1)
	ds := data.XOR(40, 0, 1)
	h := Fit(net, data.NewLoader(ds, 10), Options{Epochs: 3, Optimizer: optim.SGD(net.Parameters(), 0.1), Quiet: true,
		Callbacks: []Callback{func(e Event) {
			if e.Kind == StepEnd && e.Step == 5 {
				e.Stop()
			}
		}}})
	if h.Stopped != "stopped by a callback" || len(h.Steps) != 5 || len(h.Epochs) != 1 {
		t.Errorf("stopped %q with %d steps, %d epochs; want a stop after step 5", h.Stopped, len(h.Steps), len(h.Epochs))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h = Fit(net, data.NewLoader(ds, 10), Options{Epochs: 3, Optimizer: optim.SGD(net.Parameters(), 0.1), Quiet: true, Context: ctx})
	if h.Stopped != "interrupted" || len(h.Steps) != 1 {
		t.Errorf("stopped %q after %d steps; want an interrupt after the first", h.Stopped, len(h.Steps))
	}
}

func TestScheduleAndProgress(t *testing.T) {
	net := playgroundNet(1)
	var out bytes.Buffer
	sched := optim.Step(0.1, 4, 0.5)
	h := Fit(net, data.NewLoader(data.XOR(40, 0, 1), 10), Options{Epochs: 2, Optimizer: optim.SGD(net.Parameters(), 1), Schedule: sched, Progress: &out})
	for _, s := range h.Steps {
		if s.LR != sched.LR(s.Step) {
			t.Errorf("step %d used lr %g, schedule says %g", s.Step, s.LR, sched.LR(s.Step))
		}
	}
	for _, want := range []string{"epoch 1/2", "epoch 2/2", "loss", "acc", "samples/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("progress output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRegisteredDisplayReplacesBar(t *testing.T) {
	var events []EventKind
	RegisterDisplay(func(Options) Callback { return func(e Event) { events = append(events, e.Kind) } })
	defer RegisterDisplay(nil)
	net := playgroundNet(1)
	var out bytes.Buffer
	Fit(net, data.NewLoader(data.XOR(20, 0, 1), 10), Options{Optimizer: optim.SGD(net.Parameters(), 0.1), Progress: &out})
	if out.Len() != 0 {
		t.Errorf("the progress bar drew despite a display: %q", out.String())
	}
	if want := []EventKind{StepEnd, StepEnd, EpochEnd, RunEnd}; !slices.Equal(events, want) {
		t.Errorf("display saw %v, want %v", events, want)
	}
}

func TestFitRegression(t *testing.T) {
	nn.Seed(2)
	net := nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
	ds := data.Plane(200, 0, 1)
	h := Fit(net, data.NewLoader(ds, 20, data.Shuffle(1)), Options{Epochs: 30, Optimizer: optim.Adam(net.Parameters(), 0.02), Loss: nn.MSE, Quiet: true})
	first, last := h.Epochs[0], h.Epochs[len(h.Epochs)-1]
	if last.HasAccuracy || !(last.Loss < first.Loss/10) {
		t.Errorf("MSE went from %g to %g (accuracy recorded: %v)", first.Loss, last.Loss, last.HasAccuracy)
	}
	_ = dl.Scalar
}

// recordingSGD records the momentum a schedule sets.
type recordingSGD struct {
	optim.Optimizer
	momenta []float64
}

func (r *recordingSGD) SetMomentum(m float64) {
	r.momenta = append(r.momenta, m)
	r.Optimizer.(optim.MomentumSetter).SetMomentum(m)
}

func TestOneCycleCyclesMomentum(t *testing.T) {
	net := playgroundNet(1)
	sched := optim.OneCycle(0.1, 8)
	opt := &recordingSGD{Optimizer: optim.SGD(net.Parameters(), 0.1, optim.Momentum(0.9))}
	Fit(net, data.NewLoader(data.XOR(40, 0, 1), 10), Options{Epochs: 2, Optimizer: opt, Schedule: sched, Quiet: true})
	if len(opt.momenta) != 8 {
		t.Fatalf("momentum set %d times, want 8", len(opt.momenta))
	}
	for step, m := range opt.momenta {
		if m != sched.Momentum(step) {
			t.Errorf("step %d: momentum %g, schedule says %g", step, m, sched.Momentum(step))
		}
	}
	// Adagrad has no momentum: the schedule still sets its rate.
	ada := optim.Adagrad(net.Parameters(), 0.1)
	h := Fit(net, data.NewLoader(data.XOR(40, 0, 1), 10), Options{Epochs: 1, Optimizer: ada, Schedule: sched, Quiet: true})
	if h.Steps[1].LR != sched.LR(1) {
		t.Errorf("Adagrad step 1 lr %g, want %g", h.Steps[1].LR, sched.LR(1))
	}
}

// A bad argument panics with a *dl.Error before the first step, so that
// dl.Catch turns it into an error.
func TestFitBadArguments(t *testing.T) {
	net := playgroundNet(1)
	opt := optim.SGD(net.Parameters(), 0.1)
	ds := data.XOR(10, 0, 1)
	ds.Name = "xor"
	empty := ds.Slice(0, 0)
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { Fit(nil, data.NewLoader(ds, 4), Options{Optimizer: opt}) }, "dl: train.Fit: the model is nil"},
		{func() { Fit(net, data.NewLoader(ds, 4), Options{}) }, "dl: train.Fit: Options.Optimizer is nil"},
		{func() { Fit(net, nil, Options{Optimizer: opt}) }, "dl: train.Fit: the loader is nil"},
		{func() { Fit(net, data.NewLoader(empty, 4), Options{Optimizer: opt}) },
			`dl: train.Fit: the loader's data set "xor" has no samples`},
		{func() { Fit(net, data.NewLoader(ds, 20, data.DropLast()), Options{Optimizer: opt}) },
			"dl: train.Fit: the loader has no batches: its 10 samples are fewer than the batch size 20, and DropLast leaves them out"},
		{func() { Fit(net, data.NewLoader(ds, 4), Options{Optimizer: opt, Validation: empty}) },
			`dl: train.Fit: validation set "xor" has no samples`},
	} {
		err := dl.Catch(c.f)
		if err == nil || err.Error() != c.want {
			t.Errorf("got  %v\nwant %s", err, c.want)
		}
	}
}
