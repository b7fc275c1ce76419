package devicetest_test

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/devicetest"
)

// A device in main memory behaves as a GPU does: values, gradients and
// results stay on it, and printing copies them back.
func ExampleNewFake() {
	dev := devicetest.NewFake("fake:0")
	x := dl.Float64.Arange(0, 4, 1).Named("x").MoveTo(dev)
	y := x.Square().Sum()
	y.Backward()
	fmt.Println(y.Device(), y, x.Grad().Device(), x.Grad())
	// Output: fake:0 14 fake:0 [0 2 4 6]
}
