package train

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws one line per epoch, redrawn in place (with \r) at
// most ten times a second, and leaves the epoch's summary when it ends.
type progressBar struct {
	w    io.Writer
	last time.Time
}

const barWidth = 24

func newProgressBar(w io.Writer) Callback {
	p := &progressBar{w: w}
	return p.event
}

func (p *progressBar) event(e Event) {
	switch e.Kind {
	case StepEnd:
		if time.Since(p.last) < 100*time.Millisecond && e.StepInEpoch < e.StepsPerEpoch {
			return
		}
		p.last = time.Now()
		fmt.Fprintf(p.w, "\r%s", p.line(e))
	case EpochEnd:
		rec := e.History.Epochs[len(e.History.Epochs)-1]
		s := fmt.Sprintf("epoch %d/%d  loss %.4f", e.Epoch+1, e.Epochs, rec.Loss)
		if rec.HasAccuracy {
			s += "  acc " + percent(rec.Accuracy)
		}
		if rec.Validated {
			s += fmt.Sprintf("  val loss %.4f", rec.ValLoss)
			if rec.HasAccuracy {
				s += "  val acc " + percent(rec.ValAccuracy)
			}
		}
		s += fmt.Sprintf("  %.1fs  %.0f samples/s", rec.Seconds, rec.SamplesPerSec)
		fmt.Fprintf(p.w, "\r%-*s\n", len(p.line(e)), s)
	case RunEnd:
		if e.History.Stopped != "" {
			fmt.Fprintf(p.w, "stopped: %s\n", e.History.Stopped)
		}
	}
}

func (p *progressBar) line(e Event) string {
	done := 0
	if e.StepsPerEpoch > 0 {
		done = barWidth * e.StepInEpoch / e.StepsPerEpoch
	}
	bar := strings.Repeat("=", done) + strings.Repeat(" ", barWidth-done)
	if done > 0 && done < barWidth {
		bar = strings.Repeat("=", done-1) + ">" + strings.Repeat(" ", barWidth-done)
	}
	s := fmt.Sprintf("epoch %d/%d [%s] %d/%d  loss %.4f", e.Epoch+1, e.Epochs, bar, e.StepInEpoch, e.StepsPerEpoch, e.Loss)
	if e.HasAccuracy {
		s += "  acc " + percent(e.Accuracy)
	}
	return s + fmt.Sprintf("  %.0f samples/s", e.SamplesPerSec)
}
