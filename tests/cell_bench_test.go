package tests

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gradbook/gradbook/kernel"
)

// BenchmarkCell measures what a warm notebook cell costs through the real
// kernel, compile and run together: a bare cell, a bare gonum/plot SVG,
// and the lessons' typical cell (import viz, train the Playground net for
// a few hundred steps, show its loss curve and decision boundary). Each
// run changes a constant, so every cell is compiled anew.
//
//	go test ./tests -run '^$' -bench Cell -benchtime 5x
func BenchmarkCell(b *testing.B) {
	if testing.Short() {
		b.Skip("runs the GoNB kernel")
	}
	cells := []struct{ name, decl, body string }{
		{"bare", "", `fmt.Println("n =", %d)`},
		{"gonum-plot", `import (
	"bytes"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)`, `p := plot.New()
pts := plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: float64(%d)}}
l, _ := plotter.NewLine(pts)
p.Add(l)
w, _ := p.WriterTo(4*vg.Inch, 3*vg.Inch, "svg")
var buf bytes.Buffer
w.WriteTo(&buf)
fmt.Println(buf.Len() > 0)`},
		{"viz-schedule", `import (
	"github.com/gradbook/gradbook/dl/optim"
	"github.com/gradbook/gradbook/viz"
)`, `viz.Show(viz.Schedule(optim.Constant(float64(%d)), 10))`},
		{"viz-playground", `import (
	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
	"github.com/gradbook/gradbook/dl/train"
	"github.com/gradbook/gradbook/viz"
)`, `ds := data.Circle(200, 0.1, uint64(%d))
nn.Seed(1)
net := nn.Input(2).Linear(8).Tanh().Linear(8).Tanh().Linear(2)
h := train.Fit(net, data.NewLoader(ds, 10), train.Options{Epochs: 15, Optimizer: optim.Adam(net.Parameters(), 0.03), Quiet: true})
viz.Show(viz.LossCurve(h), viz.DecisionBoundary(net, ds))`},
	}
	s := benchSpec(b)
	for _, c := range cells {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			cl, err := kernel.Start(ctx, s, kernel.Options{ExtraArgs: []string{"--raw_error"}})
			if err != nil {
				b.Fatal(err)
			}
			defer cl.Shutdown()
			run := func(i int) {
				code := c.decl + "\n%%\n" + fmt.Sprintf(c.body, i)
				if _, err := cl.Execute(ctx, code, kernel.ExecOptions{Timeout: 2 * time.Minute}); err != nil {
					b.Fatal(err)
				}
			}
			run(1000) // warm the build cache
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run(i)
			}
		})
	}
}

func benchSpec(b *testing.B) *kernel.Spec {
	inst, err := kernel.Prepare(context.Background(), kernel.InstallOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return inst.Spec
}
