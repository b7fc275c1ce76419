// Command gpusteps times training steps on the GPU: the Go twin of
// bench/torch/gpu_steps.py. A step is ZeroGrad, forward, loss, backward
// and an SGD step with momentum 0.9 on a fixed random batch already on the
// device. Each workload runs warm-up steps, then R repeats of N steps
// with the device synchronised after each repeat; it prints one line per
// workload, "NAME MS ms/step", with the median repeat's time per step.
//
//	gpusteps [-batches 128,1024] [-repeat 7] [-number 50] [-tf32]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
	"github.com/gradbook/gradbook/gpu"
)

func main() {
	batches := flag.String("batches", "128,1024", "batch sizes of the MLP and LeNet")
	repeat := flag.Int("repeat", 7, "repeats of -number steps; the median is printed")
	number := flag.Int("number", 50, "steps per repeat")
	tf32 := flag.Bool("tf32", false, "TensorFloat-32 matrix products")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the timed steps of every workload to this directory")
	kernels := flag.Int("kernels", 0, "after timing, profile this many steps on the device and print the time by kernel")
	flag.Parse()
	g, err := gpu.Open(0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gpusteps:", err)
		os.Exit(1)
	}
	if err := g.SetTF32(*tf32); err != nil {
		fmt.Fprintln(os.Stderr, "gpusteps:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "#", g.Info())
	suffix := ""
	if *tf32 {
		suffix = "/tf32"
	}
	run := func(name string, model nn.Module, x, y *dl.Tensor, loss func(out, y *dl.Tensor) *dl.Tensor) {
		nn.To(model, g)
		x, y = x.To(g), y.To(g)
		opt := optim.SGD(model.Parameters(), 0.01, optim.Momentum(0.9))
		step := func() {
			opt.ZeroGrad()
			l := loss(model.Forward(x), y)
			l.Backward()
			opt.Step()
		}
		for range 20 {
			step()
		}
		if err := g.Synchronize(); err != nil {
			panic(err)
		}
		if *profile != "" {
			f, err := os.Create(filepath.Join(*profile, strings.ReplaceAll(name+suffix, "/", "_")+".pprof"))
			if err != nil {
				panic(err)
			}
			defer f.Close()
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		// times is each repeat's time per step; host is the part of it
		// spent before the device was waited for.
		times, host := make([]float64, *repeat), make([]float64, *repeat)
		for r := range times {
			start := time.Now()
			for range *number {
				step()
			}
			host[r] = time.Since(start).Seconds() * 1000 / float64(*number)
			if err := g.Synchronize(); err != nil {
				panic(err)
			}
			times[r] = time.Since(start).Seconds() * 1000 / float64(*number)
		}
		if *kernels > 0 {
			g.StartProfile()
			for range *kernels {
				step()
			}
			entries, err := g.StopProfile()
			if err != nil {
				panic(err)
			}
			fmt.Fprintf(os.Stderr, "# %s%s: device time of %d steps by kernel\n%s", name, suffix, *kernels, gpu.FormatProfile(entries))
		}
		slices.Sort(times)
		slices.Sort(host)
		fmt.Printf("%s%s %.4f ms/step (host %.4f)\n", name, suffix, times[len(times)/2], host[len(host)/2])
	}
	rng := rand.New(rand.NewPCG(1, 2))
	labels := func(n, classes int) *dl.Tensor {
		l := make([]int, n)
		for i := range l {
			l[i] = rng.IntN(classes)
		}
		return dl.Labels(l...)
	}
	if !*tf32 {
		nn.Seed(1)
		pg := nn.Input(2).Linear(8).Tanh().Linear(8).Tanh().Linear(1)
		run("playground/b10", pg, dl.Randn(rng, 10, 2), labels(10, 2).Reshape(10, 1), nn.BCEWithLogits)
	}
	for _, f := range strings.Split(*batches, ",") {
		b, err := strconv.Atoi(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gpusteps: bad batch size", f)
			os.Exit(2)
		}
		nn.Seed(1)
		mlp := nn.Input(784).Linear(256).ReLU().Linear(128).ReLU().Linear(10)
		run(fmt.Sprintf("mlp/b%d", b), mlp, dl.Randn(rng, b, 784), labels(b, 10), nn.CrossEntropy)
		nn.Seed(1)
		lenet := nn.Input(1, 32, 32).Conv2d(6, 3).ReLU().MaxPool2d(2).Conv2d(16, 3).ReLU().MaxPool2d(2).
			Flatten().Linear(120).ReLU().Linear(84).ReLU().Linear(10)
		run(fmt.Sprintf("lenet/b%d", b), lenet, dl.Randn(rng, b, 1, 32, 32), labels(b, 10), nn.CrossEntropy)
	}
}
