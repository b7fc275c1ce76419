// Package train is the training loop: Fit runs epochs of mini-batch steps
// (forward, loss, backward, optimizer step) over a data.Loader, evaluates
// on a validation set, stops early, checkpoints every epoch and resumes
// from the checkpoint, and reports progress.
//
// Progress goes to a terminal progress bar outside a notebook. A display
// registered with RegisterDisplay (package viz registers a live loss curve
// when it runs inside a notebook) replaces the bar. Callbacks see every
// step and epoch and may stop the run.
//
// Fit returns a History of every step and epoch for plotting later. An
// interrupt (Ctrl-C, or interrupting the notebook cell) stops the run
// after the current step; the last completed epoch's checkpoint stays.
//
// A bad argument (no optimizer, a loader without batches, an empty
// validation set) panics with a *dl.Error before the first step, e.g.
// "dl: train.Fit: Options.Optimizer is nil"; dl.Catch turns it into an
// error. A checkpoint that cannot be written or read is recorded in
// History.Err instead.
package train
