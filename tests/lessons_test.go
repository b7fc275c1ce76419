package tests

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradbook/gradbook/kernel"
	"github.com/gradbook/gradbook/kernel/ipynb"
)

var (
	specOnce sync.Once
	spec     *kernel.Spec
	specErr  error
)

// gonb returns the kernelspec of gradbook's GoNB kernel, building the
// tools when they are missing; it installs no kernelspec.
func gonb(t *testing.T) *kernel.Spec {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: runs the lessons through the GoNB kernel (minutes)")
	}
	specOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		var inst *kernel.Installation
		inst, specErr = kernel.Prepare(ctx, kernel.InstallOptions{})
		if specErr == nil {
			spec = inst.Spec
		}
	})
	if specErr != nil {
		t.Fatal(specErr)
	}
	return spec
}

// lesson is what a lesson's executed notebook must show.
type lesson struct {
	file    string
	figures int      // at least this many pictures (inline SVG or PNG)
	texts   []string // substrings the outputs must hold
	// numbers are named values printed by the lesson, each with a bound.
	numbers []bound
}

// bound asks that the first number after label in the outputs lie in
// [lo, hi].
type bound struct {
	label  string
	lo, hi float64
}

var lessons = []lesson{
	{file: "01-single-node.ipynb", figures: 3,
		numbers: []bound{{"accuracy", 95, 100}, {"Linear(2, 1)                   accuracy", 95, 100}, {"bias=false)       accuracy", 0, 70}}},
	{file: "02-layers.ipynb", figures: 2, texts: []string{"total"},
		numbers: []bound{{"linear  accuracy", 0, 70}, {"tanh    accuracy", 95, 100}}},
	{file: "03-classification-and-regression.ipynb", figures: 4,
		numbers: []bound{{"test accuracy", 90, 100}, {"softmax + cross-entropy: test accuracy", 90, 100}, {"test mean squared error", 0, 0.05}}},
	{file: "04-universal-approximation.ipynb", figures: 5,
		numbers: []bound{{"16 hidden units: mean squared error", 0, 0.01}, {"1 hidden unit: mean squared error", 0.1, 10}}},
	{file: "05-lenet-on-mnist.ipynb", figures: 5, texts: []string{"81,194", "576", "GPU: "},
		numbers: []bound{{"test accuracy after 3 epochs:", 95, 100}}},
	{file: "06-training-issues.ipynb", figures: 14,
		numbers: []bound{{"plain     accuracy after 15 epochs", 0, 70}, {"batchnorm accuracy after 15 epochs", 90, 100}, {"residual  accuracy after 15 epochs", 90, 100}}},
	{file: "07-playground.ipynb", figures: 9,
		numbers: []bound{{"circle     hidden [4 2]: test accuracy", 90, 100}, {"spiral     hidden [16 16]: test accuracy", 90, 100}}},
	{file: "08-backprop-by-hand.ipynb", figures: 1, texts: []string{"hand-derived D equals autodiff: true", "δ⁽³⁾"},
		numbers: []bound{{"step 3000  J =", 0, 0.1}}},
	{file: "09-autodiff-traces.ipynb", figures: 1,
		texts: []string{"11.652", "y = 11.652   ∂y/∂x1 = 5.500   ∂y/∂x2 = 1.716", "direction (1, 0): dy = 5.500", "direction (0, 1): dy = 1.716", "pass"}},
}

func TestLessons(t *testing.T) {
	s := gonb(t)
	for _, l := range lessons {
		t.Run(strings.TrimSuffix(l.file, ".ipynb"), func(t *testing.T) {
			nb, err := ipynb.ReadFile(filepath.Join("..", "notebooks", l.file))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			c, err := kernel.Start(ctx, s, kernel.Options{ExtraArgs: []string{"--raw_error"}})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Shutdown()
			if err := kernel.RunNotebook(ctx, c, nb, kernel.RunOptions{Timeout: 5 * time.Minute}); err != nil {
				t.Fatalf("%s: %v", l.file, err)
			}
			text, plain, figures, errs := collect(nb)
			if len(errs) > 0 {
				t.Errorf("error outputs: %s", strings.Join(errs, "\n"))
			}
			if figures < l.figures {
				t.Errorf("%d pictures, want at least %d", figures, l.figures)
			}
			for _, want := range l.texts {
				if !strings.Contains(text, want) {
					t.Errorf("outputs lack %q", want)
				}
			}
			for _, b := range l.numbers {
				v, err := numberAfter(text, b.label)
				if err != nil {
					t.Error(err)
				} else if v < b.lo || v > b.hi {
					t.Errorf("%q: %g, want it in [%g, %g]", b.label, v, b.lo, b.hi)
				}
			}
			if t.Failed() {
				t.Logf("text outputs:\n%s", plain)
			}
		})
	}
}

// collect returns the text of a notebook's outputs (streams and the plain
// and HTML forms of displays), the streams alone, the number of pictures,
// and the errors.
func collect(nb *ipynb.Notebook) (text, plain string, figures int, errs []string) {
	var b, p strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			switch o.Type {
			case ipynb.Stream:
				if o.Name == "stderr" && strings.Contains(o.Text, "panic") {
					errs = append(errs, o.Text)
				}
				b.WriteString(o.Text)
				p.WriteString(o.Text)
			case ipynb.Error:
				errs = append(errs, o.EName+": "+o.EValue)
			default:
				for mime, v := range o.Data {
					s := fmt.Sprint(v)
					switch {
					case mime == "image/png" || mime == "image/svg+xml":
						figures++
					case mime == "text/html":
						figures += strings.Count(s, "<svg")
						b.WriteString(s)
					case mime == "text/plain":
						b.WriteString(s)
					}
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String(), p.String(), figures, errs
}

var number = regexp.MustCompile(`[-−]?[0-9]+(\.[0-9]+)?`)

// numberAfter finds label in text and reads the first number after it.
func numberAfter(text, label string) (float64, error) {
	i := strings.Index(text, label)
	if i < 0 {
		return 0, fmt.Errorf("outputs lack %q", label)
	}
	m := number.FindString(text[i+len(label):])
	if m == "" {
		return 0, fmt.Errorf("no number after %q", label)
	}
	return strconv.ParseFloat(strings.Replace(m, "−", "-", 1), 64)
}
