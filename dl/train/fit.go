package train

import (
	"context"
	"math"
	"os"
	"os/signal"
	"time"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
)

// Fit trains model on the batches of loader as opts say and returns the
// run's history. Each step is the lecture's: ZeroGrad, Forward, loss,
// Backward, Step. Fit leaves the model in evaluation mode. It panics with a
// *dl.Error, before the first step, when the model, the loader or
// opts.Optimizer is nil, or when the loader or opts.Validation has no
// samples to give.
func Fit(model nn.Module, loader *data.Loader, opts Options) *History {
	const op = "Fit"
	switch {
	case model == nil:
		panicf(op, "the model is nil")
	case opts.Optimizer == nil:
		panicf(op, "Options.Optimizer is nil")
	case loader == nil:
		panicf(op, "the loader is nil")
	case loader.Dataset().Len() == 0:
		panicf(op, "the loader's data set %q has no samples", loader.Dataset().Name)
	case loader.Len() == 0:
		panicf(op, "the loader has no batches: its %d samples are fewer than the batch size %d, and DropLast leaves them out",
			loader.Dataset().Len(), loader.BatchSize())
	case opts.Validation != nil && opts.Validation.Len() == 0:
		panicf(op, "validation set %q has no samples", opts.Validation.Name)
	}
	r := newRun(model, loader, opts)
	defer r.stopSignals()
	defer model.SetTraining(false)
	r.run()
	return r.hist
}

// run is one call of Fit.
type run struct {
	model     nn.Module
	loader    *data.Loader
	opts      Options
	hist      *History
	callbacks []Callback
	ctx       context.Context

	stopSignals func()
	stop        bool // set by a callback
	epoch, step int
	best        float64
	badEpochs   int
	noMomentum  bool // the optimizer has no momentum for a schedule to cycle
}

func newRun(model nn.Module, loader *data.Loader, opts Options) *run {
	if opts.Epochs <= 0 {
		opts.Epochs = 1
	}
	if opts.Loss == nil {
		opts.Loss = nn.CrossEntropy
	}
	if opts.ValBatchSize <= 0 {
		opts.ValBatchSize = 1000
	}
	r := &run{model: model, loader: loader, opts: opts, hist: &History{Name: opts.Name}, best: math.Inf(1)}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	r.ctx, r.stopSignals = signal.NotifyContext(ctx, os.Interrupt)
	if !opts.Quiet {
		if newDisplay := registeredDisplay(); newDisplay != nil {
			r.callbacks = append(r.callbacks, newDisplay(opts))
		} else {
			w := opts.Progress
			if w == nil {
				w = os.Stderr
			}
			r.callbacks = append(r.callbacks, newProgressBar(w))
		}
	}
	r.callbacks = append(r.callbacks, opts.Callbacks...)
	return r
}

func (r *run) run() {
	if r.opts.Device != nil {
		nn.To(r.model, r.opts.Device)
	}
	if r.opts.Checkpoint != "" && r.opts.Resume {
		st, ok, err := loadCheckpoint(r.opts.Checkpoint, r.model)
		if err != nil {
			r.hist.Err = err
			return
		}
		if ok {
			r.epoch, r.step, r.best, r.badEpochs = st.EpochsDone, st.Steps, st.Best, st.BadEpochs
			st.History.Name = r.hist.Name
			r.hist = st.History
		}
	}
	for ; r.epoch < r.opts.Epochs; r.epoch++ {
		if !r.trainEpoch() {
			break
		}
		if r.earlyStop() {
			r.hist.Stopped = "early stopping"
			r.epoch++
			break
		}
	}
	r.emit(Event{Kind: RunEnd})
}

