package train

import "sync"

// EventKind says when a callback is called.
type EventKind int

const (
	// StepEnd follows every optimizer step.
	StepEnd EventKind = iota
	// EpochEnd follows every epoch, after validation and checkpointing.
	EpochEnd
	// RunEnd follows the end of the run, however it ended.
	RunEnd
)

// Event is what a callback sees: where the run is and how it goes.
type Event struct {
	Kind          EventKind
	Epoch, Epochs int // the current (0-based) epoch and the number of epochs
	Step          int // steps done in the whole run
	StepInEpoch   int // steps done in this epoch
	StepsPerEpoch int
	Loss          float64 // the last step's loss (StepEnd) or the epoch's mean (EpochEnd)
	Accuracy      float64 // as Loss, when HasAccuracy
	HasAccuracy   bool
	LR            float64
	SamplesPerSec float64 // over the current epoch so far
	History       *History

	stop *bool
}

// Stop ends the run after the current step.
func (e Event) Stop() {
	if e.stop != nil {
		*e.stop = true
	}
}

// Callback is called at each event of a run.
type Callback func(Event)

var (
	displayMu sync.Mutex
	display   func(opts Options) Callback
)

// RegisterDisplay installs the progress display that Fit uses instead of
// the terminal progress bar; package viz registers its live training view
// when it runs inside a notebook. newDisplay is called once per run.
// Passing nil restores the progress bar.
func RegisterDisplay(newDisplay func(opts Options) Callback) {
	displayMu.Lock()
	defer displayMu.Unlock()
	display = newDisplay
}

func registeredDisplay() func(Options) Callback {
	displayMu.Lock()
	defer displayMu.Unlock()
	return display
}
