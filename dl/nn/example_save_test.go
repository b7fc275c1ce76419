package nn_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/nn"
)

// Save writes the state dict under PyTorch's names in the safetensors
// format; Load reads it back into a network of the same shape.
func ExampleSave() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "net.safetensors")

	nn.Seed(1)
	net := nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
	if err := nn.Save(net, path); err != nil {
		panic(err)
	}
	nn.Seed(2) // different weights until Load replaces them
	same := nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
	if err := nn.Load(same, path); err != nil {
		panic(err)
	}
	x := dl.FromSlice([]float32{0.5, -1}, 1, 2)
	fmt.Println(net.Forward(x).Item() == same.Forward(x).Item())
	for _, p := range same.StateDict() {
		fmt.Println(p.Name, p.Tensor.Shape())
	}

	wrong := nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
	fmt.Println(nn.Load(wrong, path) != nil)
	// Output:
	// true
	// 0.weight [3 2]
	// 0.bias [3]
	// 2.weight [1 3]
	// 2.bias [1]
	// true
}
