// Command mnist trains the lecture's two MNIST networks to their target test
// accuracies and records the runs: the multilayer perceptron 784-256-128-10
// (ReLU) to at least 97%, and LeNet on images padded to 32×32 to at least
// 98.5%. It prints each epoch's losses, accuracies and wall time, and appends a
// section per run to bench/RESULTS.md (the machine, the settings, every epoch,
// the final test accuracy and the wall time).
//
//	go run ./bench/cmd/mnist                 # both nets, from the repository root
//	go run ./bench/cmd/mnist -model lenet    # one of them
//	go run ./bench/cmd/mnist -model mlp -epochs 2 -results -   # a trial, nothing recorded
//	go run ./bench/cmd/mnist -blas           # print the BLAS dl uses and exit
//
// Both nets train with SGD with momentum 0.9 on shuffled batches of 64 of the
// normalized training images, the learning rate annealed from 0.05 to 0 over
// the run along a cosine (optim.CosineAnnealing, per step), seeded (nn.Seed
// for the weights, the loader's Shuffle for the order), and are validated on
// the 10,000 test images after every epoch. The command exits with status 1 when a net misses its target.
//
// These runs take minutes; they are kept out of go test on purpose.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/gradbook/gradbook/dl/cpu"
	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
	"github.com/gradbook/gradbook/dl/train"
)

// A recipe is one net and how it is trained.
type recipe struct {
	name     string // the -model name
	title    string // for the results
	net      func() nn.Module
	dataOpts []data.Option
	dataDesc string
	batch    int
	lr       float64
	momentum float64
	epochs   int
	target   float64 // test accuracy to reach
}

