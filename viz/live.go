package viz

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gradbook/gradbook/dl/train"
)

// LiveView is the live view of a training run in a notebook: one output
// that is replaced in place as the run goes, showing a line of figures
// (epoch, step, loss, accuracy, samples per second) with a progress bar,
// and the loss curve so far. It redraws at most UpdatesPerSecond times a
// second, and always at the end of the run, so the saved notebook keeps
// the final picture.
//
// Fit shows it by default in a notebook: this package registers
// LiveTraining with train.RegisterDisplay when it runs under GoNB. In a
// terminal, Fit draws its own progress bar instead, and a LiveView used
// there as a callback only records; Show(view) then writes its last frame
// to an HTML file.
type LiveView struct {
	mu        sync.Mutex
	name      string
	id        string
	last      time.Time
	drawn     bool
	every     time.Duration
	history   *train.History
	status    status
	perEpoch  int
	published int // updates sent to the notebook
}

// UpdatesPerSecond bounds how often a live view redraws.
const UpdatesPerSecond = 4

// status is what the figures line shows.
type status struct {
	kind          train.EventKind
	epoch, epochs int
	step, inEpoch int
	perEpoch      int
	loss, acc     float64
	hasAcc        bool
	lr            float64
	samplesPerSec float64
	seen          bool
}

// NewLiveView returns a live view for a run configured by opts (its Name
// titles the view).
func NewLiveView(opts train.Options) *LiveView {
	return &LiveView{name: opts.Name, every: time.Second / UpdatesPerSecond}
}

// LiveTraining returns a new live view's callback: the display that
// train.RegisterDisplay takes.
func LiveTraining(opts train.Options) train.Callback { return NewLiveView(opts).Callback() }

// Callback returns the train callback that feeds the view.
func (v *LiveView) Callback() train.Callback {
	return func(e train.Event) { v.observe(e) }
}

func (v *LiveView) observe(e train.Event) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.history = e.History
	if e.StepsPerEpoch > 0 {
		v.perEpoch = e.StepsPerEpoch
	}
	s := status{kind: e.Kind, epoch: e.Epoch, epochs: e.Epochs, step: e.Step, inEpoch: e.StepInEpoch,
		perEpoch: e.StepsPerEpoch, loss: e.Loss, acc: e.Accuracy, hasAcc: e.HasAccuracy, lr: e.LR,
		samplesPerSec: e.SamplesPerSec, seen: true}
	if e.Kind == train.RunEnd {
		// RunEnd carries no figures of its own: keep the last ones.
		s = v.status
		s.kind = train.RunEnd
		s.seen = true
	}
	v.status = s
	if !inNotebook() {
		return
	}
	now := time.Now()
	if e.Kind != train.RunEnd && v.drawn && now.Sub(v.last) < v.every {
		return
	}
	if v.id == "" {
		v.id = newDisplayID()
	}
	publish(v.bundleLocked(), v.id)
	v.published++
	v.drawn, v.last = true, time.Now()
	if e.Kind == train.RunEnd {
		syncNotebook()
	}
}

// HTML returns the view's current frame: the figures line and the loss
// curve.
func (v *LiveView) HTML() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.frameLocked()
}

func (v *LiveView) baseName() string { return "training" }

func (v *LiveView) bundleLocked() map[mimeType]any {
	return map[mimeType]any{mimeHTML: v.frameLocked(), mimePlain: v.lineLocked() + "\n"}
}

