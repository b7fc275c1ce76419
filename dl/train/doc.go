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
package train