var recipes = []recipe{
	{
		name:  "mlp",
		title: "MLP 784-256-128-10 (ReLU)",
		net: func() nn.Module {
			return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
		},
		dataOpts: []data.Option{data.Normalize(data.MNISTMean, data.MNISTStd), data.Flat()},
		dataDesc: "normalized, flattened to 784",
		batch:    64, lr: 0.05, momentum: 0.9, epochs: 5, target: 0.97,
	},
	{
		name:  "lenet",
		title: "LeNet (conv 6, conv 16, 120-84-10) on 32×32",
		net: func() nn.Module {
			return nn.Sequential(
				nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2),
				nn.Conv2d(6, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
				nn.Flatten(), nn.Linear(576, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
		},
		dataOpts: []data.Option{data.Pad(2), data.Normalize(data.MNISTMean, data.MNISTStd)},
		dataDesc: "padded to 1×32×32, normalized",
		batch:    64, lr: 0.05, momentum: 0.9, epochs: 5, target: 0.985,
	},
}

func main() {
	model := flag.String("model", "all", "the net to train: mlp, lenet or all")
	epochs := flag.Int("epochs", 0, "epochs (0: the recipe's)")
	seed := flag.Uint64("seed", 1, "seed of the weights and of the batch order")
	results := flag.String("results", "bench/RESULTS.md", `file to append the results to ("-": none)`)
	blasOnly := flag.Bool("blas", false, "print the BLAS that dl uses here and exit (bench/compare records it)")
	flag.Parse()
	if *blasOnly {
		fmt.Println(cpu.CurrentBLAS().Name())
		return
	}

	var chosen []recipe
	for _, r := range recipes {
		if *model == "all" || *model == r.name {
			if *epochs > 0 {
				r.epochs = *epochs
			}
			chosen = append(chosen, r)
		}
	}
	if len(chosen) == 0 {
		fmt.Fprintf(os.Stderr, "mnist: unknown -model %q (mlp, lenet or all)\n", *model)
		os.Exit(2)
	}
	if *results != "-" {
		// Fail now rather than after minutes of training.
		f, err := os.OpenFile(*results, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "mnist: %v (run from the repository root, or set -results)\n", err)
			os.Exit(2)
		}
		f.Close()
	}

	failed := false
	for _, r := range chosen {
		section, ok, err := run(r, *seed)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mnist:", err)
			os.Exit(1)
		}
		failed = failed || !ok
		if *results != "-" {
			if err := appendResults(*results, section); err != nil {
				fmt.Fprintln(os.Stderr, "mnist:", err)
				os.Exit(1)
			}
			fmt.Printf("appended to %s\n\n", *results)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// run trains r's net and returns the Markdown section describing the run and
// whether it reached its target.
func run(r recipe, seed uint64) (section string, ok bool, err error) {
	started := time.Now()
	trainSet, err := data.MNIST("train", r.dataOpts...)
	if err != nil {
		return "", false, err
	}
	testSet, err := data.MNIST("test", r.dataOpts...)
	if err != nil {
		return "", false, err
	}
	loadTime := time.Since(started)

	nn.Seed(seed)
	net := r.net()
	opt := optim.SGD(net.Parameters(), r.lr, optim.Momentum(r.momentum))
	loader := data.NewLoader(trainSet, r.batch, data.Shuffle(seed))
	steps := r.epochs * ((trainSet.Len() + r.batch - 1) / r.batch)
	schedule := optim.CosineAnnealing(r.lr, steps, 0)
	settings := fmt.Sprintf("SGD momentum %g, lr %g annealed to 0 along a cosine over the %d steps, batch %d (shuffled, seed %d), %d epochs, nn.Seed(%d); %s parameters",
		r.momentum, r.lr, steps, r.batch, seed, r.epochs, seed, thousands(nn.CountParams(net)))
	fmt.Printf("%s: %s\n", r.title, settings)
	fmt.Printf("MNIST %s: %d training and %d test images (read in %s)\n", r.dataDesc, trainSet.Len(), testSet.Len(), loadTime.Round(time.Millisecond))

	var table strings.Builder
	table.WriteString("| epoch | train loss | train accuracy | test loss | test accuracy | epoch time (steps) | elapsed |\n")
	table.WriteString("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	fmt.Printf("%5s  %10s  %9s  %9s  %8s  %10s  %9s\n", "epoch", "train loss", "train acc", "test loss", "test acc", "epoch time", "elapsed")
	trainStart := time.Now()
	hist := train.Fit(net, loader, train.Options{
		Epochs:     r.epochs,
		Optimizer:  opt,
		Schedule:   schedule,
		Validation: testSet,
		Quiet:      true,
		Callbacks: []train.Callback{func(e train.Event) {
			if e.Kind != train.EpochEnd {
				return
			}
			rec := e.History.Epochs[len(e.History.Epochs)-1]
			elapsed := time.Since(trainStart)
			fmt.Printf("%5d  %10.4f  %8.2f%%  %9.4f  %7.2f%%  %10s  %9s\n", rec.Epoch+1, rec.Loss, 100*rec.Accuracy,
				rec.ValLoss, 100*rec.ValAccuracy, seconds(rec.Seconds), elapsed.Round(100*time.Millisecond))
			fmt.Fprintf(&table, "| %d | %.4f | %.2f%% | %.4f | %.2f%% | %s | %s |\n", rec.Epoch+1, rec.Loss, 100*rec.Accuracy,
				rec.ValLoss, 100*rec.ValAccuracy, seconds(rec.Seconds), elapsed.Round(100*time.Millisecond))
		}},
	})
	wall := time.Since(trainStart)
	last, done := hist.Last()
	if !done {
		return "", false, fmt.Errorf("%s: no epoch completed (%s)", r.name, hist.Stopped)
	}
	var stepTime float64
	for _, e := range hist.Epochs {
		stepTime += e.Seconds
	}
	ok = last.ValAccuracy >= r.target
	verdict := "reached"
	if !ok {
		verdict = "MISSED"
	}
	summary := fmt.Sprintf("test accuracy %.2f%% after %d epochs (target ≥ %.1f%%: %s); wall time %s for training and validation (%s of it in training steps, %s per epoch)",
		100*last.ValAccuracy, len(hist.Epochs), 100*r.target, verdict, wall.Round(100*time.Millisecond),
		seconds(stepTime), seconds(stepTime/float64(len(hist.Epochs))))
	if hist.Stopped != "" {
		summary += "; stopped early: " + hist.Stopped
	}
	fmt.Println(summary)

	var s strings.Builder
	fmt.Fprintf(&s, "### %s, %s\n\n", r.title, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&s, "`go run ./bench/cmd/mnist -model %s`\n\n", r.name)
	fmt.Fprintf(&s, "- Result: %s\n", summary)
	fmt.Fprintf(&s, "- Training: %s\n", settings)
	fmt.Fprintf(&s, "- Data: MNIST %s; %d training images, validated on the %d test images\n", r.dataDesc, trainSet.Len(), testSet.Len())
	fmt.Fprintf(&s, "- Machine: %s\n\n", machine())
	s.WriteString(table.String())
	return s.String(), ok, nil
}

// appendResults appends section to the file at path, under an "Accuracy
// runs" heading that it adds when the file has none.
func appendResults(path, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if len(old) == 0 {
		w.WriteString("# Benchmark results\n\nWritten by bench/compare (the comparison with PyTorch) and bench/cmd/mnist\n(the accuracy runs, appended at the end); not edited by hand.\n")
	}
	if !strings.Contains(string(old), "\n## Accuracy runs\n") {
		w.WriteString("\n## Accuracy runs\n\nAppended by `go run ./bench/cmd/mnist`, one section per run.\n")
	}
	if len(old) > 0 && !strings.HasSuffix(string(old), "\n") {
		w.WriteString("\n")
	}
	w.WriteString("\n" + section)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// machine describes where the run happened: CPU, logical CPUs, GOMAXPROCS,
// Go version, the BLAS in use and the commit.
func machine() string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		cpu = modelName(f)
		f.Close()
	}
	commit := "unknown commit"
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		commit = "commit " + strings.TrimSpace(string(out))
		if exec.Command("git", "diff-index", "--quiet", "HEAD", "--").Run() != nil {
			commit += " with uncommitted changes"
		}
	}
	return fmt.Sprintf("%s, %d logical CPUs, GOMAXPROCS %d; %s %s/%s; BLAS %s; %s",
		cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		blasThreads(), commit)
}

// blasThreads names the BLAS that dl's matrix products use, with
// OpenBLAS's thread setting when it is OpenBLAS.
func blasThreads() string {
	name := cpu.CurrentBLAS().Name()
	if strings.HasPrefix(name, "openblas") {
		if n := os.Getenv("OPENBLAS_NUM_THREADS"); n != "" {
			name += ", OPENBLAS_NUM_THREADS " + n
		} else {
			name += ", its default threads (one per core)"
		}
	}
	return name
}

// modelName returns the first "model name" of a /proc/cpuinfo.
func modelName(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// seconds formats a duration given in seconds, to the tenth of a second.
func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(100 * time.Millisecond).String()
}

// thousands writes n with commas: 81,194.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