// trainEpoch runs one epoch; it returns false when the run must end.
func (r *run) trainEpoch() bool {
	r.model.SetTraining(true)
	r.loader.SetEpoch(r.epoch)
	start := time.Now()
	var lossSum, accSum float64
	samples, inEpoch := 0, 0
	hasAcc := false
	for x, y := range r.loader.Epoch() {
		x, y = r.onDevice(x), r.onDevice(y)
		lr := r.setLR()
		r.opts.Optimizer.ZeroGrad()
		out := r.model.Forward(x)
		loss := r.opts.Loss(out, y)
		loss.Backward()
		r.opts.Optimizer.Step()

		n := x.Dim(0)
		rec := StepRecord{Epoch: r.epoch, Step: r.step, Loss: loss.Item(), LR: lr}
		if acc, ok := r.accuracy(out, y); ok {
			rec.Accuracy, hasAcc = acc, true
			accSum += acc * float64(n)
		}
		lossSum += rec.Loss * float64(n)
		samples += n
		r.step++
		inEpoch++
		r.hist.Steps = append(r.hist.Steps, rec)
		r.emit(Event{Kind: StepEnd, StepInEpoch: inEpoch, Loss: rec.Loss, Accuracy: rec.Accuracy, HasAccuracy: hasAcc,
			LR: lr, SamplesPerSec: float64(samples) / time.Since(start).Seconds()})
		if r.ctx.Err() != nil || r.stop {
			r.hist.Stopped = "interrupted"
			if r.stop {
				r.hist.Stopped = "stopped by a callback"
			}
			return false
		}
	}
	secs := time.Since(start).Seconds()
	rec := EpochRecord{Epoch: r.epoch, Loss: lossSum / float64(samples), HasAccuracy: hasAcc, Seconds: secs, SamplesPerSec: float64(samples) / secs}
	if hasAcc {
		rec.Accuracy = accSum / float64(samples)
	}
	if v := r.opts.Validation; v != nil {
		rec.ValLoss, rec.ValAccuracy = r.evaluate(v)
		rec.Validated = true
	}
	r.hist.Epochs = append(r.hist.Epochs, rec)
	r.track(rec)
	if r.opts.Checkpoint != "" {
		st := runState{EpochsDone: r.epoch + 1, Steps: r.step, Best: r.best, BadEpochs: r.badEpochs, History: r.hist}
		if err := saveCheckpoint(r.opts.Checkpoint, r.model, st); err != nil {
			r.hist.Err = err
		}
	}
	r.emit(Event{Kind: EpochEnd, StepInEpoch: inEpoch, Loss: rec.Loss, Accuracy: rec.Accuracy, HasAccuracy: hasAcc,
		LR: r.opts.Optimizer.LR(), SamplesPerSec: rec.SamplesPerSec})
	return !r.stop
}

// setLR applies the schedule, if any, and returns the rate of this step.
// A schedule that also cycles momentum (OneCycle) sets the optimizer's
// momentum too, as PyTorch's OneCycleLR does, where the optimizer has one.
func (r *run) setLR() float64 {
	if s := r.opts.Schedule; s != nil {
		r.opts.Optimizer.SetLR(s.LR(r.step))
		if ms, ok := s.(interface{ Momentum(step int) float64 }); ok && !r.noMomentum {
			if setter, ok := r.opts.Optimizer.(optim.MomentumSetter); ok {
				r.noMomentum = dl.Catch(func() { setter.SetMomentum(ms.Momentum(r.step)) }) != nil
			}
		}
	}
	return r.opts.Optimizer.LR()
}

func (r *run) accuracy(out, y *dl.Tensor) (float64, bool) {
	if r.opts.Accuracy != nil {
		return r.opts.Accuracy(out, y), true
	}
	if y.Rank() == 1 && out.Rank() == 2 {
		return nn.Accuracy(out, y), true
	}
	return 0, false
}

// evaluate returns the mean loss and accuracy over ds in evaluation mode.
func (r *run) evaluate(ds *data.Dataset) (loss, acc float64) {
	r.model.SetTraining(false)
	defer r.model.SetTraining(true)
	n := 0
	dl.NoGrad(func() {
		for x, y := range data.NewLoader(ds, r.opts.ValBatchSize).Epoch() {
			x, y = r.onDevice(x), r.onDevice(y)
			out := r.model.Forward(x)
			b := float64(x.Dim(0))
			loss += r.opts.Loss(out, y).Item() * b
			if a, ok := r.accuracy(out, y); ok {
				acc += a * b
			}
			n += x.Dim(0)
		}
	})
	return loss / float64(n), acc / float64(n)
}

// track updates the early-stopping counters with the epoch's monitored loss.
func (r *run) track(rec EpochRecord) {
	monitored := rec.Loss
	if rec.Validated {
		monitored = rec.ValLoss
	}
	if monitored < r.best-r.opts.MinDelta {
		r.best, r.badEpochs = monitored, 0
	} else {
		r.badEpochs++
	}
}

func (r *run) earlyStop() bool { return r.opts.Patience > 0 && r.badEpochs >= r.opts.Patience }

func (r *run) emit(e Event) {
	e.Epoch, e.Epochs, e.Step, e.StepsPerEpoch, e.History, e.stop = min(r.epoch, r.opts.Epochs-1), r.opts.Epochs, r.step, r.loader.Len(), r.hist, &r.stop
	for _, cb := range r.callbacks {
		cb(e)
	}
}

// onDevice returns t on the run's device (t itself without one).
func (r *run) onDevice(t *dl.Tensor) *dl.Tensor {
	if r.opts.Device == nil {
		return t
	}
	return t.To(r.opts.Device)
}
