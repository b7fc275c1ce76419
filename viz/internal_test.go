package viz

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
	"github.com/gradbook/gradbook/dl/train"
)

func labels(ts []plot.Tick) []string {
	var out []string
	for _, t := range ts {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestLinearTicks(t *testing.T) {
	for _, c := range []struct {
		ticker plot.Ticker
		lo, hi float64
		want   string
	}{
		{linearTicks{}, 0, 20, "0 5 10 15 20"},
		{linearTicks{}, 0, 0.8, "0.0 0.2 0.4 0.6 0.8"},
		{linearTicks{}, -5.5, 5.5, "−5.0 −2.5 0.0 2.5 5.0"},
		{linearTicks{percent: true}, 0.42, 1, "50% 60% 70% 80% 90% 100%"},
		{linearTicks{integer: true}, 0, 1000, "0 250 500 750 1000"},
		{linearTicks{count: 3}, 0.043, 0.96, "0.25 0.50 0.75"},
		{logTicks{}, 0.1, 0.8, "0.1 0.2 0.5"},
		{logTicks{}, 0.2, 0.7, "0.2 0.3 0.4 0.5 0.6 0.7"},
		{logTicks{}, 1e-7, 0.5, "1e−7 1e−6 1e−5 1e−4 0.001 0.01 0.1"},
	} {
		if got := strings.Join(labels(c.ticker.Ticks(c.lo, c.hi)), " "); got != c.want {
			t.Errorf("%T%+v.Ticks(%g, %g) labels %q, want %q", c.ticker, c.ticker, c.lo, c.hi, got, c.want)
		}
	}
}

func TestStages(t *testing.T) {
	net := nn.Input(2).Linear(8).Tanh().Linear(8).BatchNorm().ReLU().Dropout(0.1).Linear(2)
	st := stagesOf(net.Layers())
	var got []string
	for _, s := range st {
		got = append(got, s.label()+" | "+s.act)
	}
	want := []string{"Linear 2→8, Tanh | Tanh", "Linear 8→8, BatchNorm, ReLU, Dropout | ReLU", "Linear 8→2 | "}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stages:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	flat := nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.ReLU(), nn.Residual(nn.Linear(3, 3)), nn.Linear(3, 1))
	if n := len(stagesOf(flat.Layers)); n != 3 {
		t.Errorf("Flatten, Linear, ReLU, Residual, Linear: %d stages, want 3", n)
	}
}

func TestScoreOutputs(t *testing.T) {
	out := dl.FromSlice([]float64{0, 2, -2}, 3, 1)
	s := scoreOutputs("test", out, "", false)
	if math.Abs(s.score[1]-math.Tanh(1)) > 1e-12 || s.score[0] != 0 {
		t.Errorf("logit scores %v", s.score)
	}
	s = scoreOutputs("test", dl.FromSlice([]float64{0.9, 0.5}, 2, 1), "Sigmoid", false)
	if math.Abs(s.score[0]-0.8) > 1e-12 || s.score[1] != 0 {
		t.Errorf("probability scores %v", s.score)
	}
	s = scoreOutputs("test", dl.FromSlice([]float64{1, 3, 0, 0}, 2, 2), "", false)
	if p1 := 1 / (1 + math.Exp(-2)); math.Abs(s.score[0]-(2*p1-1)) > 1e-12 || s.score[1] != 0 {
		t.Errorf("two-class scores %v", s.score)
	}
	s = scoreOutputs("test", dl.FromSlice([]float64{0, 0, 5}, 1, 3), "", false)
	if len(s.probs) != 1 || s.probs[0][2] < 0.98 {
		t.Errorf("three-class probabilities %v", s.probs)
	}
}

func TestClipPath(t *testing.T) {
	xs, ys, left := clipPath([]float64{0, 1, 3}, []float64{0, 0, 0}, [2]float64{-2, 2}, [2]float64{-1, 1})
	if !left || len(xs) != 3 || xs[2] != 2 || ys[2] != 0 {
		t.Errorf("clipPath = %v %v %v, want the path cut at x = 2", xs, ys, left)
	}
	if _, _, left := clipPath([]float64{0, 1}, []float64{0, 0.5}, [2]float64{-2, 2}, [2]float64{-1, 1}); left {
		t.Error("a path inside the window was cut")
	}
}

func TestTraceLevel(t *testing.T) {
	p := plane{-2, 2, -2, 2, 40}
	vals := make([]float64, 40*40)
	for r := range 40 {
		for c := range 40 {
			vals[r*40+c] = math.Hypot(p.x(c), p.y(r))
		}
	}
	lines := traceLevel(grid{p, vals}, 1)
	if len(lines) != 1 {
		t.Fatalf("the unit circle gave %d lines, want 1", len(lines))
	}
	l := lines[0]
	if l[0] != l[len(l)-1] {
		t.Error("the circle is not closed")
	}
	for _, q := range l {
		if r := math.Hypot(q.x, q.y); math.Abs(r-1) > 0.01 {
			t.Fatalf("point %v at radius %g, want 1", q, r)
		}
	}
}

func TestIsNumber(t *testing.T) {
	for s, want := range map[string]bool{"5.5": true, "= −0.959": true, "81,194": true, "93.1%": true, "2.5e-05": true,
		"[2 3]": false, "v₁": false, "x": false, "": false, "= ln 2": false, "[N 8]": false} {
		if got := isNumber(s); got != want {
			t.Errorf("isNumber(%q) = %v", s, got)
		}
	}
}

// swapOut makes Show print to a buffer and write to a temporary folder.
func swapOut(t *testing.T) (*bytes.Buffer, string) {
	dir := t.TempDir()
	var buf bytes.Buffer
	prevDir := SetDir(dir)
	stdout = &buf
	t.Cleanup(func() { SetDir(prevDir); stdout = nil })
	return &buf, dir
}

type htmlOnly struct{}

func (htmlOnly) HTML() string { return "<b>bold</b>" }

func TestShowOutsideNotebook(t *testing.T) {
	buf, dir := swapOut(t)
	fig := Schedule(optim.Constant(0.1), 10)
	Show(fig, fig, &dl.Table{Title: "T", Rows: []dl.TableRow{{Cells: []string{"a", "1"}}}}, htmlOnly{}, 42)
	want := "wrote " + filepath.Join(dir, "schedule.svg") + "\n" +
		"wrote " + filepath.Join(dir, "schedule-2.svg") + "\n" +
		"T\na  1\n" +
		"wrote " + filepath.Join(dir, "page.html") + "\n" +
		"42\n"
	if buf.String() != want {
		t.Errorf("Show printed\n%s\nwant\n%s", buf.String(), want)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "schedule.svg"))
	if err != nil || !bytes.HasPrefix(svg, []byte("<?xml")) || !bytes.Contains(svg, []byte("Liberation Sans',Arial")) {
		t.Errorf("schedule.svg: %v %.100q", err, svg)
	}
	page, err := os.ReadFile(filepath.Join(dir, "page.html"))
	if err != nil || !bytes.Contains(page, []byte("<b>bold</b>")) || !bytes.Contains(page, []byte(`charset="utf-8"`)) {
		t.Errorf("page.html: %v %q", err, page)
	}
}

