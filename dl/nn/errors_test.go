package nn

import (
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// A shape that does not fit panics with a *dl.Error naming the layer and
// the shapes; containers add the layer's position.
func TestErrorMessages(t *testing.T) {
	cases := []struct {
		f    func()
		want string
	}{
		// Layers.
		{func() { Linear(4, 3).Forward(dl.Zeros(2, 5)) }, "dl: nn.Linear(4, 3): input of shape [2 5] does not end in 4 features"},
		{func() { Conv2d(3, 8, 3).Forward(dl.Zeros(2, 1, 8, 8)) }, "dl: nn.Conv2d(3, 8, 3): input of shape [2 1 8 8] is not [N 3 H W]"},
		{func() { Conv2d(1, 8, 5, Padding(1)).Forward(dl.Zeros(2, 1, 2, 8)) },
			"dl: nn.Conv2d(1, 8, 5, padding=1): input of shape [2 1 2 8] is smaller than the 5×5 kernel (padding 1)"},
		{func() { MaxPool2d(2).Forward(dl.Zeros(2, 8)) }, "dl: nn.MaxPool2d(2): input of shape [2 8] is not [N C H W]"},
		{func() { BatchNorm2d(3).Forward(dl.Zeros(2, 3)) }, "dl: nn.BatchNorm2d(3): input of shape [2 3] is not [N 3 H W]"},
		{func() { BatchNorm1d(3).Forward(dl.Zeros(2, 4)) }, "dl: nn.BatchNorm1d(3): input of shape [2 4] is not [N 3] or [N 3 L]"},
		{func() { Flatten().Forward(dl.Zeros(5)) }, "dl: nn.Flatten(): input of shape [5] has no axes after the batch axis"},
		{func() { Residual(Linear(4, 3)).Forward(dl.Zeros(2, 4)) },
			"dl: nn.Residual: block maps input of shape [2 4] to [2 3]; x + block(x) needs the same shape"},
		// Construction.
		{func() { Linear(0, 3) }, "dl: nn.Linear(0, 3): numbers of features must be positive"},
		{func() { Linear(2, 3, NoBias(), nil) }, "dl: nn.Linear(2, 3): option 1 is nil"},
		{func() { Conv2d(1, 2, 3, Stride(0)) }, "dl: nn.Conv2d(1, 2, 3, stride=0): channels, kernel and stride must be positive and padding not negative"},
		{func() { Sequential(Linear(2, 2), nil) }, "dl: nn.Sequential: layer 1 is nil"},
		{func() { Sequential(Linear(2, 2), (*LinearLayer)(nil)) }, "dl: nn.Sequential: layer 1 is nil"},
		// Containers.
		{func() { lenet().Forward(dl.Zeros(4, 1, 28, 28)) },
			"dl: nn.Sequential: layer 7: nn.Linear(576, 120): input of shape [4 400] does not end in 576 features"},
		{func() { Sequential(Linear(2, 2), Sequential(ReLU(), Linear(3, 1))).Forward(dl.Zeros(1, 2)) },
			"dl: nn.Sequential: layer 1: nn.Sequential: layer 1: nn.Linear(3, 1): input of shape [1 2] does not end in 3 features"},
		{func() { lenetBuilder().Forward(dl.Zeros(4, 1, 28, 28)) }, "dl: nn.Input(1, 32, 32): input of shape [4 1 28 28] is not [N 1 32 32]"},
		// The builder.
		{func() { Input(1, 28, 28).Flatten().Conv2d(6, 3) },
			"dl: nn.Input(1, 28, 28): layer 1, Conv2d(out=6, kernel=3), needs an input [N C H W] but gets [N 784]"},
		{func() { Input(1, 4, 4).Conv2d(6, 3).MaxPool2d(3) },
			"dl: nn.Input(1, 4, 4): layer 1: nn.MaxPool2d(3): input of shape [N 6 2 2] is smaller than the 3×3 kernel (padding 0)"},
		{func() { Input(10).Residual(func(r *Builder) *Builder { return r.Linear(5) }) },
			"dl: nn.Input(10): layer 0: nn.Residual: block maps input of shape [N 10] to [N 5]; x + block(x) needs the same shape"},
		{func() { Input(2, 3, 4, 5).BatchNorm() }, "dl: nn.Input(2, 3, 4, 5): layer 0, BatchNorm, needs an input [N C], [N C L] or [N C H W] but gets [N 2 3 4 5]"},
		{func() { Input(3).Softmax(2) }, "dl: nn.Input(3): layer 0: nn.Softmax(2): axis 2 is out of range for input of shape [N 3]"},
		{func() { Input() }, "dl: nn.Input(): an input needs at least one axis besides the batch axis"},
		{func() { Input(3, 0) }, "dl: nn.Input(3, 0): input shape [3 0] has a dimension that is not positive"},
	}
	for _, c := range cases {
		if err := dl.Catch(c.f); err == nil || err.Error() != c.want {
			t.Errorf("error\n\t%v\nwant\n\t%s", err, c.want)
		}
	}
}

// TestOptionTargets pins which layers take each option: an option
// implements the option interface of exactly the layers it applies to, so
// that passing it elsewhere (Stride to Linear) does not compile.
func TestOptionTargets(t *testing.T) {
	for _, c := range []struct {
		name               string
		opt                any
		linear, conv, pool bool
	}{
		{"Stride", Stride(2), false, true, true},
		{"Padding", Padding(1), false, true, false},
		{"NoBias", NoBias(), true, true, false},
	} {
		_, linear := c.opt.(LinearOption)
		_, conv := c.opt.(Conv2dOption)
		_, pool := c.opt.(Pool2dOption)
		if linear != c.linear || conv != c.conv || pool != c.pool {
			t.Errorf("%s: Linear %t, Conv2d %t, pooling %t; want %t, %t, %t", c.name, linear, conv, pool, c.linear, c.conv, c.pool)
		}
	}
}
