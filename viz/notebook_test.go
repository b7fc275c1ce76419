package viz_test

import (
	"fmt"
	"image"
	"image/color"
	"time"

	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
	"github.com/gradbook/gradbook/dl/train"
	"github.com/gradbook/gradbook/viz"
)

// runCell is a notebook cell's program, run by TestNotebookDisplay with a
// fake GoNB on the other end of GONB_PIPE: a figure, a table, an image,
// then a training run, whose live view the package registered at start-up.
func runCell() {
	viz.Show(viz.Schedule(optim.Step(0.1, 10, 0.5), 30))
	nn.Seed(1)
	net := nn.Input(2).Linear(8).Tanh().Linear(2)
	viz.Show(nn.Summary(net))
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	img.SetGray(1, 1, color.Gray{Y: 255})
	viz.Show(img)

	ds := data.XOR(200, 0.1, 1)
	tr, va := ds.Split(0.25, 1)
	pause := func(e train.Event) {
		if e.Kind == train.EpochEnd && e.Epoch == 0 {
			time.Sleep(300 * time.Millisecond) // past the live view's throttle
		}
	}
	train.Fit(net, data.NewLoader(tr, 10, data.Shuffle(1)), train.Options{
		Epochs: 2, Optimizer: optim.Adam(net.Parameters(), 0.01), Validation: va,
		Callbacks: []train.Callback{pause}, Name: "xor",
	})
	fmt.Println("cell done")
}