func TestSaveErrors(t *testing.T) {
	dir := t.TempDir()
	table := &dl.Table{Title: "T"}
	if err := Save(table, filepath.Join(dir, "t.svg")); err == nil {
		t.Error("saved a table as SVG")
	}
	if err := Save(table, filepath.Join(dir, "t.doc")); err == nil {
		t.Error("saved a .doc")
	}
	if err := Save(Schedule(optim.Constant(1), 3), filepath.Join(dir, "no", "such", "dir.svg")); err == nil {
		t.Error("saved into a missing folder")
	}
	tiny := Schedule(optim.Constant(1), 3).Size(0.1, 0.1) // less than a pixel
	for _, err := range []error{Save(tiny, filepath.Join(dir, "tiny.png")), tiny.Save(filepath.Join(dir, "tiny2.png"))} {
		if err == nil || !strings.Contains(err.Error(), "rendering the 0.1×0.1 pt figure") {
			t.Errorf("saving a figure smaller than a pixel as PNG: %v", err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("failed saves left files: %v", entries)
	}
}

func TestHTMLForms(t *testing.T) {
	if h := HTML(Schedule(optim.Constant(1), 3)); !strings.HasPrefix(h, `<div class="gradbook-figure"`) || strings.Contains(h, "<?xml") {
		t.Errorf("figure HTML starts %.80q", h)
	}
	if h := HTML("a < b"); h != `<pre class="gradbook-text">a &lt; b`+"\n</pre>\n" {
		t.Errorf("text HTML %q", h)
	}
}

func TestLiveViewRecords(t *testing.T) {
	nn.Seed(1)
	ds := data.XOR(100, 0.1, 1)
	net := nn.Input(2).Linear(4).Tanh().Linear(2)
	opts := train.Options{Epochs: 2, Optimizer: optim.Adam(net.Parameters(), 0.01), Quiet: true, Name: "run"}
	v := NewLiveView(opts)
	opts.Callbacks = []train.Callback{v.Callback()}
	train.Fit(net, data.NewLoader(ds, 10), opts)
	if v.published != 0 {
		t.Errorf("a live view published %d updates outside a notebook", v.published)
	}
	h := v.HTML()
	for _, want := range []string{"<svg", "done: 2 epochs, 20 steps", "accuracy", "run", "width:100.0%"} {
		if !strings.Contains(h, want) {
			t.Errorf("live view frame lacks %q", want)
		}
	}
}

func TestThousands(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.4: "1,234,567", -5000: "−5,000"} {
		if got := thousands(v); got != want {
			t.Errorf("thousands(%g) = %q, want %q", v, got, want)
		}
	}
}

// Vanishing gradients, measured: through eight sigmoid layers the first
// layer's gradient is orders of magnitude below the last one's; BatchNorm
// keeps them within one.
func TestGradNormsVanish(t *testing.T) {
	ratio := func(bn bool) float64 {
		nn.Seed(3)
		b := nn.Input(2)
		for range 8 {
			b = b.Linear(16)
			if bn {
				b = b.BatchNorm()
			}
			b = b.Sigmoid()
		}
		net := b.Linear(2)
		rec := NewGradNorms(net, "")
		ds := data.Spiral(128, 0.1, 1)
		train.Fit(net, data.NewLoader(ds, 32), train.Options{Epochs: 1, Optimizer: optim.SGD(net.Parameters(), 0.1), Quiet: true,
			Callbacks: []train.Callback{rec.Callback()}})
		if len(rec.Steps) != 4 || len(rec.Norms[0]) != 9 || rec.Steps[3] != 3 {
			t.Fatalf("recorded steps %v with %d layers, want 4 steps of 9", rec.Steps, len(rec.Norms[0]))
		}
		last := rec.Norms[len(rec.Norms)-1]
		return last[0] / last[len(last)-1]
	}
	if r := ratio(false); r > 1e-3 {
		t.Errorf("without BatchNorm the first layer's gradient is %g of the last's, want < 1e-3", r)
	}
	if r := ratio(true); r < 0.05 {
		t.Errorf("with BatchNorm the first layer's gradient is %g of the last's, want > 0.05", r)
	}
}

func TestHistogramsReplaceGradients(t *testing.T) {
	nn.Seed(1)
	net := nn.Input(2).Linear(4).Tanh().Linear(2)
	ds := data.XOR(32, 0.1, 1)
	f := Histograms(net, ds.X, ds.Y, nil)
	rows := f.Panels()
	if len(rows) != 2 || rows[0][0] == nil || rows[1][0] != nil || rows[1][1] == nil {
		t.Fatalf("histogram panels %v, want [[act grad] [nil grad]]", rows)
	}
	g1 := net.Parameters()[0].Grad()
	if g1 == nil {
		t.Fatal("no gradient after Histograms")
	}
	Histograms(net, ds.X, ds.Y, nil).Panels()
	if g2 := net.Parameters()[0].Grad(); !slices.Equal(g1.Float64s(), g2.Float64s()) {
		t.Error("a second Histograms accumulated the gradients instead of replacing them")
	}
}

func TestGraphNumbering(t *testing.T) {
	x1, x2 := dl.Scalar(2).Named("x1"), dl.Scalar(5).Named("x2")
	y := x1.Log().Add(x1.Mul(x2)).Sub(x2.Sin())
	g := Graph(y)
	for _, want := range []string{">v₋₁ = x₁<", ">v̄₋₁ = 5.5<", ">v̄₀ = 1.716<", ">v₅ = y<", ">11.652<", "<title>v₅ = v₄ − v₃</title>", ">ln<", ">sin<"} {
		if !strings.Contains(g.SVG(), want) {
			t.Errorf("graph lacks %q", want)
		}
	}
	if strings.Contains(g.SVG(), " id=") {
		t.Error("the graph uses element ids, which clash when several graphs share a page")
	}
}

func TestImagesShapes(t *testing.T) {
	for _, shape := range [][]int{{4, 9}, {4, 3, 3}, {4, 1, 3, 3}, {2, 3, 3, 3}, {2, 2, 3, 3}, {5, 7}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(i%7) / 7
		}
		f := Images(dl.FromSlice(v, shape...), nil)
		if !strings.Contains(f.SVG(), "image-rendering:pixelated") {
			t.Errorf("images of shape %v are not drawn pixelated", shape)
		}
	}
}

