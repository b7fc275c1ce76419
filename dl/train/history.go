package train

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
)

// History records a training run, step by step and epoch by epoch.
type History struct {
	Name   string        // a label for plots comparing runs, e.g. "lr=0.1"
	Steps  []StepRecord  // one per optimizer step
	Epochs []EpochRecord // one per completed epoch
	// Stopped says why the run ended before its last epoch: "" (it did
	// not), "early stopping", "interrupted" or "stopped by a callback".
	Stopped string
	// Err holds an error writing or reading the checkpoint; training goes
	// on when a checkpoint cannot be written, and reports it here.
	Err error
}

// StepRecord is one optimizer step.
type StepRecord struct {
	Epoch    int     // 0-based
	Step     int     // 0-based, counted over the whole run
	Loss     float64 // the mini-batch's loss
	Accuracy float64 // the mini-batch's accuracy (when Options.Accuracy applies)
	LR       float64 // the learning rate used
}

// EpochRecord summarises one epoch.
type EpochRecord struct {
	Epoch         int     // 0-based
	Loss          float64 // mean training loss over the epoch's samples
	Accuracy      float64 // training accuracy over the epoch's samples
	ValLoss       float64 // loss on the validation set (when Validated)
	ValAccuracy   float64 // accuracy on the validation set (when Validated)
	Validated     bool
	HasAccuracy   bool
	Seconds       float64 // wall time of the epoch's steps
	SamplesPerSec float64
}

// Table returns the per-epoch figures as a table (text, Markdown, HTML).
func (h *History) Table() *dl.Table {
	t := &dl.Table{Title: "Training history", TextHeader: true,
		Header: []string{"epoch", "loss", "accuracy", "val loss", "val accuracy", "seconds", "samples/s"}}
	for _, e := range h.Epochs {
		acc, vl, va := "", "", ""
		if e.HasAccuracy {
			acc = percent(e.Accuracy)
		}
		if e.Validated {
			vl = fmt.Sprintf("%.4f", e.ValLoss)
			if e.HasAccuracy {
				va = percent(e.ValAccuracy)
			}
		}
		t.Rows = append(t.Rows, dl.TableRow{Cells: []string{fmt.Sprint(e.Epoch + 1), fmt.Sprintf("%.4f", e.Loss), acc, vl, va,
			fmt.Sprintf("%.2f", e.Seconds), fmt.Sprintf("%.0f", e.SamplesPerSec)}})
	}
	return t
}

// String renders Table as text, with why the run stopped early, if it did.
func (h *History) String() string {
	s := h.Table().String()
	if h.Stopped != "" {
		s += "stopped: " + h.Stopped + "\n"
	}
	return s
}

// Last returns the last epoch's record, or false when no epoch completed.
func (h *History) Last() (EpochRecord, bool) {
	if len(h.Epochs) == 0 {
		return EpochRecord{}, false
	}
	return h.Epochs[len(h.Epochs)-1], true
}

func percent(v float64) string { return fmt.Sprintf("%.2f%%", 100*v) }
