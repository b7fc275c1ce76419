// Package viz draws what gradbook computes, for notebooks and elsewhere:
// loss curves, decision boundaries, what hidden units compute, activations
// and gradients through a network's depth, optimizers' paths on a loss
// surface, learning-rate schedules, image grids, confusion matrices, and
// compute graphs; and it styles the tables of dl (trace tables), nn (model
// summaries), backprop and train as HTML.
//
// # Show
//
// Show displays anything of these, and any value with an SVG, PNG or HTML
// method (the SVGer, PNGer and HTMLer interfaces):
//
//	viz.Show(viz.LossCurve(hist))
//	viz.Show(dl.TraceOf(y))          // primal and adjoint tables, side by side
//	viz.Show(nn.Summary(net, 1, 32, 32))
//
// In a GoNB notebook (the GONB_PIPE environment variable is set) the value
// appears in the cell's output: pictures as inline SVG (images as PNG),
// tables as HTML with their own scoped style sheet. Notebooks import only
// this package; it talks to GoNB through gonbui. Elsewhere Show prints
// tables and text to standard output, and writes pictures to files in the
// current folder (SetDir changes it), printing each path: "wrote
// loss-curve.svg". Save writes a chosen file, by extension.
//
// Output is self-contained (no scripts, no fonts or images fetched from
// anywhere), so a saved notebook shows it offline, and the same inputs
// give the same bytes: pictures are fully determined by the data and the
// seeds that made it.
//
// # Figures
//
// The plotting functions return a *Figure built on gonum/plot. Its methods
// adjust it before it is drawn and chain: Log (log scale), ByStep
// (LossCurve in steps), Size, Titled, Resolution (grid of maps over the
// plane); Panels gives the gonum/plot panels for anything else.
//
//	LossCurve(runs...)              loss and accuracy per step and epoch, runs overlaid
//	DecisionBoundary(model, data)   the Playground's picture
//	NeuronMaps(model, data)         one map per hidden unit
//	FunctionFit(model, f, lo, hi)   a 1-D fit and each hidden unit's contribution
//	Histograms(model, x, y, loss)   activations and gradients per layer
//	GradNormCurve(recs...)          gradient norms per layer over training (NewGradNorms records them)
//	OptimizerPaths(surface, opts...) SGD, momentum, Nesterov, Adagrad, RMSProp, Adam, LAMB on a loss surface
//	Schedule(s, steps)              a learning-rate schedule
//	Images(t, labels)               a grid of images
//	ConfusionMatrix(pred, labels, classes)
//
// Graph(y) draws the compute graph that produced y as SVG made here (no
// Graphviz), numbered as dl.TraceOf(y) numbers it.
//
// # Training in a notebook
//
// Under GoNB this package registers its live view with
// train.RegisterDisplay, so train.Fit shows the loss curve as it trains:
// one output updated in place at most UpdatesPerSecond times a second,
// with a line of figures (epoch, step, loss, accuracy, samples per second);
// the saved notebook keeps the last frame. In a terminal Fit shows its own
// progress bar instead.
//
// The registration happens when this package is part of the cell's
// program. GoNB drops the imports a cell does not use, so a cell that
// calls train.Fit without mentioning viz would get the progress bar; import
// the package for its side effect once, in a cell of its own, and every
// later cell keeps it:
//
//	import _ "github.com/gradbook/gradbook/viz"
//
// # Errors
//
// A bad argument (an image tensor of the wrong rank, a model that is not a
// Sequential where layers are needed) panics with a *dl.Error whose message
// names the function and the shapes or values, e.g. "dl: viz.Images: 1
// labels for 3 images"; dl.Catch turns it into an error. A figure that
// draws a model (DecisionBoundary, NeuronMaps, FunctionFit) checks its
// data and the model's outputs when it is drawn. Writing files returns an
// error (Show prints it).
package viz
