package train

import (
	"context"
	"io"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/optim"
)

// Options configure Fit. Only Optimizer is required.
type Options struct {
	Epochs    int                                     // number of passes over the loader; 1 when 0
	Optimizer optim.Optimizer                         // required
	Loss      func(out, target *dl.Tensor) *dl.Tensor // nn.CrossEntropy when nil
	// Schedule sets the learning rate before every step (the step counted
	// over the whole run); nil leaves the optimizer's rate alone.
	Schedule optim.Schedule

	// Validation is evaluated after every epoch, in evaluation mode and
	// without recording gradients, in batches of ValBatchSize (1000 when 0).
	Validation   *data.Dataset
	ValBatchSize int

	// Accuracy measures a batch; when nil, nn.Accuracy is used if the
	// targets are class labels (a 1-D tensor), and no accuracy otherwise.
	Accuracy func(out, target *dl.Tensor) float64

	// Patience > 0 stops the run when the validation loss (the training
	// loss without a validation set) has not improved by more than
	// MinDelta for that many epochs.
	Patience int
	MinDelta float64

	// Checkpoint, when set, is the path of a safetensors file holding the
	// model after every epoch, written atomically, with the run's state in
	// Checkpoint + ".state". With Resume, a run whose checkpoint exists
	// starts from it: the model's weights, the epoch and the history. The
	// optimizer's internal state (momentum, Adam's moments) starts afresh.
	Checkpoint string
	Resume     bool

	Callbacks []Callback
	// Progress receives the terminal progress bar (os.Stderr when nil);
	// Quiet turns all progress display off.
	Progress io.Writer
	Quiet    bool
	Name     string // History.Name, a label for plots comparing runs
	// Context stops the run when done, as an interrupt does.
	Context context.Context

	// Device, when set, is where the run computes: the model's parameters
	// and buffers move there in place before the first step (the
	// optimizer's parameters are the same tensors and follow), and every
	// batch is copied there. The model stays there after the run.
	Device dl.Device
}