// A bad argument panics with a *dl.Error naming the function and the
// shapes or values, so that dl.Catch turns it into an error. Figures built
// when drawn check their data then.
func TestBadArguments(t *testing.T) {
	net := nn.Input(2).Linear(3).Tanh().Linear(1)
	wide := &data.Dataset{Name: "wide", X: dl.Zeros(4, 3), Y: dl.Zeros(4)}
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { Images(dl.Zeros(3, 4, 4), []string{"a"}) }, "dl: viz.Images: 1 labels for 3 images"},
		{func() { Images(dl.Zeros(2, 2, 2, 2, 2), nil) }, "dl: viz.Images: a tensor of shape [2 2 2 2 2] is not images [n h w], [n c h w], [n d] or [h w]"},
		{func() { FunctionFit(net, math.Sin, 1, 1) }, "dl: viz.FunctionFit: interval [1, 1] is empty (want lo < hi)"},
		{func() { Schedule(optim.Constant(1), 0) }, "dl: viz.Schedule: steps 0 is not positive"},
		{func() { Schedule(optim.Constant(1), 3).Resolution(1) }, "dl: viz.Figure.Resolution: resolution 1 is less than 2 points"},
		{func() { Schedule(optim.Constant(1), 3).Size(0, 10) }, "dl: viz.Figure.Size: width 0 and height 10 must be positive"},
		{func() { Schedule(optim.Constant(1), 3).Size(0.1, 0.1).PNG() },
			`dl: viz.Figure.PNG: rendering the 0.1×0.1 pt figure "schedule": png: invalid format: invalid image size: 0x0`},
		{func() { GradNormCurve() }, "dl: viz.GradNormCurve: no runs to plot"},
		{func() { NewGradNorms(ModelFunc(func(x *dl.Tensor) *dl.Tensor { return x }), "f") },
			"dl: viz.NewGradNorms: a model of type viz.ModelFunc is not a Sequential or Builder network"},
		{func() { DecisionBoundary(net, wide).SVG() },
			`dl: viz.DecisionBoundary: data set "wide" has X of shape [4 3], not points in the plane [n 2]`},
		{func() { ConfusionMatrix(dl.Zeros(3), dl.Zeros(4), nil) },
			"dl: viz.ConfusionMatrix: predictions of shape [3] and labels of shape [4] are not [n] or [n k] and [n]"},
		{func() { ConfusionMatrix(dl.FromSlice([]float64{0, -1}, 2), dl.Zeros(2), nil) }, "dl: viz.ConfusionMatrix: label -1 is negative"},
	} {
		err := dl.Catch(c.f)
		if err == nil || err.Error() != c.want {
			t.Errorf("got  %v\nwant %s", err, c.want)
		}
	}
}

