package nn

import (
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

const lenetSummary = `Summary of Sequential, input [N 1 32 32]
name  layer             output shape  params
0     Conv2d(1, 6, 3)   [N 6 30 30]       60
1     ReLU()            [N 6 30 30]        0
2     MaxPool2d(2)      [N 6 15 15]        0
3     Conv2d(6, 16, 3)  [N 16 13 13]     880
4     ReLU()            [N 16 13 13]       0
5     MaxPool2d(2)      [N 16 6 6]         0
6     Flatten()         [N 576]            0
7     Linear(576, 120)  [N 120]       69,240
8     ReLU()            [N 120]            0
9     Linear(120, 84)   [N 84]        10,164
10    ReLU()            [N 84]             0
11    Linear(84, 10)    [N 10]           850
      total                           81,194
`

func TestSummaryLeNet(t *testing.T) {
	s := Summary(lenet(), 1, 32, 32)
	if got := s.String(); got != lenetSummary {
		t.Errorf("summary:\n%s\nwant:\n%s", got, lenetSummary)
	}
	if s.Params != 81194 {
		t.Errorf("Params = %d", s.Params)
	}
	if got := Summary(lenetBuilder()).String(); got != lenetSummary {
		t.Errorf("builder summary:\n%s", got)
	}
	md := s.Markdown()
	for _, want := range []string{"**Summary of Sequential, input [N 1 32 32]**\n\n| name | layer | output shape | params |\n|---|---|---|---|\n",
		"| 6 | Flatten() | [N 576] | 0 |\n", "| 7 | Linear(576, 120) | [N 120] | 69,240 |\n", "|  | total |  | 81,194 |\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	h := s.HTML()
	for _, want := range []string{"<caption>Summary of Sequential, input [N 1 32 32]</caption>",
		"<th>output shape</th>", "<td>[N 576]</td>", "<td>81,194</td>"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestSummaryWithoutShapes(t *testing.T) {
	// A Sequential that starts with a convolution does not know its
	// input's height and width: no shape column unless given.
	got := Summary(lenet()).String()
	want := `Summary of Sequential
name  layer             params
0     Conv2d(1, 6, 3)       60
1     ReLU()                 0
2     MaxPool2d(2)           0
3     Conv2d(6, 16, 3)     880
4     ReLU()                 0
5     MaxPool2d(2)           0
6     Flatten()              0
7     Linear(576, 120)  69,240
8     ReLU()                 0
9     Linear(120, 84)   10,164
10    ReLU()                 0
11    Linear(84, 10)       850
      total             81,194
`
	if got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	// One starting with Linear does; so does a single layer given a shape.
	if got := Summary(Sequential(Linear(2, 3), Sigmoid())).String(); !strings.Contains(got, "1     Sigmoid()     [N 3]              0") {
		t.Errorf("summary:\n%s", got)
	}
	want = "Summary of Conv2d(3, 8, 3, stride=2), input [N 3 9 9]\nname  layer                      output shape  params\n" +
		"      Conv2d(3, 8, 3, stride=2)  [N 8 4 4]        224\n      total                                       224\n"
	if got := Summary(Conv2d(3, 8, 3, Stride(2)), 3, 9, 9).String(); got != want {
		t.Errorf("summary:\n%q\nwant:\n%q", got, want)
	}
	// MNIST's 28×28 without the padding to 32×32: 28 → 26 → 13 → 11 → 5,
	// so the flatten is 16·5·5 = 400 wide, not 576.
	err := dl.Catch(func() { Summary(lenet(), 1, 28, 28) })
	if want := "dl: nn.Summary: layer 7: nn.Linear(576, 120): input of shape [N 400] does not end in 576 features"; err == nil || err.Error() != want {
		t.Errorf("28×28 input: %v, want %s", err, want)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 81194: "81,194", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
