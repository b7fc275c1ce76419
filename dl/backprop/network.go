package backprop

import (
	"math"
	"math/rand/v2"

	"github.com/gradbook/gradbook/dl"
)

// Network is the lecture's fully connected sigmoid network: Theta[l] is
// Θ⁽ˡ⁺¹⁾ of the lecture (layers count from 1 there), an s₍ₗ₊₁₎ × (sₗ + 1)
// matrix stored row-major whose column 0 holds the biases.
type Network struct {
	Sizes []int       // units per layer, input first: s₁, s₂, …, s_{L+1}
	Theta [][]float64 // Theta[l] has Sizes[l+1] rows and Sizes[l]+1 columns
}

// New returns a network with the given layer sizes (input first) and
// weights drawn uniformly from ±1/√(fan-in), seeded.
func New(seed uint64, sizes ...int) *Network {
	if len(sizes) < 2 {
		panicf("New", "layer sizes %v need at least an input and an output layer", sizes)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6261636b70726f70))
	n := &Network{Sizes: append([]int(nil), sizes...)}
	for l := 0; l+1 < len(sizes); l++ {
		if sizes[l] < 1 || sizes[l+1] < 1 {
			panicf("New", "layer sizes %v must be positive", sizes)
		}
		bound := 1 / math.Sqrt(float64(sizes[l]+1))
		th := make([]float64, sizes[l+1]*(sizes[l]+1))
		for i := range th {
			th[i] = (2*rng.Float64() - 1) * bound
		}
		n.Theta = append(n.Theta, th)
	}
	return n
}

// FromTheta returns the network with the given weight matrices, each a
// rank-2 tensor s₍ₗ₊₁₎ × (sₗ + 1) with the biases in column 0.
func FromTheta(theta ...*dl.Tensor) *Network {
	if len(theta) == 0 {
		panicf("FromTheta", "no weight matrices (want at least Θ⁽¹⁾)")
	}
	n := &Network{}
	for l, t := range theta {
		if t == nil {
			panicf("FromTheta", "Θ%s is nil", sup(l+1))
		}
		sh := t.Shape()
		if len(sh) != 2 || sh[1] < 2 {
			panicf("FromTheta", "Θ%s of shape %v is not s_out × (s_in + 1)", sup(l+1), sh)
		}
		if l == 0 {
			n.Sizes = append(n.Sizes, sh[1]-1)
		} else if sh[1]-1 != n.Sizes[l] {
			panicf("FromTheta", "Θ%s of shape %v takes %d inputs, but layer %d has %d units", sup(l+1), sh, sh[1]-1, l+1, n.Sizes[l])
		}
		n.Sizes = append(n.Sizes, sh[0])
		n.Theta = append(n.Theta, t.Float64s())
	}
	return n
}

// Tensors returns the weight matrices as Float64 tensors (copies).
func (n *Network) Tensors() []*dl.Tensor {
	out := make([]*dl.Tensor, len(n.Theta))
	for l, th := range n.Theta {
		out[l] = dl.FromSlice(append([]float64(nil), th...), n.Sizes[l+1], n.Sizes[l]+1)
	}
	return out
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// forward returns the activations a⁽¹⁾ … a⁽ᴸ⁺¹⁾ and the pre-activations
// z⁽²⁾ … z⁽ᴸ⁺¹⁾ for one instance (z[0] is nil).
func (n *Network) forward(x []float64) (a, z [][]float64) {
	a = [][]float64{x}
	z = [][]float64{nil}
	for l, th := range n.Theta {
		in, cols := a[l], n.Sizes[l]+1
		zl := make([]float64, n.Sizes[l+1])
		al := make([]float64, n.Sizes[l+1])
		for i := range zl {
			row := th[i*cols : (i+1)*cols]
			s := row[0] // the bias unit a₀ = 1
			for j, v := range in {
				s += row[j+1] * v
			}
			zl[i], al[i] = s, sigmoid(s)
		}
		a, z = append(a, al), append(z, zl)
	}
	return a, z
}

// Predict returns the network's outputs ŷ = a⁽ᴸ⁺¹⁾ for each row of x [n s₁].
func (n *Network) Predict(x *dl.Tensor) *dl.Tensor {
	rows := n.rows("Network.Predict", x, n.Sizes[0])
	var out []float64
	for _, r := range rows {
		a, _ := n.forward(r)
		out = append(out, a[len(a)-1]...)
	}
	return dl.FromSlice(out, len(rows), n.Sizes[len(n.Sizes)-1])
}

// rows splits a [n width] tensor into float64 rows.
func (n *Network) rows(op string, t *dl.Tensor, width int) [][]float64 {
	sh := t.Shape()
	if len(sh) == 1 && width == 1 {
		sh = []int{sh[0], 1}
	}
	if len(sh) != 2 || sh[1] != width {
		panicf(op, "tensor of shape %v is not [n %d]", t.Shape(), width)
	}
	v := t.Float64s()
	out := make([][]float64, sh[0])
	for i := range out {
		out[i] = v[i*width : (i+1)*width]
	}
	return out
}