// A function giving probabilities (the lecture's single node, its
// hand-written network) is read as such: the boundary is at p = ½.
func TestOutputActivation(t *testing.T) {
	probs := ModelFunc(func(x *dl.Tensor) *dl.Tensor { return x.Slice(1, 0, 1).Sigmoid() })
	x := dl.FromSlice([]float64{-1, 0, 0, 0, 2, 0}, 3, 2)
	if got := outputActivation(probs, probs.Forward(x)); got != "Sigmoid" {
		t.Errorf("probabilities read as %q", got)
	}
	logits := ModelFunc(func(x *dl.Tensor) *dl.Tensor { return x.Slice(1, 0, 1).Mul(dl.Float64.Scalar(3)) })
	if got := outputActivation(logits, logits.Forward(x)); got != "" {
		t.Errorf("logits read as %q", got)
	}
	soft := ModelFunc(func(x *dl.Tensor) *dl.Tensor { return x.Softmax(1) })
	if got := outputActivation(soft, soft.Forward(x)); got != "Softmax" {
		t.Errorf("softmax outputs read as %q", got)
	}
	net := nn.Sequential(nn.Linear(2, 1))
	if got := outputActivation(net, dl.FromSlice([]float32{0.5}, 1, 1)); got != "" {
		t.Errorf("a Sequential ending in Linear read as %q", got)
	}
}
