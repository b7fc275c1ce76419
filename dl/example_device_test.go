package dl_test

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
)

// Every tensor starts on the CPU; To moves it to a device (package gpu
// provides them) and back, and is itself the identity when the tensor is
// there already.
func ExampleTensor_To() {
	x := dl.Float64.Ones(2).Named("x")
	fmt.Println(x.Device(), x.OnDevice(), x.To(dl.CPU) == x)
	// Output: cpu false true
}
