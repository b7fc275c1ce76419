package nn

import (
	"slices"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

func lenet() *SequentialModule {
	return Sequential(
		Conv2d(1, 6, 3), ReLU(), MaxPool2d(2),
		Conv2d(6, 16, 3), ReLU(), MaxPool2d(2),
		Flatten(), Linear(16*6*6, 120), ReLU(), Linear(120, 84), ReLU(), Linear(84, 10))
}

func lenetBuilder() *Builder {
	return Input(1, 32, 32).Conv2d(6, 3).ReLU().MaxPool2d(2).Conv2d(16, 3).ReLU().MaxPool2d(2).
		Flatten().Linear(120).ReLU().Linear(84).ReLU().Linear(10)
}

func stateNames(m Module) []string {
	var out []string
	for _, n := range m.StateDict() {
		out = append(out, n.Name)
	}
	return out
}

// The Sequential written out by hand and the builder make the same net:
// same names, shapes, parameter count and, after the same seed, values.
func TestBuilderMatchesSequential(t *testing.T) {
	Seed(42)
	net := lenet()
	Seed(42)
	same := lenetBuilder()

	want := []string{"0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"}
	if got := stateNames(net); !slices.Equal(got, want) {
		t.Errorf("Sequential names %v, want %v", got, want)
	}
	if got := stateNames(same); !slices.Equal(got, want) {
		t.Errorf("builder names %v, want %v", got, want)
	}
	if CountParams(net) != 81194 || CountParams(same) != 81194 {
		t.Errorf("parameters %d and %d, want 81194", CountParams(net), CountParams(same))
	}
	a, b := net.StateDict(), same.StateDict()
	for i := range a {
		if !slices.Equal(a[i].Tensor.Shape(), b[i].Tensor.Shape()) || !slices.Equal(a[i].Tensor.Float64s(), b[i].Tensor.Float64s()) {
			t.Errorf("%s differs: %v and %v", a[i].Name, a[i].Tensor.Shape(), b[i].Tensor.Shape())
		}
	}
	if l := net.Layers[7].(*LinearLayer); l.In != 576 {
		t.Errorf("flatten width %d, want 576", l.In)
	}
	x := nnRandn(1, 2, 1, 32, 32).AsType(dl.Float32)
	if y, z := net.Forward(x), same.Forward(x); !slices.Equal(y.Float64s(), z.Float64s()) || !slices.Equal(y.Shape(), []int{2, 10}) {
		t.Errorf("outputs differ: %v and %v", y, z)
	}
	if net.String() != same.String() {
		t.Errorf("descriptions differ:\n%s\n%s", net, same)
	}
	if s1, s2 := Summary(net, 1, 32, 32).String(), Summary(same).String(); s1 != s2 {
		t.Errorf("summaries differ:\n%s\n%s", s1, s2)
	}
	if !slices.Equal(same.InputShape(), []int{1, 32, 32}) || !slices.Equal(same.OutputShape(), []int{10}) {
		t.Errorf("builder shapes %v → %v", same.InputShape(), same.OutputShape())
	}
	if seq := same.Sequential(); len(seq.Layers) != 12 || seq.Layers[0] != same.Layers()[0] {
		t.Errorf("Sequential() does not share the builder's layers")
	}
}

func TestBuilderLayers(t *testing.T) {
	b := Input(3, 12, 12).Conv2d(4, 3, Padding(1)).BatchNorm().LeakyReLU(0.01).AvgPool2d(2).
		Conv2d(8, 3, Stride(2), NoBias()).GELU().MaxPool2d(2, Stride(1)).Flatten().Dropout(0.1).
		Linear(5, NoBias()).BatchNorm().Tanh().Linear(2).Sigmoid().Softmax(1)
	var got []string
	for _, l := range b.Layers() {
		got = append(got, describe(l))
	}
	want := []string{"Conv2d(3, 4, 3, padding=1)", "BatchNorm2d(4)", "LeakyReLU(0.01)", "AvgPool2d(2)",
		"Conv2d(4, 8, 3, stride=2, bias=false)", "GELU()", "MaxPool2d(2, stride=1)", "Flatten()", "Dropout(0.1)",
		"Linear(8, 5, bias=false)", "BatchNorm1d(5)", "Tanh()", "Linear(5, 2)", "Sigmoid()", "Softmax(1)"}
	if !slices.Equal(got, want) {
		t.Errorf("layers\n%v, want\n%v", got, want)
	}
	if y := b.Forward(dl.Ones(2, 3, 12, 12)); !slices.Equal(y.Shape(), []int{2, 2}) {
		t.Errorf("output shape %v", y.Shape())
	}
}

// userModule is a module of another package's kind: the builder finds its
// output shape by running it.
type userModule struct{ w *dl.Tensor }

func (u *userModule) Forward(x *dl.Tensor) *dl.Tensor { return x.MatMul(u.w) }
func (u *userModule) Parameters() []*dl.Tensor        { return []*dl.Tensor{u.w} }
func (u *userModule) StateDict() []Named              { return []Named{{"w", u.w}} }
func (u *userModule) SetTraining(bool)                {}

func TestBuilderThen(t *testing.T) {
	u := &userModule{w: dl.Ones(4, 7).SetRequiresGrad(true)}
	b := Input(3).Linear(4).Then(u).ReLU().Linear(2)
	if !slices.Equal(b.OutputShape(), []int{2}) || b.Layers()[3].(*LinearLayer).In != 7 {
		t.Errorf("shape after a user module: %v", b.OutputShape())
	}
	if got := stateNames(b); !slices.Equal(got, []string{"0.weight", "0.bias", "1.w", "3.weight", "3.bias"}) {
		t.Errorf("names %v", got)
	}
	s := Summary(b).String()
	if !strings.Contains(s, "1     userModule    [N 7]             28") {
		t.Errorf("summary of a user module:\n%s", s)
	}
	if err := dl.Catch(func() { ToDType(b, dl.Float64) }); err == nil || !strings.Contains(err.Error(), "userModule") {
		t.Errorf("ToDType with a user module: %v", err)
	}
}

func TestResidualNames(t *testing.T) {
	net := Sequential(Linear(4, 4), Residual(Sequential(Linear(4, 4), ReLU(), Linear(4, 4))), BatchNorm1d(4))
	want := []string{"0.weight", "0.bias", "1.block.0.weight", "1.block.0.bias", "1.block.2.weight", "1.block.2.bias",
		"2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked"}
	if got := stateNames(net); !slices.Equal(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
	if len(net.Parameters()) != 8 {
		t.Errorf("%d parameters, want 8", len(net.Parameters()))
	}
	// Parameters come in state-dict order.
	sd := net.StateDict()
	for i, p := range net.Parameters() {
		if p != sd[i].Tensor {
			t.Errorf("parameter %d is not %s", i, sd[i].Name)
		}
	}
	r := Residual(Linear(3, 3))
	x := dl.FromSlice([]float32{1, 2, 3}, 1, 3)
	y := r.Forward(x)
	z := r.Block.Forward(x).Add(x)
	if !slices.Equal(y.Float64s(), z.Float64s()) {
		t.Errorf("Residual gives %v, want x + block(x) = %v", y, z)
	}
	wantString := "Sequential(\n  (0): Linear(4, 4)\n  (1): Residual(\n    (block): Sequential(\n      (0): Linear(4, 4)\n" +
		"      (1): ReLU()\n      (2): Linear(4, 4)\n    )\n  )\n  (2): BatchNorm1d(4)\n)"
	if net.String() != wantString {
		t.Errorf("String:\n%s\nwant\n%s", net, wantString)
	}
}

func TestToDType(t *testing.T) {
	net := Input(2, 6, 6).Conv2d(3, 3).BatchNorm().ReLU().Flatten().Linear(2)
	old := net.Parameters()
	ToDType(net, dl.Float64)
	for _, n := range net.StateDict() {
		if n.Tensor.DType() != dl.Float64 {
			t.Errorf("%s is %v", n.Name, n.Tensor.DType())
		}
	}
	for i, p := range net.Parameters() {
		if !p.RequiresGrad() || !p.IsLeaf() || !slices.Equal(p.Float64s(), old[i].Float64s()) {
			t.Errorf("parameter %d: requires grad %v, leaf %v", i, p.RequiresGrad(), p.IsLeaf())
		}
	}
	if sd := net.StateDict(); sd[4].Tensor.RequiresGrad() {
		t.Errorf("%s requires a gradient after conversion", sd[4].Name)
	}
	y := net.Forward(dl.Float64.Ones(2, 2, 6, 6))
	if y.DType() != dl.Float64 {
		t.Errorf("output is %v", y.DType())
	}
	err := dl.Catch(func() { net.Forward(dl.Ones(2, 2, 6, 6)) })
	want := "dl: nn.Input(2, 6, 6): layer 0: nn.Conv2d(2, 3, 3): input of shape [2 2 6 6] is float32 but the layer's parameters are float64 (convert the input with AsType or the layer with nn.ToDType)"
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v, want\n%s", err, want)
	}
}