func (v *LiveView) frameLocked() string {
	var b strings.Builder
	b.WriteString(`<div class="gradbook-live" style="font-family:'Liberation Sans',Arial,Helvetica,sans-serif">` + "\n")
	if v.name != "" {
		b.WriteString(`<div style="font-weight:bold;font-size:14px;margin-bottom:2px">` + html.EscapeString(v.name) + "</div>\n")
	}
	frac := v.progressLocked()
	fmt.Fprintf(&b, `<div style="display:flex;align-items:center;gap:10px;font-size:13px">`+
		`<div style="width:160px;height:8px;border-radius:4px;background:rgba(128,128,128,.25);overflow:hidden">`+
		`<div style="width:%.1f%%;height:100%%;background:#0877bd"></div></div>`+
		`<span style="font-variant-numeric:tabular-nums">%s</span></div>`+"\n", 100*frac, html.EscapeString(v.lineLocked()))
	if h := v.history; h != nil && len(h.Steps) > 0 {
		f := lossCurve([]*train.History{h}, v.perEpoch)
		f.title = ""
		f.Size(f.width.Points(), 250)
		b.WriteString(`<div style="max-width:100%;overflow-x:auto">` + inlineSVG(f.SVG()) + "</div>\n")
	}
	b.WriteString("</div>\n")
	return b.String()
}

func (v *LiveView) progressLocked() float64 {
	s := v.status
	if !s.seen || s.epochs <= 0 {
		return 0
	}
	if s.kind == train.RunEnd {
		return 1
	}
	per := max(s.perEpoch, 1)
	done := float64(s.epoch) + float64(s.inEpoch)/float64(per)
	if s.kind == train.EpochEnd {
		done = float64(s.epoch + 1)
	}
	return math.Min(1, done/float64(s.epochs))
}

// lineLocked is the line of figures, e.g.
// "epoch 2/5 · step 37/50 · loss 0.3121 · accuracy 91.4% · 12,340 samples/s".
func (v *LiveView) lineLocked() string {
	s := v.status
	if !s.seen {
		return "waiting for the first step"
	}
	var parts []string
	h := v.history
	switch s.kind {
	case train.RunEnd:
		epochs := 0
		steps := 0
		if h != nil {
			epochs, steps = len(h.Epochs), len(h.Steps)
		}
		parts = append(parts, fmt.Sprintf("done: %d epoch%s, %d steps", epochs, plural(epochs), steps))
		if h != nil {
			if e, ok := h.Last(); ok {
				parts = append(parts, "loss "+fmt4(e.Loss))
				if e.HasAccuracy {
					parts = append(parts, "accuracy "+pct(e.Accuracy))
				}
				if e.Validated {
					parts = append(parts, "val loss "+fmt4(e.ValLoss))
					if e.HasAccuracy {
						parts = append(parts, "val accuracy "+pct(e.ValAccuracy))
					}
				}
				if e.SamplesPerSec > 0 {
					parts = append(parts, thousands(e.SamplesPerSec)+" samples/s")
				}
			}
			if h.Stopped != "" {
				parts = append(parts, "stopped: "+h.Stopped)
			}
		}
	default:
		parts = append(parts, fmt.Sprintf("epoch %d/%d", s.epoch+1, s.epochs))
		if s.perEpoch > 0 {
			parts = append(parts, fmt.Sprintf("step %d/%d", s.inEpoch, s.perEpoch))
		}
		parts = append(parts, "loss "+fmt4(s.loss))
		if s.hasAcc {
			parts = append(parts, "accuracy "+pct(s.acc))
		}
		if s.kind == train.EpochEnd && h != nil {
			if e, ok := h.Last(); ok && e.Validated {
				parts = append(parts, "val loss "+fmt4(e.ValLoss))
				if e.HasAccuracy {
					parts = append(parts, "val accuracy "+pct(e.ValAccuracy))
				}
			}
		}
		if s.lr > 0 {
			parts = append(parts, "lr "+minus(strconv.FormatFloat(s.lr, 'g', 4, 64)))
		}
		if s.samplesPerSec > 0 {
			parts = append(parts, thousands(s.samplesPerSec)+" samples/s")
		}
	}
	return strings.Join(parts, " · ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func fmt4(v float64) string { return minus(fmt.Sprintf("%.4f", v)) }

func pct(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

// thousands writes a rate rounded to a whole number with thousands
// separators: 12,345.
func thousands(v float64) string {
	if !finite(v) {
		return "–"
	}
	s := fmt.Sprintf("%.0f", math.Abs(v))
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if v < 0 {
		return "−" + b.String()
	}
	return b.String()
}
